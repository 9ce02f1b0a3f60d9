// Disk discovery: finds block devices (enumerate), identifies each (identify), mounts the
// recognised ones read-only (mount) and offers them as ReadablePartitions for the readers.
// It keeps doing so while the menu is up: USB sticks and SD cards that arrive are scanned
// and added, those that leave are unmounted and dropped — always as events:
//
//   scan-started ()                    a scan begins: scanningDevices() lists what it will look at
//   device-probed (state)              one device looked at (scanningDevices() no longer lists it)
//   partition-added (part, state)      mounted (or found mounted) and readable
//   partition-removed (part, state)    gone, or replaced by other media; unmounted
//   partition-failed (state, reason)   a recognised file system that could not be mounted
//   scan-finished (partitions)         the partitions present now
//   watch-fallback (reason)            inotify is not available: polling /proc/partitions
//
// What triggers a rescan: device nodes appearing or disappearing in /dev (devtmpfs, watched
// with chokidar through inotify), and changes in /proc/partitions, polled every few
// seconds: it also catches what /dev does not show (media taken out of a card reader leaves
// /dev/sdb, only its size drops to 0), and it is the only trigger where inotify is missing.
// Bursts (a disk and its partitions) are debounced into one scan.
//
// A scan never holds the event loop for more than one device: before each, it waits (off
// the main thread) for the device's first blocks, so a disk spinning up or a slow card
// keeps nobody from the menu, which is drawn first and lists what is still being scanned.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Diagnostic } from '../fs/diagnostic';
import type { ReadablePartition } from '../fs/files';
import { withFileSource } from './superblocks/byte-source';
import { DirectoryFiles } from '../fs/directory-files';
import { type BlockDevice, type EnumerateOptions, type SkippedDevice, listBlockDevices } from './enumerate';
import { type Identity, UNKNOWN, identifySource } from './identify';
import { type MountOutcome, Mounter, type MounterOptions } from './mount';
import { readPartitionIds } from './partition-ids';

/** Everything known about one device after a scan. */
export interface DeviceState {
  readonly device: BlockDevice;
  readonly identity: Identity;
  /** Why the device could not be read at all (open or read failed). */
  readonly readError?: string;
  /** Set on a removed device whose mount could not be taken away. */
  readonly unmountError?: string;
  readonly mount: MountOutcome | { readonly state: 'not-probed'; readonly reason: string };
  /** Present when its files can be read. */
  readonly partition?: ReadablePartition;
}

export interface DiscoveryOptions extends EnumerateOptions, MounterOptions {
  /** Which devices to consider at all (tests pass their own loop devices). Default: all. */
  readonly accept?: (device: BlockDevice) => boolean;
  /** Mount what is recognised (default). False: identify only, report existing mounts. */
  readonly mount?: boolean;
  /** Quiet time before a rescan after a change, in ms. */
  readonly debounceMs?: number;
  /** How often /proc/partitions is read, in ms. */
  readonly pollMs?: number;
  readonly procPartitions?: string;
  /** Skip inotify and rely on polling alone (machines without inotify; tests). */
  readonly pollOnly?: boolean;
}

export interface DiscoveryEvents {
  'scan-started': [];
  'device-probed': [state: DeviceState];
  'scan-finished': [partitions: readonly ReadablePartition[]];
  'partition-added': [partition: ReadablePartition, state: DeviceState];
  'partition-removed': [partition: ReadablePartition, state: DeviceState];
  'partition-failed': [state: DeviceState, reason: string];
  'watch-fallback': [reason: string];
}

/** What makes a device "the same" across scans; anything else changing means new media. */
function deviceKey(d: BlockDevice): string {
  return [d.devno, d.diskseq ?? '', d.size, d.hasPartitions ? 'p' : '', d.backingFile ?? ''].join('|');
}

