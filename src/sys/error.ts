import { errnoMessage, errnoName, errnoNumber } from './errno';

/**
 * A failed system call: `code` is the errno name (`EPERM`), `errno` its number, `syscall`
 * the call's name. The message names what was being done:
 * "mount(/dev/vda1 on /run/kexec-menu/vda1): Operation not permitted (EPERM)".
 */
export class SysError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  constructor(syscall: string, errno: number, what: string = syscall, message?: string) {
    super(message ?? `${what}: ${errnoMessage(errno)} (${errnoName(errno)})`);
    this.name = 'SysError';
    this.code = errnoName(errno);
    this.errno = errno;
    this.syscall = syscall;
  }
}

/**
 * kexec-menu refused to make a call that replaces or stops the running system
 * (reboot, kexec_file_load, kexec_load) because it is not running inside its own image.
 * An EPERM, so callers that only look at `code` treat it as "not allowed".
 */
export class OutsideImageError extends SysError {
  constructor(syscall: string) {
    super(syscall, errnoNumber('EPERM')!, syscall, `refusing to call ${syscall}(2) outside the kexec-menu image: run with --dry-run`);
    this.name = 'OutsideImageError';
  }
}
