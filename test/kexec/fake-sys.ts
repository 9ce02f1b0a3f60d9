// The system-call module replaced, for the command tests of `crash` and `reboot` (no kexec
// call is made on this machine): the kernel's constants, and every call failing the test
// unless the test hands in its own.
import assert from 'node:assert/strict';
import type { Sys } from '../../src/cli/reboot';

export function fakeSys(calls: Partial<Sys>): Sys {
  return {
    insideImage: () => true,
    KEXEC_FILE_UNLOAD: 1,
    KEXEC_FILE_ON_CRASH: 2,
    KEXEC_FILE_NO_INITRAMFS: 4,
    KEXEC_ON_CRASH: 1,
    KEXEC_ARCH_AARCH64: 183 << 16,
    KEXEC_ARCH_ARM: 40 << 16,
    memfdCreate: () => assert.fail('one initrd or none needs no memfd'),
    kexecFileLoad: () => assert.fail('no kexec_file_load expected'),
    kexecLoad: () => assert.fail('x86_64 makes no kexec_load'),
    getrandom: (n: number) => new Uint8Array(n),
    sync: () => {},
    reboot: () => assert.fail('no reboot expected'),
    ...calls,
  } as Sys;
}
