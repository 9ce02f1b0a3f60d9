import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bzImageVersionOffset, parseBzImageHeader } from '../../../src/kexec/image/bzimage';
import { run } from '../debian';
import { configOf, headOf, kernelOrSkip } from './fixtures';

test('the setup header of the Debian amd64 bzImage, every field against objdump, the config and the payload', (t) => {
  const k = kernelOrSkip(t, 'amd64');
  if (!k) return;
  const head = headOf(k.image);
  const h = parseBzImageHeader(head);
  assert.ok(h);
  // objdump reads the PE section table build.c writes from the same numbers: .text starts where
  // the setup sectors end, and the last section ends where syssize says the file does.
  const sections = [...run('objdump', ['-h', k.image]).matchAll(/^\s*\d+ (\S+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)/gm)].map((m) => ({ name: m[1]!, size: parseInt(m[2]!, 16), offset: parseInt(m[3]!, 16) }));
  const text = sections.find((s) => s.name === '.text')!;
  const end = Math.max(...sections.map((s) => s.offset + s.size));
  const y = configOf(k);
  const x86_64 = y('X86_64');
  // Documentation/arch/x86/boot.rst: payload_offset (0x248), payload_length (0x24c) and init_size (0x260).
  const payloadOffset = head.readUInt32LE(0x248) + text.offset;
  const payloadLength = head.readUInt32LE(0x24c);
  assert.deepEqual(h, {
    format: 'bzImage',
    protocol: '2.15', // what Linux 6.1's header.S declares (boot.rst: 2.15 since 5.5)
    setupSects: text.offset / 512 - 1,
    loadedHigh: true, // file(1) below: "bzImage"
    relocatable: y('RELOCATABLE'),
    kernel64: x86_64,
    canBeLoadedAbove4G: x86_64 && y('RELOCATABLE'),
    efiHandover32: y('EFI_STUB') && (y('EFI_MIXED') || !x86_64),
    efiHandover64: y('EFI_STUB') && (y('EFI_MIXED') || x86_64),
    efiKexec: x86_64 && y('EFI') && y('KEXEC_CORE'),
    declaredSize: end,
    payloadOffset,
    payloadLength,
    initSize: head.readUInt32LE(0x260),
  });
  assert.match(run('file', ['-b', k.image]), /x86 boot executable bzImage/);
  // The payload is the xz stream (CONFIG_KERNEL_XZ), its magic first and its footer's "YZ"
  // last, then the size of the kernel it decompresses to (the build's size_append), which
  // init_size must hold.
  const file = headOf(k.image, h.declaredSize);
  const payloadEnd = payloadOffset + payloadLength;
  assert.ok(y('KERNEL_XZ'));
  assert.deepEqual([...file.subarray(payloadOffset, payloadOffset + 6)], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  assert.equal(file.toString('latin1', payloadEnd - 6, payloadEnd - 4), 'YZ');
  const kernelSize = file.readUInt32LE(payloadEnd - 4);
  assert.ok(h.initSize! % 4096 === 0 && h.initSize! > kernelSize, `init_size ${h.initSize} holds the ${kernelSize}-byte kernel`);
  // kernel_version points at the release string file(1) also prints.
  const at = bzImageVersionOffset(head)!;
  assert.equal(head.toString('latin1', at, at + k.release.length + 1), `${k.release} `);
});

test('older boot protocols leave out the fields they do not have; setup_sects 0 means 4', () => {
  const head = Buffer.alloc(0x400);
  head.write('HdrS', 0x202, 'latin1');
  head.writeUInt16LE(0x0204, 0x206); // protocol 2.04: no relocatable_kernel, xloadflags or payload
  head.writeUInt32LE(0x1000, 0x1f4); // syssize, in 16-byte units
  head[0x234] = 1; // ignored before 2.05
  assert.deepEqual(parseBzImageHeader(head), {
    format: 'bzImage',
    protocol: '2.04',
    setupSects: 4,
    loadedHigh: false,
    relocatable: false,
    kernel64: false,
    canBeLoadedAbove4G: false,
    efiHandover32: false,
    efiHandover64: false,
    efiKexec: false,
    declaredSize: 5 * 512 + 0x1000 * 16,
  });
  assert.equal(bzImageVersionOffset(head), undefined, 'kernel_version 0: no version string');
  head.write('HdrX', 0x202, 'latin1');
  assert.equal(parseBzImageHeader(head), undefined);
  assert.equal(parseBzImageHeader(Buffer.alloc(0x200)), undefined, 'too short for a setup header');
});
