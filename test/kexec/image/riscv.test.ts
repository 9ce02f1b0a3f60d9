import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRiscvHeader } from '../../../src/kexec/image/riscv';
import { riscvImage } from './fixtures';

// Debian bookworm has no riscv64 kernel: the images are built from the documented layout.
test('a riscv Image header, with both magics or only the deprecated one', () => {
  const expected = { format: 'riscv-image', textOffset: 0x200000, imageSize: 0x1400000, headerVersion: '0.2' };
  assert.deepEqual(parseRiscvHeader(riscvImage()), expected);
  assert.deepEqual(parseRiscvHeader(riscvImage(true)), expected);
  const v = riscvImage();
  v.writeUInt32LE((1 << 16) | 3, 0x28);
  assert.equal(parseRiscvHeader(v)?.headerVersion, '1.3');
  const none = riscvImage();
  none.fill(0, 0x30, 0x40);
  assert.equal(parseRiscvHeader(none), undefined);
  assert.equal(parseRiscvHeader(riscvImage().subarray(0, 0x3c)), undefined);
});
