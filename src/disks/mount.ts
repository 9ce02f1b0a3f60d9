// Mounts recognised file systems read-only so that no byte of the device changes, and
// unmounts them again (in reverse order) before a kexec or on exit.
//
// For each device: the block device itself is made read-only first (BLKROSET), then it is
// mounted ro,nodev,nosuid,noexec with what each file system needs to skip the writes a
// read-only mount would still make: ext3/ext4 `noload` (no journal replay), xfs
// `norecovery` (no log replay), btrfs `rescue=nologreplay` (`nologreplay` before Linux 5.9),
// f2fs `norecovery` (no roll-forward). With the device read-only, ext4 without `noload`
// would refuse a dirty journal outright; with it, the journal is left for the installed
// system to replay. A failed mount keeps its reason; nothing else stops.
//
// Which devices may be touched: inside the kexec-menu image, all of them. Outside it (a
// developer's machine) mounting or changing a real disk could disturb the running system,
// so nothing is mounted unless the caller's `allow` says so (tests allow their own loop
// devices); file systems the system already mounted are read where they are.
//
// Several menus (one per console port, each its own process) share the folder: each mount
// is claimed (src/fs/claims.ts) in <base>/.owners/<device> by the process that made it. A mount
// another running menu owns is read where it is and never unmounted here; one whose owner
// has ended (a menu that crashed and was respawned) is taken over.
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Claim, dropClaim, takeClaim } from '../fs/claims';
import type { BlockDevice } from './enumerate';
import type { FilesystemIdentity, FilesystemType } from './identify';
import { type MountEntry, readMountinfo } from './mountinfo';

/** The system calls mounting needs (src/sys provides them; tests can wrap them). */
export interface MountSys {
  mount(source: string, target: string, fstype: string, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  setBlockDeviceReadOnly(devicePath: string, readOnly?: boolean): void;
  isBlockDeviceReadOnly(devicePath: string): boolean;
  insideImage(): boolean;
}

export const DEFAULT_BASE_DIR = '/run/kexec-menu';

const MS_RDONLY = 1;
const MS_NOSUID = 2;
const MS_NODEV = 4;
const MS_NOEXEC = 8;
const MNT_DETACH = 2;
export const MOUNT_FLAGS = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

interface Attempt {
  readonly fstype: string;
  readonly data: string;
}

/**
 * How to mount each file system, in order of preference. The next attempt is tried only
 * when the kernel says it lacks the driver (ENODEV) or rejects the option (EINVAL, for the
 * older spelling).
 */
const ATTEMPTS: Readonly<Record<FilesystemType, readonly Attempt[] | string>> = {
  // The ext4 driver serves ext2 and ext3 too (CONFIG_EXT4_USE_FOR_EXT2).
  ext2: [{ fstype: 'ext2', data: '' }, { fstype: 'ext4', data: '' }],
  ext3: [{ fstype: 'ext3', data: 'noload' }, { fstype: 'ext4', data: 'noload' }],
  ext4: [{ fstype: 'ext4', data: 'noload' }],
  ext4dev: [{ fstype: 'ext4', data: 'noload' }],
  jbd: 'it is an external ext3/ext4 journal, not a file system',
  vfat: [{ fstype: 'vfat', data: '' }],
  exfat: [{ fstype: 'exfat', data: '' }],
  iso9660: [{ fstype: 'iso9660', data: '' }],
  btrfs: [{ fstype: 'btrfs', data: 'rescue=nologreplay' }, { fstype: 'btrfs', data: 'nologreplay' }],
  xfs: [{ fstype: 'xfs', data: 'norecovery' }],
  f2fs: [{ fstype: 'f2fs', data: 'norecovery' }],
  squashfs: [{ fstype: 'squashfs', data: '' }],
  // ntfs3 (Linux 5.15+) first, then the old read-only driver (removed in 6.9).
  ntfs: [{ fstype: 'ntfs3', data: '' }, { fstype: 'ntfs', data: '' }],
};

export type MountOutcome =
  /** Mounted by kexec-menu at `target` (unmounted again by unmountAll). */
  | { readonly state: 'mounted'; readonly target: string; readonly fstype: string; readonly options: string }
  /** Already mounted by someone else; read there, never unmounted by kexec-menu. */
  | { readonly state: 'already-mounted'; readonly target: string }
  /**
   * `noDriver`: the kernel said it has no driver for this file system (ENODEV). In the
   * Debian-assembled image the drivers load beside the menu, so a device probed early is
   * tried again by the next scan instead of staying unmounted.
   */
  | { readonly state: 'failed'; readonly reason: string; readonly noDriver?: true }
  | { readonly state: 'not-mounted'; readonly reason: string };

export interface MounterOptions {
  readonly baseDir?: string;
  readonly sys?: MountSys;
  /**
   * Whether kexec-menu may mount this device: undefined to allow, or the reason not to.
   * Default: allowed inside the image only.
   */
  readonly allow?: (device: BlockDevice) => string | undefined;
  readonly mountinfo?: () => readonly MountEntry[];
  /** This menu's process (tests stand in for several). Default: process.pid. */
  readonly pid?: number;
  /** How long to wait for another menu that is mounting the same device. Default 3 s. */
  readonly waitForOtherMs?: number;
  /**
   * The settings' `state.label`: a file system with this label is the menu's own state store
   * (state-store.ts mounts it, read-write, only to read and write the last choice), never
   * mounted here nor scanned for entries.
   */
  readonly stateLabel?: string;
}

interface Owned {
  readonly device: BlockDevice;
  readonly target: string;
  /** kexec-menu set the device read-only and puts it back after unmounting. */
  readonly restoreWritable: boolean;
}

function codeOf(err: unknown): string | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The system-call module, loaded when first needed (it brings koffi). */
function defaultSys(): MountSys {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../sys') as typeof import('../sys')).system;
}

const STATE_STORE = "not mounted: it is the menu's own state store (settings: state.label), read and written only for the last choice";
const OUTSIDE_IMAGE = 'not mounted: outside the kexec-menu image only file systems that are already mounted are read';

export class Mounter {
  readonly baseDir: string;
  private sysValue: MountSys | undefined;
  private readonly allow: (device: BlockDevice) => string | undefined;
  private readonly mountinfo: () => readonly MountEntry[];
  private readonly pid: number;
  private readonly waitForOtherMs: number;
  private readonly stateLabel: string | undefined;
  /** In mount order. */
  private readonly owned: Owned[] = [];

