// The menu's view of the network, shaped like src/disks/provider.ts: the image's udhcpc script
// (rootfs-overlay/usr/libexec/kexec-menu/) writes one IFACE.lease per interface that got a
// lease and one IFACE.status line per interface saying how it went, each replaced whole by a
// rename, into /run/kexec-menu/net. This watches that folder; each lease is looked up on its
// boot server in the background (source.ts, bounded by a deadline), and its entries join the
// menu when the lookup is over. Nothing here ever waits for the network: the menu asks for
// what is known now, and hears when more is. The first round is "settled" once every
// interface has its lease looked up or has given up, and in any case after a bound (each
// interface's lease timeout plus the lookup deadline): the countdown waits for it only when
// its default may come from a boot server (src/ui/countdown.ts).
import { type FSWatcher, existsSync, mkdirSync, readFileSync, readdirSync, watch } from 'node:fs';
import { spawn } from 'node:child_process';
import type { BootEntry } from '../entries/model';
import type { MachineContext } from '../machine/context';
import type { NetworkSettings } from '../settings/settings';
import { fetchEntryFiles, isRemoteEntry, type DownloadProgress, type FetchedEntry } from './boot-files';
import type { MemfdSys } from './download';
import { bootServerOf, parseLease, targetOf } from './lease';
import { scanNetwork, type NetScan } from './source';

/** Where the image's scripts hand over leases and status lines. */
export const NET_STATE_DIR = '/run/kexec-menu/net';
/** The image's bring-up script: `network-up TIMEOUT [INTERFACE-GLOB...]`. */
export const NETWORK_UP = '/usr/libexec/kexec-menu/network-up';
/** One boot server lookup (configs and their includes) ends by then, whatever the server does. */
export const LOOKUP_MS = 20_000;
/** network-up waits up to 5 s for a carrier, then udhcpc up to the timeout (rounded up to its 2 s tries), then the script. */
const LINK_WAIT_S = 5;
const DHCP_SLACK_S = 3;

/**
 * How long the first round may take in all, whatever the scripts do: the interfaces come up
 * side by side, each within its link wait and lease timeout, and each lease's lookup ends by
 * its deadline. `leaseTimeout` is the settings' network.timeout (seconds).
 */
export function settleBoundMs(leaseTimeout: number, lookupMs = LOOKUP_MS): number {
  return (LINK_WAIT_S + leaseTimeout + DHCP_SLACK_S) * 1000 + lookupMs;
}
/** A lease or status file is a few hundred bytes; more is not one of ours. */
const MAX_STATE_BYTES = 64 * 1024;

export interface NetworkProvider {
  /** The finished lookups, one per interface with a lease, by interface name. */
  scans(): readonly NetScan[];
  /** Interfaces still waiting for a link, a lease or their boot server ("network eth0"). */
  pending(): readonly string[];
  /** Whether the first round is over: no interface pending (and, with a bring-up, one has reported), or the bound passed. */
  isSettled(): boolean;
  /** Called once, when the first round is over (not if it was over already). */
  onSettled(fn: () => void): void;
  /** Something changed (a lookup ended, a lease went); `note` says what, for the status line. */
  onChange(fn: (note?: string) => void): void;
  /** The scripts' status lines and the lookups' diagnostics, for the log. */
  onLog(fn: (line: string) => void): void;
  /** Whether an entry's files are on a boot server (checked only once downloaded). */
  isRemote(entry: BootEntry): boolean;
  /** Downloads a boot server entry's files into memfds (undefined for a disk's entry). */
  fetchFiles(entry: BootEntry, sys: () => MemfdSys, progress: (p: DownloadProgress) => void): Promise<FetchedEntry | undefined>;
  close(): void;
}

