// The system calls kexec-menu makes, built over one raw `syscall(number, args)` function so
// that tests can hand in a recording one (src/sys/ffi.ts is the real one, through koffi).
//
// Safety: reboot(2), kexec_file_load(2) and kexec_load(2) replace or stop the running system. They check
// `insideImage()` before anything else (before even loading koffi) and throw
// OutsideImageError outside the kexec-menu image, whatever their arguments. mount, umount2
// and the block-device ioctls are not guarded here: which devices may be touched is the
// disks layer's decision (src/disks/mount.ts mounts only inside the image, or what a caller
// explicitly allows, such as a test's own loop devices).
import { openSync, closeSync } from 'node:fs';
import { errnoNumber } from './errno';
import { OutsideImageError, SysError } from './error';
import { SYSCALL_NUMBERS, type SysArch, type SyscallName } from './syscalls';

export type SyscallArg =
  | { readonly type: 'long'; readonly value: number }
  | { readonly type: 'ulong'; readonly value: number }
  | { readonly type: 'str'; readonly value: string | null }
  | { readonly type: 'int*'; readonly value: Int32Array }
  /** A buffer the kernel writes into (getrandom). */
  | { readonly type: 'bytes'; readonly value: Uint8Array }
  /** kexec_load's `struct kexec_segment *` (src/sys/ffi.ts lays out the C structs). */
  | { readonly type: 'segments'; readonly value: readonly KexecSegment[] };

/**
 * One `struct kexec_segment` (include/uapi/linux/kexec.h): `buf`/`bufsz` in this process,
 * copied by the kernel to physical `mem`, whose `memsz` bytes past `bufsz` are zeroed.
 * The kernel wants `mem` and `memsz` page-aligned (EADDRNOTAVAIL otherwise).
 */
export interface KexecSegment {
  readonly buf: Uint8Array;
  readonly mem: number;
  readonly memsz: number;
}

/** syscall(2): the raw return value and, when it is -1, errno. */
export type RawSyscall = (number: number, args: readonly SyscallArg[]) => { ret: number; errno: number };

// mount(2) flags (include/uapi/linux/mount.h).
export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
export const MS_REMOUNT = 32;
export const MS_NOATIME = 1024;
export const MS_BIND = 4096;
export const MS_SILENT = 32768;
// umount2(2) flags.
export const MNT_FORCE = 1;
export const MNT_DETACH = 2;
export const MNT_EXPIRE = 4;
export const UMOUNT_NOFOLLOW = 8;
// memfd_create(2) flags.
export const MFD_CLOEXEC = 1;
export const MFD_ALLOW_SEALING = 2;
// kexec_file_load(2) flags (include/uapi/linux/kexec.h).
export const KEXEC_FILE_UNLOAD = 1;
export const KEXEC_FILE_ON_CRASH = 2;
export const KEXEC_FILE_NO_INITRAMFS = 4;
// kexec_load(2) flags: the architecture of the kernel being loaded sits in the top 16 bits
// (the ELF e_machine). A compat (32-bit on 64-bit) caller must give it; KEXEC_ARCH_DEFAULT
// is refused there, so the native loader always names it.
export const KEXEC_ON_CRASH = 1;
export const KEXEC_ARCH_DEFAULT = 0;
export const KEXEC_ARCH_ARM = 40 << 16;
export const KEXEC_ARCH_AARCH64 = 183 << 16;
export const KEXEC_ARCH_X86_64 = 62 << 16;
// getrandom(2) flags: none means "block until the pool is initialised", which is what seeds need.
export const GRND_NONBLOCK = 1;
// reboot(2) (include/uapi/linux/reboot.h).
export const LINUX_REBOOT_MAGIC1 = 0xfee1dead;
export const LINUX_REBOOT_MAGIC2 = 672274793;
export const LINUX_REBOOT_CMD_RESTART = 0x01234567;
export const LINUX_REBOOT_CMD_POWER_OFF = 0x4321fedc;
export const LINUX_REBOOT_CMD_KEXEC = 0x45584543;
// Block device ioctls (include/uapi/linux/fs.h): _IO(0x12, 93) and _IO(0x12, 94).
export const BLKROSET = 0x125d;
// FS_IOC_GETFLAGS/SETFLAGS (include/uapi/linux/fs.h): _IOR/_IOW('f', 1/2, long), so the size
// field is sizeof(long); the kernel reads and writes an int. FS_IMMUTABLE_FL is chattr's `i`.
export const FS_IMMUTABLE_FL = 0x10;
const fsFlagsRequests = (longBytes: number) => ({ get: 0x80006601 | (longBytes << 16), set: 0x40006602 | (longBytes << 16) });
export const BLKROGET = 0x125e;

