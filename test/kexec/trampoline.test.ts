// The arm64 trampoline's bytes, read back by binutils' own disassembler (Debian's
// binutils-aarch64-linux-gnu): what the comments in src/kexec/native/arm64.ts claim is what
// the CPU will run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRAMPOLINE_SIZE, arm64Trampoline } from '../../src/kexec/native/arm64';

const OBJDUMP = 'aarch64-linux-gnu-objdump';
const have = spawnSync(OBJDUMP, ['--version']).status === 0;

/** `objdump -D -b binary -m aarch64` of some bytes: [offset, mnemonic and operands] per line. */
function disassemble(bytes: Uint8Array): [number, string][] {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-tramp-'));
  try {
    const f = join(dir, 'tramp.bin');
    writeFileSync(f, bytes);
    const r = spawnSync(OBJDUMP, ['-D', '-b', 'binary', '-m', 'aarch64', f], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out: [number, string][] = [];
    for (const m of r.stdout.matchAll(/^\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+(.*)$/gm)) out.push([parseInt(m[1]!, 16), m[2]!.replace(/\s+/g, ' ').replace(/\s*\/\/.*$/, '').trim()]);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the trampoline disassembles to: x4 = kernel, x0 = dtb (both from its literals), x1-x3 = 0, br x4', { skip: have ? undefined : `${OBJDUMP} is not installed (Debian's binutils-aarch64-linux-gnu)` }, () => {
  const kernel = 0x40200000;
  const dtb = 0x4a010000;
  const bytes = arm64Trampoline(kernel, dtb);
  assert.equal(bytes.length, TRAMPOLINE_SIZE);
  assert.equal(TRAMPOLINE_SIZE, 40);
  const code = disassemble(bytes).slice(0, 6);
  // objdump writes the literal's address as an absolute offset from the start of the blob.
  assert.deepEqual(code, [
    [0, 'ldr x4, 0x18'],
    [4, 'ldr x0, 0x20'],
    [8, 'mov x1, xzr'],
    [12, 'mov x2, xzr'],
    [16, 'mov x3, xzr'],
    [20, 'br x4'],
  ]);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(view.getBigUint64(0x18, true), BigInt(kernel), 'the literal x4 loads is the kernel');
  assert.equal(view.getBigUint64(0x20, true), BigInt(dtb), 'the literal x0 loads is the device tree');
});

test('the trampoline keeps 64-bit addresses above 4 GiB whole', () => {
  const bytes = arm64Trampoline(0x8_4020_0000, 0x8_8000_0000);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(view.getBigUint64(0x18, true), 0x8_4020_0000n);
  assert.equal(view.getBigUint64(0x20, true), 0x8_8000_0000n);
});
