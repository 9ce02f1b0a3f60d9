// Where `default: @saved` keeps the last choice on a machine without EFI variables: only on the
// partition the settings name as the menu's own state store (`state: { label: KEXEC-STATE }`),
// never anywhere else. It is the one partition kexec-menu ever mounts read-write (mount.ts
// mounts every other one read-only, on a read-only device, and never this one), and only for
// as long as it takes: mounted read-only to read the file once, mounted read-write only just
// before a hand-over to replace it, unmounted right after. In the menu the partition is taken
// from the disk discovery's devices (the Mounter leaves it alone as the state store): the
// store reads no device of its own there. The file holds the three values of systemd-boot's
// variables (LoaderEntryOneShot, LoaderEntryDefault, LoaderEntryLastBooted) as one small JSON
// object, replaced atomically (written beside, fsync'd, renamed over, the folder fsync'd).
// Two partitions with the label are refused (neither is used): the store must be unmistakable.
import { closeSync, constants, fsyncSync, mkdirSync, openSync, renameSync, rmdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ChoiceStore, SavedChoice } from '../machine/saved-choice';
import { machineChoiceStore } from '../machine/saved-choice';
import { EFIVARFS, SAVED_VARIABLES, type SavedVariable } from '../machine/efivars';
import type { StateSettings } from '../settings/settings';
import { FileReadError, readRegularFile } from '../fs/regular-file';
import type { DeviceState } from './discovery';
import { type BlockDevice, type EnumerateOptions, listBlockDevices } from './enumerate';
import { identifyPath } from './identify';
import { DEFAULT_BASE_DIR, MOUNT_FLAGS, type MountSys } from './mount';

/** The file at the top of the state partition. */
export const STATE_FILE = 'kexec-menu-state.json';
/** Larger is not a state file (three entry ids); refusing it bounds the read. */
const MAX_STATE_BYTES = 16384;
/** mount.ts's flags (ro, nosuid, nodev, noexec) less MS_RDONLY for a write. */
const MS_RDONLY = 1;
const MNT_DETACH = 2;
/** The file systems a state partition may have, and the drivers tried for each (ext4 serves ext2/3 too). */
const DRIVERS: Readonly<Record<string, readonly string[]>> = { vfat: ['vfat'], ext2: ['ext2', 'ext4'], ext3: ['ext3', 'ext4'], ext4: ['ext4'] };

export interface StateStoreOptions extends EnumerateOptions {
  readonly label: string;
  readonly sys?: Pick<MountSys, 'mount' | 'umount2' | 'insideImage'>;
  /** Where its mount point is made (`.state-PID`). Default /run/kexec-menu. */
  readonly baseDir?: string;
  /** Which devices are looked at (tests: their own loop devices). Default: all. */
  readonly accept?: (device: BlockDevice) => boolean;
  /** Whether it may be mounted: undefined to allow, or the reason not to. Default: inside the image only. */
  readonly allow?: (device: BlockDevice) => string | undefined;
  readonly pid?: number;
}

type Values = Partial<Record<SavedVariable, string>>;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The values of a state file's text; a sentence when it is not one. */
export function parseStateFile(text: string): Values | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return `it is not JSON (${messageOf(err)})`;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'it is not a JSON object';
  const values: Values = {};
  for (const name of SAVED_VARIABLES) {
    const v = (data as Record<string, unknown>)[name];
    if (typeof v === 'string' && v !== '') values[name] = v;
  }
  return values;
}

/** A state file's text: the values in systemd-boot's order, one a line. */
export function formatStateFile(values: Values): string {
  const out: Values = {};
  for (const name of SAVED_VARIABLES) if (values[name] !== undefined) out[name] = values[name];
  return JSON.stringify(out, null, 1) + '\n';
}

/** Reads `file` if it is a regular file of at most MAX_STATE_BYTES; undefined when it is not there. */
function readStateFile(file: string): string | undefined {
  const read = readRegularFile(file, MAX_STATE_BYTES);
  if (read.ok) return read.bytes.toString('utf8');
  if (read.reason === 'missing') return undefined;
  throw new FileReadError(file, read, MAX_STATE_BYTES);
}