export type RebootCommand = 'kexec' | 'power-off' | 'restart';

const REBOOT_COMMANDS: Readonly<Record<RebootCommand, number>> = {
  kexec: LINUX_REBOOT_CMD_KEXEC,
  'power-off': LINUX_REBOOT_CMD_POWER_OFF,
  restart: LINUX_REBOOT_CMD_RESTART,
};

export interface SysDeps {
  readonly syscall: RawSyscall;
  /** Kernel architecture of the running process; undefined means no table (every call ENOSYS). */
  readonly arch: SysArch | undefined;
  /** Whether this is the kexec-menu image (the only place reboot and kexec may run). */
  readonly insideImage: () => boolean;
}

export interface Sys {
  mount(source: string, target: string, fstype: string, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  /** BLKROSET: the kernel refuses writes through any new opener of the device. */
  setBlockDeviceReadOnly(devicePath: string, readOnly?: boolean): void;
  /** BLKROGET. */
  isBlockDeviceReadOnly(devicePath: string): boolean;
  /** chattr -i / +i (FS_IOC_SETFLAGS): efivarfs keeps non-standard variables immutable until cleared. */
  setImmutable(path: string, immutable: boolean): void;
  sync(): void;
  /** An anonymous in-memory file (close-on-exec unless flags say otherwise); returns its fd. */
  memfdCreate(name: string, flags?: number): number;
  kexecFileLoad(kernelFd: number, initrdFd: number, cmdline: string, flags: number): void;
  /** kexec_load(2): `entry` is the physical address the CPU jumps to; no segments unloads. */
  kexecLoad(entry: number, segments: readonly KexecSegment[], flags: number): void;
  /** getrandom(2) into a new buffer of `length` bytes (short reads are repeated). */
  getrandom(length: number): Uint8Array;
  /** Only returns by throwing (the call failed, or kexec-menu is outside its image). */
  reboot(cmd: RebootCommand): never;
  readonly insideImage: () => boolean;
}

const ENOSYS = errnoNumber('ENOSYS')!;

/** Opens a device read-only, the error as a SysError from open(2). */
function openDevice(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SysError('open', Math.abs(e.errno ?? ENOSYS), `open(${path})`);
  }
}

