import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseZbootHeader } from '../../../src/kexec/image/zboot';
import { zbootAround } from './fixtures';

// Debian bookworm builds no EFI zboot kernel (CONFIG_EFI_ZBOOT is off): the images are built
// from zboot-header.S's layout; test/kexec/inspect.test.ts looks inside one around a Debian Image.
test('an EFI zboot header: compression name, payload and the PE machine', () => {
  const payload = Buffer.alloc(0x1000, 7);
  assert.deepEqual(parseZbootHeader(zbootAround(payload, 'zstd22', 0x5064)), {
    format: 'efi-zboot',
    compression: 'zstd22',
    payloadOffset: 0x200,
    payloadSize: 0x1000,
    peArchitecture: 'riscv64',
  });
  assert.deepEqual(parseZbootHeader(zbootAround(payload, 'gzip', 0x1234)), { format: 'efi-zboot', compression: 'gzip', payloadOffset: 0x200, payloadSize: 0x1000 });
  const notZboot = zbootAround(payload, 'gzip', 0xaa64);
  notZboot.write('zimh', 4, 'latin1');
  assert.equal(parseZbootHeader(notZboot), undefined);
  assert.equal(parseZbootHeader(zbootAround(payload, 'gzip', 0xaa64).subarray(0, 0x20)), undefined);
});