/** A whole disk whose partitions the kernel lists: looked at through them, not itself. */
function isPartitionedDisk(d: BlockDevice): boolean {
  return d.kind === 'disk' && d.hasPartitions === true;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Every superblock identify() reads lies in the first 128 KiB but ISO 9660's directories. */
const HEAD_BYTES = 128 * 1024;

/**
 * Reads a device's first blocks through libuv's thread pool: a device that is slow to answer
 * is waited for there, and the synchronous identification after it finds them cached. Errors
 * are left for the identification to report.
 */
async function prefetchHead(path: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, 'r');
    await fh.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
  } catch {
    /* identify() says why */
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Fills PARTUUID/PARTLABEL from the disk's partition table when the kernel's uevent lacks them. */
function withPartitionIds(d: BlockDevice, devices: readonly BlockDevice[]): BlockDevice {
  if (d.kind !== 'partition' || (d.partuuid && d.partlabel !== undefined) || d.partition === undefined || d.start === undefined) return d;
  const disk = devices.find((x) => x.name === d.disk);
  if (!disk) return d;
  try {
    const ids = withFileSource(disk.path, (src) => readPartitionIds(src, d.partition!, d.start!, d.logicalBlockSize), disk.size);
    return {
      ...d,
      ...(!d.partuuid && ids.partuuid ? { partuuid: ids.partuuid } : {}),
      ...(d.partlabel === undefined && ids.partlabel !== undefined ? { partlabel: ids.partlabel } : {}),
    };
  } catch {
    return d;
  }
}

export class DiskDiscovery extends EventEmitter<DiscoveryEvents> {
  readonly mounter: Mounter;
  private readonly options: DiscoveryOptions;
  private readonly known = new Map<string, { key: string; state: DeviceState }>();
  private skippedList: readonly SkippedDevice[] = [];
  private scanning: Promise<void> | undefined;
  /** Devices the scan under way has still to look at, in order. */
  private pending: readonly BlockDevice[] = [];
  private again = false;
  private closed = false;
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private lastPartitions: string | undefined;
  private watcher: { close(): Promise<void> } | undefined;

  constructor(options: DiscoveryOptions = {}) {
    super();
    this.options = options;
    this.mounter = new Mounter(options);
  }

  /** Devices known after the last scan, in kernel name order. */
  states(): DeviceState[] {
    return [...this.known.values()].map((k) => k.state);
  }

  /** Devices left out, with the reason. */
  skipped(): readonly SkippedDevice[] {
    return this.skippedList;
  }

  partitions(): ReadablePartition[] {
    return this.states().flatMap((s) => (s.partition ? [s.partition] : []));
  }

  /** Devices the scan under way has not looked at yet (the menu marks them "scanning..."). */
  scanningDevices(): readonly BlockDevice[] {
    return this.pending.filter((d) => !isPartitionedDisk(d));
  }

  /** Scans now (or once more after the scan under way). */
  scan(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      // Yield first: `scanning` must be set before the scan can finish and clear it.
      await Promise.resolve();
      try {
        do {
          this.again = false;
          await this.scanOnce();
        } while (this.again && !this.closed);
      } finally {
        this.scanning = undefined;
        this.pending = [];
      }
    })();
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    if (this.closed) return;
    const listed = listBlockDevices(this.options);
    const accept = this.options.accept ?? (() => true);
    const devices = listed.devices.filter(accept);
    this.skippedList = listed.skipped;
    const present = new Map(devices.map((d) => [d.name, d]));

    // Gone or changed first, so a new medium in the same slot is mounted afresh.
    for (const [name, k] of [...this.known]) {
      const now = present.get(name);
      if (now && deviceKey(now) === k.key) continue;
      this.known.delete(name);
      const failure = this.mounter.unmount(name, true);
      if (k.state.partition) this.emit('partition-removed', k.state.partition, failure ? { ...k.state, unmountError: failure } : k.state);
    }
    // Devices already scanned stay as they are; one that could not be read, or that found no
    // driver for its file system (still loading beside the menu), is tried again.
    this.pending = devices.filter((d) => {
      const known = this.known.get(d.name);
      if (!known) return true;
      if (known.state.partition) return false;
      return known.state.readError !== undefined || (known.state.mount.state === 'failed' && known.state.mount.noDriver === true);
    });
    this.emit('scan-started');
    // The device at the head of `pending` is the one being looked at; it leaves once probed.
    while (this.pending.length > 0) {
      const d0 = this.pending[0]!;
      if (this.closed) return;
      if (!isPartitionedDisk(d0)) await prefetchHead(d0.path);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.closed) return;
      const device = withPartitionIds(d0, listed.devices);
      const state = await this.probe(device);
      this.known.set(device.name, { key: deviceKey(device), state });
      this.pending = this.pending.slice(1);
      if (state.partition) this.emit('partition-added', state.partition, state);
      else if (state.mount.state === 'failed') this.emit('partition-failed', state, state.mount.reason);
      this.emit('device-probed', state);
    }
    this.emit('scan-finished', this.partitions());
  }

  private async probe(device: BlockDevice): Promise<DeviceState> {
    if (isPartitionedDisk(device)) {
      return { device, identity: UNKNOWN, mount: { state: 'not-probed', reason: 'has a partition table; its partitions are listed' } };
    }
    let identity: Identity;
    try {
      identity = withFileSource(device.path, identifySource, device.size);
    } catch (err) {
      const readError = `could not be read: ${messageOf(err)}`;
      // Mounted by the system already (a developer's own disk, which a sandbox may forbid
      // opening): its files can still be read where they are.
      const existing = this.mounter.existingMount(device);
      if (!existing) return { device, identity: UNKNOWN, readError, mount: { state: 'not-probed', reason: 'unreadable' } };
      const mount: MountOutcome = { state: 'already-mounted', target: existing.mountPoint };
      return { device, identity: UNKNOWN, readError, mount, partition: this.partitionOf(device, UNKNOWN, mount.target, existing.fstype) };
    }
    if (identity.type === 'unknown') return { device, identity, mount: { state: 'not-probed', reason: 'no file system kexec-menu knows' } };
    let mount: MountOutcome;
    if (this.options.mount === false) {
      const existing = this.mounter.existingMount(device);
      mount = existing ? { state: 'already-mounted', target: existing.mountPoint } : { state: 'not-mounted', reason: 'not mounted (identification only)' };
    } else {
      mount = await this.mounter.mount(device, identity);
    }
    const state: DeviceState = { device, identity, mount };
    if (mount.state !== 'mounted' && mount.state !== 'already-mounted') return state;
    return { ...state, partition: this.partitionOf(device, identity, mount.target, identity.type) };
  }

  private partitionOf(device: BlockDevice, identity: Identity, root: string, fstype: string): ReadablePartition {
    const id = identity.type === 'unknown' ? undefined : identity;
    return {
      info: {
        name: device.name,
        device: device.path,
        fstype,
        ...(id?.uuid !== undefined ? { uuid: id.uuid } : {}),
        ...(device.partuuid !== undefined ? { partuuid: device.partuuid } : {}),
        ...(id?.label !== undefined ? { label: id.label } : {}),
        ...(device.partlabel !== undefined ? { partlabel: device.partlabel } : {}),
      },
      root,
      files: new DirectoryFiles(root),
    };
  }

  /** Scans, then follows changes until close(). */
  async start(): Promise<void> {
    await this.scan();
    if (this.closed) return;
    this.startPolling();
    if (!this.options.pollOnly) await this.startWatching();
  }

  private requestScan(): void {
    if (this.closed) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.scan();
    }, this.options.debounceMs ?? 250);
  }

  private readPartitions(): string {
    try {
      return readFileSync(this.options.procPartitions ?? '/proc/partitions', 'utf8');
    } catch {
      return '';
    }
  }

  private startPolling(): void {
    this.lastPartitions = this.readPartitions();
    this.poll = setInterval(() => {
      const now = this.readPartitions();
      if (now === this.lastPartitions) return;
      this.lastPartitions = now;
      this.requestScan();
    }, this.options.pollMs ?? 2000);
  }

  /** Watches /dev; resolves once the watcher is ready (or has given up), so nothing added after start() is missed. */
  private startWatching(): Promise<void> {
    return new Promise((resolve) => {
      const fallback = (why: string) => {
        const w = this.watcher;
        this.watcher = undefined;
        void w?.close();
        this.emit('watch-fallback', why);
        resolve();
      };
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const chokidar = require('chokidar') as typeof import('chokidar');
        const devRoot = this.options.devRoot ?? '/dev';
        const watcher = chokidar.watch(devRoot, { depth: 0, ignoreInitial: true, persistent: true, ignorePermissionErrors: true, followSymlinks: false });
        watcher.on('add', () => this.requestScan());
        watcher.on('unlink', () => this.requestScan());
        watcher.on('error', (err) => fallback(`watching ${devRoot} failed (${messageOf(err)}); polling /proc/partitions instead`));
        watcher.on('ready', () => resolve());
        this.watcher = watcher;
      } catch (err) {
        fallback(`watching /dev is not possible (${messageOf(err)}); polling /proc/partitions instead`);
      }
    });
  }

  /** Stops following changes and unmounts what was mounted; returns what could not be unmounted. */
  async close(): Promise<string[]> {
    this.closed = true;
    if (this.debounce) clearTimeout(this.debounce);
    if (this.poll) clearInterval(this.poll);
    const w = this.watcher;
    this.watcher = undefined;
    await w?.close();
    await this.scanning;
    return this.mounter.unmountAll();
  }
}