export interface NetworkOptions {
  readonly machine: MachineContext;
  readonly dir?: string;
  readonly lookupMs?: number;
  /** How long one request may go unanswered before it is sent again or given up. */
  readonly idleMs?: number;
  /** Starts the bring-up; undefined: only watch (tests write the files themselves). */
  readonly start?: () => void;
  /** The settings' network.timeout (seconds): with lookupMs, the first round's bound (settleBoundMs). */
  readonly leaseTimeout?: number;
  /** The bound itself, instead (tests). */
  readonly boundMs?: number;
}

interface InterfaceState {
  /** The lease text the current scan (or the lookup under way) belongs to. */
  lease?: string;
  scan?: NetScan;
  looking: boolean;
  status?: string;
}

/** `STATE SENTENCE`: waiting states keep the interface pending. */
function statusState(line: string): string {
  return line.split(' ', 1)[0] ?? '';
}
const WAITING = new Set(['link', 'dhcp']);

function readSmall(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > MAX_STATE_BYTES ? undefined : text;
  } catch {
    return undefined; // renamed away between readdir and read: the next event reads the new one
  }
}

/** The scan with its heading naming the interface ("tftp://10.0.2.2 · tftp · network eth0"). */
function labelled(scan: NetScan, iface: string): NetScan {
  const partition = { ...scan.partition, partlabel: `network ${iface}` };
  return { ...scan, partition, entries: scan.entries.map((e) => ({ ...e, partition })) };
}

