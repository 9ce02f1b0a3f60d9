// The network as a source of entries, like one more partition: find the config the boot
// loaders' own rules pick for this client, read it (and what it includes) with the disks'
// readers through a FetchedFiles view, and turn what they say into menu entries whose files
// are URLs. Nothing is downloaded but configs; kernels are fetched at boot (download.ts).
import type { BootEntry, FormatParser, ParsedEntry, Resolution, Resource } from '../entries/model';
import type { Diagnostic } from '../fs/diagnostic';
import type { MachineContext } from '../machine/context';
import type { PartitionInfo } from '../fs/files';
import { entryId } from '../entries/scan/ids';
import { extlinuxParser } from '../entries/extlinux';
import { grubParserFor, type GrubNetwork } from '../entries/grub/index';
import { fetchUrl, isUrl, type NetFolder, urlIn } from './fetch';
import { FetchedFiles, MAX_CONFIG_BYTES, readToFixpoint } from './net-files';
import { grubCandidates, grubPrefixOf, macDashed, pxelinuxCandidates, type ClientIdentity } from './pxe-paths';
import { NetError, type TransferLimits } from './transfer';

/** What the lookup needs: the folder, the client, and how long it may take in all. */
export interface NetLookup {
  readonly folder: NetFolder;
  readonly identity: ClientIdentity;
  /** Option 209: read this config instead of searching (relative to the folder, or a URL). */
  readonly configFile?: string;
  /** The whole lookup ends by then (ms since the epoch): a silent server never holds the menu. */
  readonly deadline: number;
  /** How long one request may go unanswered before it is sent again or given up. */
  readonly idleMs?: number;
}

export interface NetScan {
  readonly partition: PartitionInfo;
  readonly entries: readonly BootEntry[];
  readonly diagnostics: readonly Diagnostic[];
  /** The config that was read, as a URL; undefined when none was found. */
  readonly config?: string;
}

/** The readers see the chosen PXELINUX config under a name they look for; messages name it by its own. */
const EXTLINUX_ALIAS = '/syslinux.cfg';
/** GRUB's reader looks here first; its folder becomes $prefix, which is where grub.cfg-* live. */
const GRUB_ALIAS = '/boot/grub/grub.cfg';

/**
 * A path inside the view, as a URL. Paths are normalised by the readers, so a whole URL in a
 * config (`KERNEL http://server/vmlinuz`) arrives as `/http:/server/vmlinuz`.
 */
export function viewPathUrl(folder: NetFolder, path: string): string {
  const m = /^\/(tftp|https?):\/(.*)$/i.exec(path);
  return m ? `${m[1]!.toLowerCase()}://${m[2]}` : urlIn(folder, path);
}

function limits(lookup: NetLookup): TransferLimits {
  return { deadline: lookup.deadline, maxBytes: MAX_CONFIG_BYTES, ...(lookup.idleMs !== undefined ? { idleMs: lookup.idleMs } : {}) };
}

async function fetchText(href: string, lookup: NetLookup): Promise<string> {
  if (Date.now() >= lookup.deadline) throw new NetError(`${href} was not fetched: the network lookup ran out of time`);
  return (await fetchUrl(href, limits(lookup))).toString('utf8');
}

/** The first candidate that exists; a failure other than "not there" ends the search (a silent server answers none). */
async function firstFound(folder: NetFolder, names: readonly string[], lookup: NetLookup, diagnostics: Diagnostic[]): Promise<{ name: string; text: string } | undefined | 'stop'> {
  for (const name of names) {
    const href = isUrl(name) ? name : urlIn(folder, name);
    try {
      return { name, text: await fetchText(href, lookup) };
    } catch (err) {
      if (err instanceof NetError && err.missing) continue;
      diagnostics.push({ severity: 'error', file: href, message: err instanceof Error ? err.message : String(err) });
      return 'stop';
    }
  }
  return undefined;
}

function resolution(folder: NetFolder, e: ParsedEntry): Resolution {
  const url = (what: string, r: Resource): string | { reason: string } =>
    r.partition.by === 'self'
      ? viewPathUrl(folder, r.path)
      : { reason: r.partition.by === 'unmappable' ? `the ${what} ${r.path} is on ${r.partition.value}, which cannot be reached` : `the ${what} ${r.path} is on a disk partition, not on the boot server` };
  const files: string[] = [];
  for (const [what, r] of [['kernel', e.kernel] as const, ...e.initrds.map((r) => ['initrd', r] as const), ...e.overlays.map((r) => ['overlay', r] as const)]) {
    const u = url(what, r);
    if (typeof u !== 'string') return { ok: false, reason: u.reason };
    files.push(u);
  }
  let devicetree: { kind: 'file'; path: string } | undefined;
  if (e.devicetree?.kind === 'dir') return { ok: false, reason: 'FDTDIR needs a folder listing to pick a device tree from, which a boot server does not give (name the file with FDT)' };
  if (e.devicetree) {
    const u = url('device tree', e.devicetree.resource);
    if (typeof u !== 'string') return { ok: false, reason: u.reason };
    devicetree = { kind: 'file', path: u };
  }
  const [kernel, ...rest] = files;
  const initrds = rest.slice(0, e.initrds.length);
  return { ok: true, files: { kernel: kernel!, initrds, ...(devicetree ? { devicetree } : {}), overlays: rest.slice(e.initrds.length) } };
}