/** One scan of the real disks for a command that reads them once (`list`, `boot`, `disks`). */
export interface DiskScan {
  readonly partitions: readonly ReadablePartition[];
  /** A sentence for each device that could not be read or mounted. */
  readonly diagnostics: readonly Diagnostic[];
  readonly states: readonly DeviceState[];
  readonly skipped: readonly SkippedDevice[];
  /** Unmounts what the scan mounted; returns what could not be unmounted. */
  close(): Promise<string[]>;
}

export function stateDiagnostics(states: readonly DeviceState[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of states) {
    const file = s.device.path;
    if (s.readError) out.push({ severity: s.partition ? 'info' : 'warning', file, message: s.readError });
    else if (s.mount.state === 'failed') out.push({ severity: 'warning', file, message: `${s.identity.type} ${s.mount.reason}` });
    else if (s.mount.state === 'not-mounted') out.push({ severity: 'info', file, message: `${s.identity.type} ${s.mount.reason}` });
  }
  return out;
}

export async function scanDisks(options: DiscoveryOptions = {}): Promise<DiskScan> {
  const discovery = new DiskDiscovery(options);
  await discovery.scan();
  const states = discovery.states();
  return {
    partitions: discovery.partitions(),
    diagnostics: stateDiagnostics(states),
    states,
    skipped: discovery.skipped(),
    close: () => discovery.close(),
  };
}