export function createSys(deps: SysDeps): Sys {
  /** Calls `name`; a -1 return becomes a SysError describing `what`. */
  const call = (name: SyscallName, what: string, args: readonly SyscallArg[]): number => {
    const number = deps.arch === undefined ? undefined : SYSCALL_NUMBERS[deps.arch][name];
    if (number === undefined) throw new SysError(name, ENOSYS, `${what} (no system call table for ${process.arch})`);
    const { ret, errno } = deps.syscall(number, args);
    if (ret === -1) throw new SysError(name, errno || ENOSYS, what);
    return ret;
  };

  const ioctlInt = (path: string, request: number, value: Int32Array, what: string): void => {
    const fd = openDevice(path);
    try {
      call('ioctl', what, [
        { type: 'long', value: fd },
        { type: 'ulong', value: request },
        { type: 'int*', value },
      ]);
    } finally {
      closeSync(fd);
    }
  };

  return {
    insideImage: deps.insideImage,

    mount(source, target, fstype, flags, data) {
      call('mount', `mount(${source} on ${target})`, [
        { type: 'str', value: source },
        { type: 'str', value: target },
        { type: 'str', value: fstype },
        { type: 'ulong', value: flags },
        { type: 'str', value: data },
      ]);
    },

    umount2(target, flags) {
      call('umount2', `umount2(${target})`, [
        { type: 'str', value: target },
        { type: 'long', value: flags },
      ]);
    },

    setBlockDeviceReadOnly(devicePath, readOnly = true) {
      ioctlInt(devicePath, BLKROSET, Int32Array.of(readOnly ? 1 : 0), `ioctl(${devicePath}, BLKROSET)`);
    },

    isBlockDeviceReadOnly(devicePath) {
      const out = new Int32Array(1);
      ioctlInt(devicePath, BLKROGET, out, `ioctl(${devicePath}, BLKROGET)`);
      return out[0] !== 0;
    },

    setImmutable(path, immutable) {
      const req = fsFlagsRequests(deps.arch === 'arm' ? 4 : 8);
      const flags = new Int32Array(1);
      ioctlInt(path, req.get >>> 0, flags, `ioctl(${path}, FS_IOC_GETFLAGS)`);
      const want = immutable ? flags[0]! | FS_IMMUTABLE_FL : flags[0]! & ~FS_IMMUTABLE_FL;
      if (want !== flags[0]) ioctlInt(path, req.set >>> 0, Int32Array.of(want), `ioctl(${path}, FS_IOC_SETFLAGS)`);
    },

    sync() {
      call('sync', 'sync()', []);
    },

    memfdCreate(name, flags = MFD_CLOEXEC) {
      return call('memfd_create', `memfd_create(${name})`, [
        { type: 'str', value: name },
        { type: 'ulong', value: flags },
      ]);
    },

    kexecFileLoad(kernelFd, initrdFd, cmdline, flags) {
      if (!deps.insideImage()) throw new OutsideImageError('kexec_file_load');
      // The length counts the terminating NUL, as the kernel checks for it.
      const length = cmdline === '' ? 0 : Buffer.byteLength(cmdline, 'utf8') + 1;
      call('kexec_file_load', 'kexec_file_load()', [
        { type: 'long', value: kernelFd },
        { type: 'long', value: initrdFd },
        { type: 'ulong', value: length },
        { type: 'str', value: length === 0 ? null : cmdline },
        { type: 'ulong', value: flags },
      ]);
    },

    kexecLoad(entry, segments, flags) {
      if (!deps.insideImage()) throw new OutsideImageError('kexec_load');
      call('kexec_load', `kexec_load(${segments.length} segments)`, [
        { type: 'ulong', value: entry },
        { type: 'ulong', value: segments.length },
        { type: 'segments', value: segments },
        { type: 'ulong', value: flags },
      ]);
    },

    getrandom(length) {
      const out = new Uint8Array(length);
      // A request of up to 256 bytes is never short once the pool is ready; the loop covers
      // a signal interrupting a larger one. Bounded: each round advances or throws.
      for (let got = 0; got < length; ) {
        const n = call('getrandom', `getrandom(${length})`, [
          { type: 'bytes', value: out.subarray(got) },
          { type: 'ulong', value: length - got },
          { type: 'ulong', value: 0 },
        ]);
        if (n <= 0) throw new SysError('getrandom', errnoNumber('EIO')!, `getrandom(${length}) returned ${n}`);
        got += n;
      }
      return out;
    },

    reboot(cmd): never {
      if (!deps.insideImage()) throw new OutsideImageError('reboot');
      call('reboot', `reboot(${cmd})`, [
        { type: 'ulong', value: LINUX_REBOOT_MAGIC1 },
        { type: 'ulong', value: LINUX_REBOOT_MAGIC2 },
        { type: 'ulong', value: REBOOT_COMMANDS[cmd] },
        { type: 'str', value: null },
      ]);
      // LINUX_REBOOT_CMD_KEXEC returns only on failure; the others never return.
      throw new Error(`reboot(${cmd}) returned without rebooting`);
    },
  };
}
