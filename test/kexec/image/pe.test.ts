import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { parsePeHeader } from '../../../src/kexec/image/pe';
import { headOf, kernelOrSkip } from './fixtures';

/** The end of the last section's raw data as an objdump that knows the format reads it. */
function objdumpRawEnd(objdump: string, path: string): number | undefined {
  const r = spawnSync(objdump, ['-h', path], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const ends = [...r.stdout.matchAll(/^\s*\d+ \S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)/gm)].map((m) => parseInt(m[1]!, 16) + parseInt(m[2]!, 16));
  return ends.length ? Math.max(...ends) : undefined;
}

for (const [arch, machine, objdump] of [
  ['amd64', 'x86_64', 'objdump'],
  ['arm64', 'arm64', 'aarch64-linux-gnu-objdump'],
] as const) {
  test(`the PE header of the Debian ${arch} kernel's EFI stub, against ${objdump}`, (t) => {
    const k = kernelOrSkip(t, arch);
    if (!k) return;
    const pe = parsePeHeader(headOf(k.image));
    const rawEnd = objdumpRawEnd(objdump, k.image);
    if (rawEnd === undefined) return t.skip(`${objdump} cannot read the ${arch} PE image here (binutils-aarch64-linux-gnu)`);
    assert.deepEqual(pe, { machine, rawEnd });
    // Past the sections: the Authenticode signature Debian appends.
    assert.ok(rawEnd < statSync(k.image).size);
  });
}

test('no MZ, no PE signature, an unknown machine, a section table cut off by the head', () => {
  const head = Buffer.alloc(0x200);
  head.write('MZ', 0, 'latin1');
  head.writeUInt32LE(0x80, 0x3c);
  assert.equal(parsePeHeader(head), undefined, 'no "PE\\0\\0" at e_lfanew');
  head.write('PE\0\0', 0x80, 'latin1');
  head.writeUInt16LE(0x1234, 0x84); // a machine Linux does not build for
  head.writeUInt16LE(3, 0x86); // three sections, the third past the head
  head.writeUInt16LE(0x10, 0x80 + 20); // SizeOfOptionalHeader
  const table = 0x80 + 24 + 0x10;
  head.writeUInt32LE(0x300, table + 16);
  head.writeUInt32LE(0x1000, table + 20);
  head.writeUInt32LE(0x100, table + 40 + 16);
  head.writeUInt32LE(0x200, table + 40 + 20);
  assert.deepEqual(parsePeHeader(head.subarray(0, table + 80)), { rawEnd: 0x1300 });
  head[0] = 0;
  assert.equal(parsePeHeader(head), undefined);
});
