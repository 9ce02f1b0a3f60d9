// System call numbers of the calls kexec-menu makes, per architecture (kernel naming).
// Sources: arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h (arm64
// and riscv64 use the generic table) and arch/arm/tools/syscall.tbl (EABI, base 0).
// test/sys/syscalls.test.ts checks every number against the kernel headers Debian ships.
//
// 32-bit ARM has a number for kexec_file_load (401) but no implementation
// (no ARCH_SUPPORTS_KEXEC_FILE): the call fails with ENOSYS and the loader falls back to
// the native kexec_load (src/kexec/native/).

export type SysArch = 'x86_64' | 'aarch64' | 'arm' | 'riscv64';

export type SyscallName = 'ioctl' | 'sync' | 'mount' | 'umount2' | 'reboot' | 'memfd_create' | 'kexec_file_load' | 'kexec_load' | 'getrandom';

export const SYSCALL_NAMES: readonly SyscallName[] = ['ioctl', 'sync', 'mount', 'umount2', 'reboot', 'memfd_create', 'kexec_file_load', 'kexec_load', 'getrandom'];

const GENERIC: Readonly<Record<SyscallName, number>> = {
  ioctl: 29,
  umount2: 39,
  mount: 40,
  sync: 81,
  kexec_file_load: 294,
  kexec_load: 104,
  reboot: 142,
  memfd_create: 279,
  getrandom: 278,
};

export const SYSCALL_NUMBERS: Readonly<Record<SysArch, Readonly<Record<SyscallName, number>>>> = {
  x86_64: {
    ioctl: 16,
    sync: 162,
    mount: 165,
    umount2: 166,
    reboot: 169,
    memfd_create: 319,
    kexec_file_load: 320,
    kexec_load: 246,
    getrandom: 318,
  },
  aarch64: GENERIC,
  riscv64: GENERIC,
  arm: {
    sync: 36,
    mount: 21,
    umount2: 52,
    ioctl: 54,
    reboot: 88,
    memfd_create: 385,
    kexec_file_load: 401,
    kexec_load: 347,
    getrandom: 384,
  },
};

/** Node's process.arch → kernel architecture name; undefined where kexec-menu has no table. */
export function sysArch(nodeArch: string = process.arch): SysArch | undefined {
  switch (nodeArch) {
    case 'x64':
      return 'x86_64';
    case 'arm64':
      return 'aarch64';
    case 'arm':
      return 'arm';
    case 'riscv64':
      return 'riscv64';
    default:
      return undefined;
  }
}