/** Reads one chosen config with one reader; `alias` is the name the reader looks for. */
async function readConfig(
  lookup: NetLookup,
  viewFolder: NetFolder,
  configPath: string,
  text: string,
  alias: string,
  parser: FormatParser,
  partition: PartitionInfo,
  machine: MachineContext,
): Promise<{ entries: BootEntry[]; diagnostics: Diagnostic[] }> {
  const files = new FetchedFiles();
  files.add(configPath, text);
  if (configPath !== alias) files.alias(alias, configPath);
  const configUrl = viewPathUrl(viewFolder, configPath);
  const fixpoint = await readToFixpoint(files, (p) => fetchText(viewPathUrl(viewFolder, p), lookup), (f) => parser.parse(f, partition.name, machine), configUrl);
  const named = (file: string): string => viewPathUrl(viewFolder, file === alias ? configPath : file);
  const diagnostics = [...fixpoint.result.diagnostics.map((d) => ({ ...d, file: named(d.file) })), ...fixpoint.diagnostics.map((d) => ({ ...d, file: named(d.file) }))];
  const entries = fixpoint.result.entries.map((e): BootEntry => {
    const source = { ...e.source, file: named(e.source.file) };
    return { ...e, source, id: entryId(partition, e.source.format, e.localId), partition, resolution: resolution(viewFolder, e) };
  });
  return { entries, diagnostics };
}

/** What GRUB knows of the network after booting from this folder: net_default_server, net_default_ip, net_default_mac. */
function grubNetwork(folder: NetFolder, identity: ClientIdentity): GrubNetwork {
  const mac = identity.mac === undefined ? undefined : macDashed(identity.mac)?.replace(/-/g, ':');
  return { protocol: folder.protocol, server: new URL(folder.href).hostname, ...(identity.ip !== undefined ? { ip: identity.ip } : {}), ...(mac !== undefined ? { mac } : {}) };
}

/** The folder's server root (GRUB names paths from it; PXELINUX from its prefix). */
function serverRoot(folder: NetFolder): { root: NetFolder; prefix: string } {
  const url = new URL(folder.href);
  return { root: { protocol: folder.protocol, href: `${url.protocol}//${url.host}` }, prefix: url.pathname.replace(/\/+$/, '') };
}

/**
 * Looks up this client's config on the server: PXELINUX's names first (option 209, else
 * pxelinux.cfg/…), then GRUB's (grub.cfg-…, grub.cfg in the folder). Never throws; every
 * failure is a diagnostic, and a lookup that finds nothing has no entries.
 */
export async function scanNetwork(lookup: NetLookup, machine: MachineContext): Promise<NetScan> {
  const { folder } = lookup;
  const partition: PartitionInfo = { name: folder.href, fstype: folder.protocol };
  const diagnostics: Diagnostic[] = [];
  const done = (found: { entries: BootEntry[]; diagnostics: Diagnostic[] }, config: string): NetScan => ({
    partition,
    entries: found.entries,
    diagnostics: [...diagnostics, ...found.diagnostics],
    config,
  });
  try {
    const pxeNames = lookup.configFile !== undefined ? [lookup.configFile] : pxelinuxCandidates(lookup.identity);
    const pxe = await firstFound(folder, pxeNames, lookup, diagnostics);
    if (pxe === 'stop') return { partition, entries: [], diagnostics };
    if (pxe) {
      const path = isUrl(pxe.name) ? `/${pxe.name.replace('://', ':/')}` : `/${pxe.name}`;
      const found = await readConfig(lookup, folder, path, pxe.text, EXTLINUX_ALIAS, extlinuxParser, partition, machine);
      return done(found, viewPathUrl(folder, path));
    }
    // GRUB names files from the server's root (`linux /boot/vmlinuz`, `(tftp)/boot/vmlinuz`),
    // and looks for its configs in its prefix, the parent of the core image's platform folder.
    const { root, prefix } = serverRoot(folder);
    const grubFolder: NetFolder = { protocol: folder.protocol, href: root.href + grubPrefixOf(prefix) };
    const grub = await firstFound(grubFolder, grubCandidates(lookup.identity), lookup, diagnostics);
    if (grub === 'stop') return { partition, entries: [], diagnostics };
    if (grub) {
      const path = `${grubPrefixOf(prefix)}/${grub.name}`;
      const grubPartition: PartitionInfo = { ...partition, name: folder.protocol };
      const found = await readConfig(lookup, root, path, grub.text, GRUB_ALIAS, grubParserFor(grubNetwork(folder, lookup.identity)), grubPartition, machine);
      const entries = found.entries.map((e) => ({ ...e, partition, id: entryId(partition, e.source.format, e.localId), source: { ...e.source, partition: partition.name } }));
      return done({ entries, diagnostics: found.diagnostics }, viewPathUrl(root, path));
    }
    diagnostics.push({
      severity: 'info',
      file: folder.href,
      message: `no boot config for this client: none of ${[...pxeNames, ...grubCandidates(lookup.identity)].join(', ')} is there`,
    });
  } catch (err) {
    // A bug here must cost only the network's entries.
    diagnostics.push({ severity: 'error', file: folder.href, message: `reading the boot server failed: ${err instanceof Error ? err.message : String(err)}` });
  }
  return { partition, entries: [], diagnostics };
}