  constructor(options: MounterOptions = {}) {
    this.baseDir = options.baseDir ?? DEFAULT_BASE_DIR;
    this.pid = options.pid ?? process.pid;
    this.waitForOtherMs = options.waitForOtherMs ?? 3000;
    this.stateLabel = options.stateLabel;
    this.sysValue = options.sys;
    this.allow = options.allow ?? ((_) => (this.sys.insideImage() ? undefined : OUTSIDE_IMAGE));
    this.mountinfo = options.mountinfo ?? (() => readMountinfo());
  }

  private get sys(): MountSys {
    return (this.sysValue ??= defaultSys());
  }

  /** Where a device is mounted now with its whole file system visible, if anywhere. */
  existingMount(device: BlockDevice): MountEntry | undefined {
    return this.mountinfo().find((m) => m.devno === device.devno && m.root === '/');
  }

  private ownerFile(device: BlockDevice): string {
    return join(this.baseDir, '.owners', device.name);
  }

  /** Claims the device's mount for this process; the live claim of another menu if it has it. */
  private claim(device: BlockDevice): Claim | undefined {
    try {
      return takeClaim(this.ownerFile(device), this.pid, device.path);
    } catch {
      return undefined; // the folder cannot be written: then mount(2) below fails and says why
    }
  }

  async mount(device: BlockDevice, id: FilesystemIdentity): Promise<MountOutcome> {
    if (this.stateLabel !== undefined && id.label === this.stateLabel) return { state: 'not-mounted', reason: STATE_STORE };
    const existing = this.existingMount(device);
    if (existing) {
      // Under our folder: another running menu's (read there), or a leftover of a menu that
      // has ended, ours to unmount now.
      if (existing.mountPoint.startsWith(this.baseDir + '/') && !this.owned.some((o) => o.target === existing.mountPoint) && this.claim(device) === undefined) {
        this.owned.push({ device, target: existing.mountPoint, restoreWritable: false });
        return { state: 'mounted', target: existing.mountPoint, fstype: existing.fstype, options: existing.readOnly ? 'ro' : 'rw' };
      }
      return { state: 'already-mounted', target: existing.mountPoint };
    }
    const attempts = ATTEMPTS[id.type];
    if (typeof attempts === 'string') return { state: 'not-mounted', reason: `not mounted: ${attempts}` };
    const refused = this.allow(device);
    if (refused !== undefined) return { state: 'not-mounted', reason: refused };
    if (device.name.includes('/') || device.name.startsWith('.')) return { state: 'failed', reason: `not mounted: '${device.name}' is not a usable folder name` };
    const other = this.claim(device);
    if (other) return this.mountedByOther(device, other);

    let restoreWritable = false;
    try {
      if (!this.sys.isBlockDeviceReadOnly(device.path)) {
        this.sys.setBlockDeviceReadOnly(device.path, true);
        restoreWritable = true;
      }
    } catch (err) {
      return { state: 'failed', reason: `not mounted: ${device.path} could not be made read-only (${messageOf(err)})` };
    }
    const target = join(this.baseDir, device.name);
    try {
      mkdirSync(target, { recursive: true });
    } catch (err) {
      this.restore(device, restoreWritable);
      dropClaim(this.ownerFile(device), this.pid);
      return { state: 'failed', reason: `not mounted: the folder ${target} could not be made (${messageOf(err)})` };
    }
    let lastError: unknown;
    for (const a of attempts) {
      try {
        this.sys.mount(device.path, target, a.fstype, MOUNT_FLAGS, a.data === '' ? null : a.data);
        this.owned.push({ device, target, restoreWritable });
        return { state: 'mounted', target, fstype: a.fstype, options: ['ro', 'nodev', 'nosuid', 'noexec', ...(a.data ? [a.data] : [])].join(',') };
      } catch (err) {
        lastError = err;
        const code = codeOf(err);
        if (code !== 'ENODEV' && code !== 'EINVAL') break;
      }
    }
    this.restore(device, restoreWritable);
    removeFolder(target);
    dropClaim(this.ownerFile(device), this.pid);
    return { state: 'failed', reason: mountFailure(id.type, lastError), ...(codeOf(lastError) === 'ENODEV' ? { noDriver: true as const } : {}) };
  }

