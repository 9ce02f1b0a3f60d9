import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { elfArchitecture, parseElfHeader } from '../../../src/kexec/image/elf';
import { run } from '../debian';
import { headOf, kernelOrSkip } from './fixtures';

// A module of each Debian kernel package is an ELF file of the kernel's class, byte order and
// machine (vmlinux itself: test/kexec/inspect.test.ts unpacks it from the bzImage).
for (const [arch, expected, fileSays] of [
  ['amd64', { bits: 64, bigEndian: false, machine: 62, machineName: 'x86_64' }, /^ELF 64-bit LSB relocatable, x86-64,/],
  ['arm64', { bits: 64, bigEndian: false, machine: 183, machineName: 'arm64' }, /^ELF 64-bit LSB relocatable, ARM aarch64,/],
  ['armhf', { bits: 32, bigEndian: false, machine: 40, machineName: 'arm' }, /^ELF 32-bit LSB relocatable, ARM,/],
] as const) {
  test(`the ELF header of a Debian ${arch} kernel module`, (t) => {
    const k = kernelOrSkip(t, arch);
    if (!k) return;
    const ko = join(k.root, 'lib/modules', k.release, 'kernel/net/key/af_key.ko');
    assert.match(run('file', ['-b', ko]), fileSays);
    assert.deepEqual(parseElfHeader(headOf(ko)), { format: 'elf', ...expected });
  });
}

test('big-endian ELF, machines kexec-menu does not know, RISC-V of both widths, and no ELF', () => {
  const head = Buffer.alloc(0x40);
  head.write('\x7fELF', 0, 'latin1');
  head[4] = 2;
  head[5] = 2;
  head.writeUInt16BE(22, 0x12);
  assert.deepEqual(parseElfHeader(head), { format: 'elf', bits: 64, bigEndian: true, machine: 22, machineName: 's390x' });
  head.writeUInt16BE(999, 0x12);
  assert.equal(parseElfHeader(head)?.machineName, 'machine 999');
  assert.equal(elfArchitecture(243, 64), 'riscv64');
  assert.equal(elfArchitecture(243, 32), 'riscv32');
  assert.equal(parseElfHeader(head.subarray(0, 0x13)), undefined);
  head[0] = 0;
  assert.equal(parseElfHeader(head), undefined);
});
