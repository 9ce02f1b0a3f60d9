// Which entries may boot without the password. With `password` set, the editor and the shell
// are locked, but an entry is a command line too: a YAML menu on a USB stick could name the
// machine's own kernel by UUID with `init=/bin/sh` (petitboot's issue #114 is the editor's
// form of this). So an entry may use only files of the disk its config lives on, unless the
// settings trust that config's partition (`trusted:`, by UUID, PARTUUID or label) or the
// config is the image's own (settings.menus). Anything else stays in the menu with the reason
// and boots only with the password, never by itself. Every format goes through here: the rule
// looks at the partitions the entry's resources resolve to, whatever the config said.
//
// An identifier on a disk is whatever whoever made the disk wrote there: a stick can copy the
// UUID or label of a partition of the machine. So an identifier that names more than one
// partition present trusts nothing (a trusted source with a twin is not trusted while the
// twin is there), and a file named by an identifier that more than one partition carries
// needs the password even in a trusted config: the copy could be the one that answers.
//
// A boot server's entries (src/net) are as untrusted as a stick: anyone on the network can
// answer DHCP and name a server of theirs. With a password, such an entry boots by itself only
// when its config and every file it downloads are on a server the settings trust (`server:`
// an address, any protocol and port; `url:` a folder and everything under it).
import type { ReadablePartition } from '../../fs/files';
import type { BootEntry, ParsedEntry, PartitionSelector, Resource } from '../model';
import { describeSelector, locatePartition } from './resolve';

/** A partition the settings trust: its configs may name files anywhere. */
export type TrustedPartition = Extract<PartitionSelector, { by: 'uuid' | 'partuuid' | 'label' }>;
/** A boot server the settings trust: by its address, or a `tftp://` / `http://` folder. */
export type TrustedServer = { readonly by: 'server'; readonly value: string } | { readonly by: 'url'; readonly value: string };
export type TrustedSource = TrustedPartition | TrustedServer;

const isServer = (t: TrustedSource): t is TrustedServer => t.by === 'server' || t.by === 'url';

/** What the rule needs of the settings. */
export interface TrustSettings {
  /** The settings' password hash: without one every entry boots as its config says. */
  readonly password?: string;
  readonly trusted?: readonly TrustedSource[];
}

/** Where a config was read: a partition of the machine's, or one of the image's own menu folders. */
export type ConfigOrigin = 'disk' | 'image';

/**
 * The disk a partition is on, from its kernel name (the kernel's own naming rule,
 * block/partitions/core.c: a disk whose name ends in a digit gets `p` before the partition
 * number, `nvme0n1p2`, `mmcblk0p1`; others get the number alone, `sda1`, `vdb2`). Devices
 * whose names end in a digit but hold no partition table of that form are disks of their own.
 */
export function diskOf(name: string): string {
  if (/^(loop|sr|nbd|md|ram|zram|dm-|mtdblock|ubiblock|rbd|fd)\d+$/.test(name)) return name;
  const p = /^(.*\d)p\d+$/.exec(name);
  if (p) return p[1]!;
  const n = /^(sd|vd|hd|xvd|ubd)([a-z]+)\d+$/.exec(name);
  return n ? `${n[1]}${n[2]}` : name;
}

const same = (a: ReadablePartition, b: ReadablePartition): boolean => a.root === b.root;

/** Whether `part` carries the identifier `sel` names (locatePartition's own matching). */
function carries(part: ReadablePartition, sel: PartitionSelector): boolean {
  const found = locatePartition(sel, part, []);
  return found.ok && sel.by !== 'self';
}

function names(parts: readonly ReadablePartition[]): string {
  return parts.map((p) => p.info.name).join(', ');
}

/** Whether the settings trust `self`, or why not; undefined when they do not name it at all. */
function trustOf(self: ReadablePartition, present: readonly ReadablePartition[], trusted: readonly TrustedSource[]): { ok: true } | { ok: false; why?: string } {
  for (const t of trusted) {
    if (isServer(t) || !carries(self, t)) continue;
    const twins = present.filter((p) => !same(p, self) && carries(p, t));
    if (twins.length > 0) return { ok: false, why: `the trusted ${describeSelector(t)} is also on ${names(twins)}, so neither is trusted while both are present` };
    return { ok: true };
  }
  return { ok: false };
}

/** An entry's files, with what each is for. */
function resources(e: ParsedEntry): [string, Resource][] {
  const out: [string, Resource][] = [['kernel', e.kernel]];
  for (const r of e.initrds) out.push(['initrd', r]);
  if (e.devicetree) out.push([e.devicetree.kind === 'file' ? 'device tree' : 'device tree folder', e.devicetree.resource]);
  for (const r of e.overlays) out.push(['overlay', r]);
  return out;
}

/**
 * Why `entry`, read from a config on `self`, needs the password to boot; undefined when it
 * may boot by itself. `present` are the partitions its resources resolve against.
 */