export function watchNetwork(options: NetworkOptions): NetworkProvider {
  const dir = options.dir ?? NET_STATE_DIR;
  const states = new Map<string, InterfaceState>();
  const changeFns: ((note?: string) => void)[] = [];
  const logFns: ((line: string) => void)[] = [];
  const log = (line: string): void => logFns.forEach((f) => f(line));
  const settledFns: (() => void)[] = [];
  let settled = false;
  /** Whether a status or lease file was read: until then a bring-up that was started has said nothing. */
  let reported = false;
  const pending = (): string[] =>
    [...states.keys()].sort().filter((i) => {
      const s = states.get(i)!;
      return s.looking || (s.lease === undefined && s.status !== undefined && WAITING.has(statusState(s.status)));
    }).map((i) => `network ${i}`);
  const settle = (): void => {
    if (settled || closed) return;
    settled = true;
    clearTimeout(bound);
    settledFns.forEach((f) => f());
  };
  const changed = (note?: string): void => {
    changeFns.forEach((f) => f(note));
    if ((reported || !options.start) && pending().length === 0) settle();
  };
  const boundMs = options.boundMs ?? settleBoundMs(options.leaseTimeout ?? 10, options.lookupMs ?? LOOKUP_MS);
  const bound = setTimeout(() => {
    if (settled) return;
    log(`network: the first DHCP leases and lookups did not all end within ${boundMs / 1000} s (still waiting: ${pending().join(', ') || 'no interface has reported'}); the countdown waits no longer`);
    settle();
  }, boundMs);
  bound.unref();
  let closed = false;
  let watcher: FSWatcher | undefined;
  let poll: NodeJS.Timeout | undefined;
  let queued: NodeJS.Timeout | undefined;

  const state = (iface: string): InterfaceState => {
    let s = states.get(iface);
    if (!s) states.set(iface, (s = { looking: false }));
    return s;
  };

  const lookUp = (iface: string, text: string): void => {
    const s = state(iface);
    s.lease = text;
    const lease = parseLease(text);
    const target = lease ? targetOf({ ...lease, interface: iface }) : 'the lease has no address';
    if (typeof target === 'string') {
      s.scan = undefined;
      log(`network ${iface}: ${target}; no boot server is read`);
      changed();
      return;
    }
    s.looking = true;
    log(`network ${iface}: lease ${lease!.ip} (boot server ${bootServerOf(lease!) ?? target.folder.href}); looking up ${target.folder.href}`);
    changed();
    const deadline = Date.now() + (options.lookupMs ?? LOOKUP_MS);
    const lookup = { folder: target.folder, identity: target.identity, deadline, ...(target.configFile !== undefined ? { configFile: target.configFile } : {}), ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}) };
    void scanNetwork(lookup, options.machine).then((scan) => {
      // A newer lease (or none) replaced this one while it was looked up: its own lookup reports.
      if (closed || s.lease !== text) return;
      s.looking = false;
      s.scan = labelled(scan, iface);
      for (const d of scan.diagnostics) log(`${d.severity}: ${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}`);
      const found = scan.config ? `${scan.entries.length} ${scan.entries.length === 1 ? 'entry' : 'entries'} from ${scan.config}` : 'no boot config';
      log(`network ${iface}: ${found}`);
      changed(`Network ${iface}: ${found}.`);
    });
  };

  const read = (): void => {
    queued = undefined;
    if (closed) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    const leases = new Set<string>();
    for (const name of names.sort()) {
      const m = /^([^.][^/]*)\.(lease|status)$/.exec(name);
      if (!m) continue;
      const [, iface, kind] = m as unknown as [string, string, string];
      const text = readSmall(`${dir}/${name}`);
      if (text === undefined) continue;
      reported = true;
      const s = state(iface);
      if (kind === 'status') {
        const line = text.trim();
        if (line !== s.status) {
          s.status = line;
          log(`network ${iface}: ${line.slice(statusState(line).length).trim()}`);
          changed();
        }
      } else {
        leases.add(iface);
        if (text !== s.lease) lookUp(iface, text);
      }
    }
    // A lease file that went away takes its entries with it.
    for (const [iface, s] of states) {
      if (s.lease !== undefined && !leases.has(iface)) {
        s.lease = undefined;
        s.scan = undefined;
        s.looking = false;
        changed(`Network ${iface}: the lease is gone.`);
      }
    }
  };
  // Renames come in bursts (status, then lease): one read for each burst.
  const schedule = (): void => {
    if (!closed && queued === undefined) queued = setTimeout(read, 20);
  };

  try {
    mkdirSync(dir, { recursive: true });
    watcher = watch(dir, schedule);
    watcher.on('error', (err) => log(`network: watching ${dir} stopped (${err.message}); reading it every second`));
  } catch (err) {
    log(`network: ${dir} cannot be watched (${err instanceof Error ? err.message : String(err)}); reading it every second`);
  }
  if (!watcher) poll = setInterval(schedule, 1000);
  poll?.unref();
  read();
  try {
    options.start?.();
  } catch (err) {
    log(`network: the bring-up did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
  if ((reported || !options.start) && pending().length === 0) settle();

  return {
    scans: () => [...states.keys()].sort().flatMap((i) => (states.get(i)!.scan ? [states.get(i)!.scan!] : [])),
    pending,
    isSettled: () => settled,
    onSettled: (fn) => void settledFns.push(fn),
    onChange: (fn) => void changeFns.push(fn),
    onLog: (fn) => void logFns.push(fn),
    isRemote: isRemoteEntry,
    fetchFiles: (entry, sys, progress) => fetchEntryFiles(entry, sys, progress),
    close: () => {
      closed = true;
      clearTimeout(bound);
      watcher?.close();
      if (poll) clearInterval(poll);
      if (queued) clearTimeout(queued);
    },
  };
}

/**
 * The image's bring-up, started once per menu (the script itself runs once per boot): it
 * returns at once, udhcpc works in the background. Where the script is not (a workstation),
 * nothing starts and the folder is only watched.
 */
export function startNetworkUp(settings: NetworkSettings, script = NETWORK_UP): (() => void) | undefined {
  if (!existsSync(script)) return undefined;
  return () => {
    const child = spawn(script, [String(settings.timeout), ...settings.interfaces], { detached: true, stdio: 'ignore' });
    child.on('error', () => {}); // the status files say what happened; a missing shell says nothing here
    child.unref();
  };
}