/** Replaces `file` atomically: the new text beside it, fsync'd, renamed over it, the folder fsync'd. */
function writeStateFile(file: string, text: string): void {
  const next = `${file}.new`;
  const fd = openSync(next, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    const data = Buffer.from(text);
    if (writeSync(fd, data) !== data.length) throw new Error(`${next}: short write`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(next, file);
  const dir = openSync(join(file, '..'), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** The system-call module, loaded when first needed (it brings koffi). */
function defaultSys(): Pick<MountSys, 'mount' | 'umount2' | 'insideImage'> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../sys') as typeof import('../sys')).system;
}

type Found = { device: BlockDevice; fstype: string };

/** The one candidate carrying `label`, or why there is none to use. */
function onlyCandidate(label: string, found: readonly Found[]): Found | string {
  const what = `the state partition (label ${JSON.stringify(label)})`;
  if (found.length === 0) return `${what} is not present`;
  if (found.length > 1) return `${found.length} partitions carry the label ${JSON.stringify(label)} (${found.map((f) => f.device.path).join(', ')}); the state store must be one, so none is used`;
  const only = found[0]!;
  if (!DRIVERS[only.fstype]) return `${what} on ${only.device.path} is ${only.fstype}; a state partition must be vfat or ext2/3/4`;
  return only;
}

/**
 * The state partition: the one device whose file system has the label, or why there is none to
 * use. Reads every block device (for a command that reads the disks once); the menu takes it
 * from its disk discovery instead (statePartitionIn).
 */
export function findStatePartition(o: StateStoreOptions): Found | string {
  const accept = o.accept ?? (() => true);
  const found: Found[] = [];
  for (const device of listBlockDevices(o).devices.filter(accept)) {
    if (device.kind === 'disk' && device.hasPartitions) continue;
    const id = identifyPath(device.path, device.size);
    if (id.type !== 'unknown' && id.label === o.label) found.push({ device, fstype: id.type });
  }
  return onlyCandidate(o.label, found);
}

/** What a disk discovery knows of the devices (DiskDiscovery): the state store looks there, reading no device itself. */
export interface StateDevices {
  states(): readonly DeviceState[];
}

/**
 * The state partition among the devices a discovery has identified (its Mounter leaves the one
 * with the settings' label unmounted as the state store), or why there is none to use.
 */
export function statePartitionIn(states: readonly DeviceState[], label: string): Found | string {
  const found: Found[] = [];
  for (const s of states) if (s.identity.type !== 'unknown' && s.identity.label === label) found.push({ device: s.device, fstype: s.identity.type });
  return onlyCandidate(label, found);
}

/** Mounts the state partition `found` at a folder of this process's own, runs `fn` there, unmounts. */
function withStateMount<T>(o: StateStoreOptions, found: Found, writable: boolean, fn: (dir: string) => T): T {
  const sys = o.sys ?? defaultSys();
  const refused = o.allow ? o.allow(found.device) : sys.insideImage() ? undefined : 'outside the kexec-menu image the state partition is not mounted';
  if (refused !== undefined) throw new Error(refused);
  const target = join(o.baseDir ?? DEFAULT_BASE_DIR, `.state-${o.pid ?? process.pid}`);
  mkdirSync(target, { recursive: true });
  try {
    const flags = writable ? MOUNT_FLAGS & ~MS_RDONLY : MOUNT_FLAGS;
    let mounted = false;
    let last: unknown;
    for (const fstype of DRIVERS[found.fstype]!) {
      try {
        sys.mount(found.device.path, target, fstype, flags, null);
        mounted = true;
        break;
      } catch (err) {
        last = err;
        if ((err as { code?: string }).code !== 'ENODEV') break;
      }
    }
    // EBUSY for a read: mounted read-write elsewhere this moment (another menu replacing the
    // file). A read is never made read-write: it says so instead.
    if (!mounted && !writable && (last as { code?: string }).code === 'EBUSY') {
      throw new Error(`${found.device.path} could not be mounted read-only: it is mounted read-write elsewhere (EBUSY), so the last choice is not read (a read never mounts it read-write)`);
    }
    if (!mounted) throw new Error(`${found.device.path} could not be mounted ${writable ? 'read-write' : 'read-only'}: ${messageOf(last)}`);
    try {
      return fn(target);
    } finally {
      try {
        sys.umount2(target, 0);
      } catch {
        sys.umount2(target, MNT_DETACH);
      }
    }
  } finally {
    try {
      rmdirSync(target);
    } catch {
      /* still a mount point (detached) or gone */
    }
  }
}

/** A state store that can be told to take its partition from a disk discovery (takeDevicesFrom). */
const followers = new WeakMap<ChoiceStore, (devices: StateDevices) => void>();

/**
 * The menu's store takes its partition from `devices` (its DiskDiscovery) from now on: no device
 * is read to find it, at a rebuild or at the hand-over. A store of another kind is left as it is.
 */
export function takeDevicesFrom(store: ChoiceStore, devices: StateDevices): void {
  followers.get(store)?.(devices);
}

/**
 * The last choice in the state partition labelled `o.label`. `read()` looks for it until it is
 * found (disks arrive after the menu starts) and then keeps what it read; `booted(id)` writes
 * the file only when a value changes. Where it looks: every block device, read here, until
 * takeDevicesFrom gives it a discovery; then that discovery's identified devices only.
 */
export function stateChoiceStore(o: StateStoreOptions): ChoiceStore {
  let kept: SavedChoice | undefined;
  let devices: StateDevices | undefined;
  const find = (): Found | string => (devices ? statePartitionIn(devices.states(), o.label) : findStatePartition(o));
  const where = (device?: BlockDevice) => `the state partition ${JSON.stringify(o.label)} (${device ? `${device.path}, ` : ''}${STATE_FILE})`;
  const valuesIn = (dir: string): Values => {
    const text = readStateFile(join(dir, STATE_FILE));
    if (text === undefined) return {};
    const v = parseStateFile(text);
    if (typeof v === 'string') throw new Error(`${STATE_FILE}: ${v}`);
    return v;
  };
  const store: ChoiceStore = {
    read() {
      if (kept) return kept;
      // Not there (yet): looked for again at the next read (in the discovery's devices: no read of a device).
      const found = find();
      if (typeof found === 'string') return { values: {}, where: where(), notes: [found] };
      // There: what it holds, or why it could not be read, is kept (no mount at every rebuild).
      try {
        kept = withStateMount(o, found, false, (dir) => ({ values: valuesIn(dir), where: where(found.device) }));
      } catch (err) {
        kept = { values: {}, where: where(found.device), notes: [messageOf(err)] };
      }
      return kept;
    },
    booted(id) {
      // Nothing to change (as read at start): the partition is not even mounted.
      if (kept && kept.values.LoaderEntryOneShot === undefined && kept.values.LoaderEntryLastBooted === id) return;
      const found = find();
      if (typeof found === 'string') throw new Error(found);
      withStateMount(o, found, true, (dir) => {
        let values: Values;
        try {
          values = valuesIn(dir);
        } catch {
          values = {}; // a damaged file is replaced
        }
        const next: Values = { ...values, LoaderEntryLastBooted: id };
        delete next.LoaderEntryOneShot;
        if (formatStateFile(next) !== formatStateFile(values)) writeStateFile(join(dir, STATE_FILE), formatStateFile(next));
        kept = { values: next, where: where(found.device) };
      });
    },
  };
  followers.set(store, (d) => (devices = d));
  return store;
}

/**
 * Where this machine keeps the last choice: its EFI variables when it has them, else the state
 * partition the settings name, else nowhere (undefined).
 */
export function choiceStoreFor(settings: { readonly state?: StateSettings }, efivars: string = EFIVARFS): ChoiceStore | undefined {
  return machineChoiceStore(efivars) ?? (settings.state ? stateChoiceStore({ label: settings.state.label }) : undefined);
}
