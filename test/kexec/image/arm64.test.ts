import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { parseArm64Header } from '../../../src/kexec/image/arm64';
import { run } from '../debian';
import { configOf, headOf, kernelOrSkip } from './fixtures';

test('the arm64 Image header of the Debian kernel, every field against file(1), the config and the PE header', (t) => {
  const k = kernelOrSkip(t, 'arm64');
  if (!k) return;
  const head = headOf(k.image);
  // arch/arm64/kernel/efi-header.S: SizeOfImage (PE optional header + 56) is _end - _text,
  // the same number head.S writes as image_size.
  const pe = head.readUInt32LE(0x3c);
  const sizeOfImage = head.readUInt32LE(pe + 24 + 56);
  assert.match(run('file', ['-b', k.image]), /ARM64 boot executable Image, little-endian, 4K pages/);
  assert.ok(configOf(k)('ARM64_4K_PAGES'));
  assert.deepEqual(parseArm64Header(head), {
    format: 'arm64-image',
    textOffset: 0, // arm64 has had no TEXT_OFFSET since 2020 (booting.rst)
    imageSize: sizeOfImage,
    bigEndian: false,
    pageSize: 4096,
    placeAnywhere: true, // booting.rst: set by every kernel since 4.6
  });
  assert.ok(sizeOfImage > statSync(k.image).size, 'image_size covers the file plus BSS');
});

test('flags: big-endian, each page size or none, placement; 64-bit fields above 4 GiB; no magic, no header', () => {
  const head = Buffer.alloc(0x40);
  head.write('ARMd', 0x38, 'latin1');
  head.writeBigUInt64LE(0x1_2000_0000n, 0x08);
  head.writeBigUInt64LE(0x3_0000_0000n, 0x10);
  const cases: Array<[bigint, Partial<{ bigEndian: boolean; pageSize: number; placeAnywhere: boolean }>]> = [
    [0b0000n, { bigEndian: false, placeAnywhere: false }],
    [0b0011n, { bigEndian: true, pageSize: 4096, placeAnywhere: false }],
    [0b0100n, { bigEndian: false, pageSize: 16384, placeAnywhere: false }],
    [0b1110n, { bigEndian: false, pageSize: 65536, placeAnywhere: true }],
  ];
  for (const [flags, fields] of cases) {
    head.writeBigUInt64LE(flags, 0x18);
    assert.deepEqual(parseArm64Header(head), { format: 'arm64-image', textOffset: 0x1_2000_0000, imageSize: 0x3_0000_0000, ...fields }, `flags ${flags}`);
  }
  assert.equal(parseArm64Header(head.subarray(0, 0x3c)), undefined);
  head.write('ARMx', 0x38, 'latin1');
  assert.equal(parseArm64Header(head), undefined);
});