export function passwordReason(entry: ParsedEntry, self: ReadablePartition, present: readonly ReadablePartition[], settings: TrustSettings, origin: ConfigOrigin): string | undefined {
  if (settings.password === undefined) return undefined;
  const trust = origin === 'image' ? ({ ok: true } as const) : trustOf(self, present, settings.trusted ?? []);
  for (const [what, r] of resources(entry)) {
    if (r.partition.by === 'self') continue;
    const where = locatePartition(r.partition, self, present);
    if (!where.ok || same(where.partition, self)) continue; // not there (it cannot boot), or its own partition
    const part = where.partition;
    const twins = present.filter((p) => !same(p, part) && !same(p, self) && carries(p, r.partition));
    if (twins.length > 0) return `${what} ${r.path}: ${describeSelector(r.partition)} names more than one partition here (${names([part, ...twins])}); a copy may be the one that answers`;
    if (trust.ok) continue;
    if (origin === 'disk' && diskOf(part.info.name) === diskOf(self.info.name)) continue;
    const why = trust.why ?? `the settings do not trust ${self.info.name} (trusted:)`;
    return `${what} ${r.path} is on ${part.info.name}, another disk than its config's partition ${self.info.name}; ${why}`;
  }
  return undefined;
}

/** `entry` with the rule applied: `needsPassword` and a note saying why, when it applies. */
export function withTrust<E extends ParsedEntry & { readonly resolution: { readonly ok: boolean } }>(
  entry: E,
  self: ReadablePartition,
  present: readonly ReadablePartition[],
  settings: TrustSettings,
  origin: ConfigOrigin,
): E & { readonly needsPassword?: string } {
  return marked(entry, entry.resolution.ok ? passwordReason(entry, self, present, settings, origin) : undefined);
}

/** The one way an entry is marked: `needsPassword` and a note saying why. */
function marked<E extends ParsedEntry>(entry: E, why: string | undefined): E & { readonly needsPassword?: string } {
  return why === undefined ? entry : { ...entry, needsPassword: why, notes: [...entry.notes, `Boots only with the password: ${why}.`] };
}

const DEFAULT_PORT: Readonly<Record<string, string>> = { 'http:': '80', 'tftp:': '69' };

/** A URL as its server sees it: protocol, host, port, the decoded path's segments, and whether one is `.` or `..` (no folder vouches for that path). */
function served(href: string): { protocol: string; host: string; port: string; segments: string[]; dotted: boolean } | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname); // what the TFTP client sends (fetch.ts)
  } catch {
    return undefined;
  }
  const segments = path.split(/[/\\]/).filter((s) => s !== '');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return { protocol: url.protocol, host, port: url.port || (DEFAULT_PORT[url.protocol] ?? ''), segments, dotted: segments.some((s) => s === '.' || s === '..') };
}

/** The host a `server:` value names (an IPv6 address with or without brackets), or undefined. */
function serverHost(value: string): string | undefined {
  if (/[/@?#\s]/.test(value)) return undefined;
  return served(`http://${value.includes(':') && !value.startsWith('[') ? `[${value}]` : value}/`)?.host || undefined;
}

/** Why a `trusted:` server entry cannot be used, or undefined (the settings reader reports it). */
export function trustedServerProblem(t: TrustedServer): string | undefined {
  if (t.by === 'server') return serverHost(t.value) ? undefined : `'${t.value}' is not a server address (give an address or host name, without protocol, port or path)`;
  const s = served(t.value);
  return s && !s.dotted && (s.protocol === 'tftp:' || s.protocol === 'http:') && s.host !== '' && !/[?#]/.test(t.value) ? undefined : `'${t.value}' is not a tftp:// or http:// folder URL`;
}

/** Whether `t` vouches for the download `href`. */
function vouches(t: TrustedServer, href: string): boolean {
  const got = served(href);
  if (!got) return false;
  if (t.by === 'server') return got.host === serverHost(t.value);
  const folder = served(t.value);
  if (!folder || got.dotted || folder.protocol !== got.protocol || folder.host !== got.host || folder.port !== got.port) return false;
  return folder.segments.every((s, i) => got.segments[i] === s);
}

/**
 * Why a boot server's entry needs the password to boot, or undefined. `config` is the config
 * the lookup found (the entry's own file may be one it includes); every URL the entry was read
 * from or downloads must be on a server the settings trust.
 */
export function serverPasswordReason(entry: BootEntry, config: string | undefined, settings: TrustSettings): string | undefined {
  if (settings.password === undefined || !entry.resolution.ok) return undefined;
  const f = entry.resolution.files;
  const urls: [string, string | undefined][] = [
    ['config', config],
    ['config', entry.source.file],
    ['kernel', f.kernel],
    ...f.initrds.map((u) => ['initrd', u] as [string, string]),
    ...(f.devicetree ? [['device tree', f.devicetree.path] as [string, string]] : []),
    ...f.overlays.map((u) => ['overlay', u] as [string, string]),
  ];
  const servers = (settings.trusted ?? []).filter(isServer);
  for (const [what, href] of urls) {
    if (href === undefined || servers.some((t) => vouches(t, href))) continue;
    const host = served(href)?.host;
    const hint = host ? `trusted: { server: ${host} } or a url: folder` : 'trusted: server or url';
    return `${what} ${href} is on a boot server the settings do not trust (${hint}); anyone on the network can answer DHCP`;
  }
  return undefined;
}

/** A boot server's entry with the rule applied, as withTrust does for a disk's. */
export function withServerTrust<E extends BootEntry>(entry: E, config: string | undefined, settings: TrustSettings): E & { readonly needsPassword?: string } {
  return marked(entry, serverPasswordReason(entry, config, settings));
}
