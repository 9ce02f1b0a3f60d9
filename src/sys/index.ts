// kexec-menu's system-call module: the only code that reaches the kernel through FFI.
// koffi is imported by src/sys/ffi.ts alone, and only when the first call is made.
// See calls.ts for what each call does and which ones refuse to run outside the image.
import { existsSync } from 'node:fs';
import { createSys, type Sys } from './calls';
import { koffiSyscall } from './ffi';
import { sysArch } from './syscalls';

export * from './calls';
export { SysError, OutsideImageError } from './error';
export { errnoName, errnoMessage, errnoNumber } from './errno';
export { SYSCALL_NUMBERS, SYSCALL_NAMES, sysArch, type SysArch, type SyscallName } from './syscalls';

/** Created only by the image build (buildroot-external's post-build); never on a workstation. */
export const IMAGE_MARKER = '/etc/kexec-menu/image';

/** Whether kexec-menu runs inside its own image, where rebooting and kexec are its job. */
export function insideImage(): boolean {
  return existsSync(IMAGE_MARKER);
}

const sys: Sys = createSys({ syscall: koffiSyscall, arch: sysArch(), insideImage });

export const mount = sys.mount;
export const umount2 = sys.umount2;
export const setBlockDeviceReadOnly = sys.setBlockDeviceReadOnly;
export const isBlockDeviceReadOnly = sys.isBlockDeviceReadOnly;
export const setImmutable = sys.setImmutable;
export const sync = sys.sync;
export const memfdCreate = sys.memfdCreate;
export const kexecFileLoad = sys.kexecFileLoad;
export const kexecLoad = sys.kexecLoad;
export const getrandom = sys.getrandom;
export const reboot = sys.reboot;
/** The real system calls as one object (what the disks layer takes). */
export const system: Sys = sys;
