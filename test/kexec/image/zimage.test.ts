import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseZImageHeader, zImagePayload } from '../../../src/kexec/image/zimage';
import { run } from '../debian';
import { configOf, headOf, kernelOrSkip } from './fixtures';

test('the zImage header of the Debian armmp kernel, and the kernel found inside it', (t) => {
  const k = kernelOrSkip(t, 'armhf');
  if (!k) return;
  const file = readFileSync(k.image);
  const head = headOf(k.image);
  assert.match(run('file', ['-b', k.image]), /ARM boot executable zImage \(little-endian\)/);
  const y = configOf(k);
  const method = (['GZIP', 'XZ', 'LZ4', 'LZO', 'LZMA'] as const).find((m) => y(`KERNEL_${m}`))!.toLowerCase();
  assert.deepEqual(parseZImageHeader(head), {
    format: 'arm-zimage',
    start: 0, // linked at 0: the decompressor relocates itself
    end: file.length, // _edata: the zImage is exactly its file
    bigEndian: false,
    payloadCompression: method,
  });
  // What starts at the payload's offset decompresses to this kernel (the xz decoder's own
  // copy of the magic, earlier in the file, is passed over).
  const payload = zImagePayload(head)!;
  assert.equal(payload.method, method);
  if (method !== 'xz') return t.skip(`the check below decompresses xz; this kernel is ${method}`);
  assert.ok(file.indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) < payload.offset!, 'a copy of the magic comes first');
  const out = spawnSync('xz', ['-dc', '--single-stream'], { input: file.subarray(payload.offset), maxBuffer: 256 << 20 });
  assert.ok(out.stdout.includes(`Linux version ${k.release} `), 'the banner of the kernel inside');
});

test('a big-endian zImage, one without a known payload, and no magic', () => {
  const head = Buffer.alloc(0x400);
  head.writeUInt32BE(0x016f2818, 0x24);
  head.writeUInt32BE(0x8000, 0x28);
  head.writeUInt32BE(0x308000, 0x2c);
  assert.deepEqual(parseZImageHeader(head), { format: 'arm-zimage', start: 0x8000, end: 0x308000, bigEndian: true });
  // The first magic past the header wins: lz4 at 0x100 before gzip at 0x200.
  head.set([0x1f, 0x8b, 0x08], 0x200);
  head.set([0x02, 0x21, 0x4c, 0x18], 0x100);
  assert.deepEqual(zImagePayload(head), { method: 'lz4', offset: 0x100 });
  // An xz magic without the CRC32 of its stream flags after them is no stream; `xz -C crc32`'s is.
  const xz = Buffer.alloc(0x400);
  xz.set([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x00, 0x58, 0x5a, 0x20, 0x64], 0x100);
  assert.deepEqual(zImagePayload(xz), { method: 'xz' });
  xz.set(spawnSync('xz', ['-C', 'crc32', '-c'], { input: Buffer.from('kernel') }).stdout.subarray(0, 12), 0x180);
  assert.deepEqual(zImagePayload(xz), { method: 'xz', offset: 0x180 });
  assert.equal(parseZImageHeader(head)?.payloadCompression, 'lz4');
  head.writeUInt32BE(0x016f2819, 0x24);
  assert.equal(parseZImageHeader(head), undefined);
  assert.equal(parseZImageHeader(head.subarray(0, 0x30)), undefined);
});