  /** Another menu is mounting the device right now: its mount is read once it is there. */
  private async mountedByOther(device: BlockDevice, other: Claim): Promise<MountOutcome> {
    for (let waited = 0; ; waited += 20) {
      const m = this.existingMount(device);
      if (m) return { state: 'already-mounted', target: m.mountPoint };
      if (waited >= this.waitForOtherMs) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { state: 'not-mounted', reason: `not mounted: the menu of process ${other.pid} is mounting it and it did not appear within ${this.waitForOtherMs / 1000} s` };
  }

  private restore(device: BlockDevice, restoreWritable: boolean): void {
    if (!restoreWritable) return;
    try {
      this.sys.setBlockDeviceReadOnly(device.path, false);
    } catch {
      /* the device may be gone */
    }
  }

  /** Targets kexec-menu mounted, in mount order. */
  mountedTargets(): string[] {
    return this.owned.map((o) => o.target);
  }

  /**
   * Unmounts what kexec-menu mounted for `deviceName`. `gone`: the device has left, so the
   * mount is detached at once. Returns the failure sentence, if any.
   */
  unmount(deviceName: string, gone = false): string | undefined {
    const i = this.owned.findIndex((o) => o.device.name === deviceName);
    if (i === -1) return undefined;
    const o = this.owned[i]!;
    const failure = this.release(o, gone);
    if (failure === undefined) this.owned.splice(i, 1);
    return failure;
  }

  /** Unmounts everything kexec-menu mounted, last first; returns what could not be unmounted. */
  unmountAll(): string[] {
    const failures: string[] = [];
    for (const o of [...this.owned].reverse()) {
      const failure = this.release(o, false);
      if (failure === undefined) this.owned.splice(this.owned.indexOf(o), 1);
      else failures.push(failure);
    }
    return failures;
  }

  private release(o: Owned, gone: boolean): string | undefined {
    try {
      this.sys.umount2(o.target, gone ? MNT_DETACH : 0);
    } catch (err) {
      if (codeOf(err) === 'EINVAL' && !this.mountinfo().some((m) => m.mountPoint === o.target)) {
        // Someone else unmounted it already.
      } else if (codeOf(err) === 'EBUSY') {
        // Something still has a file open there. The mount is read-only, so detaching it
        // (it goes away when the last file closes) loses nothing.
        try {
          this.sys.umount2(o.target, MNT_DETACH);
        } catch (err2) {
          return `${o.target} (${o.device.path}) could not be unmounted: ${messageOf(err2)}`;
        }
      } else {
        return `${o.target} (${o.device.path}) could not be unmounted: ${messageOf(err)}`;
      }
    }
    // Also after the media left: a card reader's or loop device's node stays, and the next
    // medium in it must not inherit the read-only flag (the kernel keeps it on the node).
    this.restore(o.device, o.restoreWritable);
    removeFolder(o.target);
    dropClaim(this.ownerFile(o.device), this.pid);
    return undefined;
  }
}

function removeFolder(target: string): void {
  try {
    rmdirSync(target);
  } catch {
    /* not empty (still a mount point) or already gone */
  }
}

/** One sentence for a failed mount. */
export function mountFailure(type: FilesystemType, err: unknown): string {
  const code = codeOf(err);
  const what = messageOf(err);
  if (code === 'ENODEV') return `not mounted: the running kernel has no ${type} driver (${what})`;
  if (code === 'EPERM' || code === 'EACCES') return `not mounted: not allowed (${what}); kexec-menu must run as root`;
  if (code === 'EINVAL' || code === 'EUCLEAN' || code === 'EIO') return `not mounted: the kernel could not read this ${type} file system (${what})`;
  return `not mounted: ${what}`;
}
