// kexec_load(2) and getrandom(2) in the system-call module: the guard that keeps kexec_load
// off any machine but the image, the arguments it passes, and the C layout of
// `struct kexec_segment` as koffi builds it, checked for real through writev(2), whose
// `struct iovec` array reads each segment as {buf, bufsz} then {mem, memsz}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sys from '../../src/sys';
import { createSys, type RawSyscall, type SyscallArg } from '../../src/sys/calls';
import { koffiSyscall } from '../../src/sys/ffi';
import { SYSCALL_NUMBERS } from '../../src/sys/syscalls';

function recorder(results: number[] = []): { syscall: RawSyscall; calls: { number: number; args: readonly SyscallArg[] }[] } {
  const calls: { number: number; args: readonly SyscallArg[] }[] = [];
  return {
    calls,
    syscall: (number, args) => {
      calls.push({ number, args });
      const ret = results.shift() ?? 0;
      return { ret, errno: ret === -1 ? 16 : 0 };
    },
  };
}

test('kexec_load refuses outside the image before any system call; inside it passes entry, count, segments and flags', () => {
  const outside = recorder();
  const s = createSys({ syscall: outside.syscall, arch: 'aarch64', insideImage: () => false });
  assert.throws(() => s.kexecLoad(0x40000000, [], sys.KEXEC_ARCH_AARCH64), (e: unknown) => e instanceof sys.OutsideImageError && /refusing to call kexec_load\(2\) outside the kexec-menu image/.test(e.message));
  assert.equal(outside.calls.length, 0);

  const inside = recorder([0, -1]);
  const s2 = createSys({ syscall: inside.syscall, arch: 'aarch64', insideImage: () => true });
  const seg = { buf: new Uint8Array(10), mem: 0x40200000, memsz: 0x10000 };
  s2.kexecLoad(0x4a000000, [seg], sys.KEXEC_ARCH_AARCH64);
  assert.equal(inside.calls[0]!.number, SYSCALL_NUMBERS.aarch64.kexec_load);
  assert.equal(inside.calls[0]!.number, 104);
  assert.deepEqual(inside.calls[0]!.args, [
    { type: 'ulong', value: 0x4a000000 },
    { type: 'ulong', value: 1 },
    { type: 'segments', value: [seg] },
    { type: 'ulong', value: 183 << 16 },
  ]);
  // EBUSY from the kernel comes back as a SysError the boot layer explains.
  assert.throws(() => s2.kexecLoad(0x4a000000, [seg], sys.KEXEC_ARCH_AARCH64), (e: unknown) => e instanceof sys.SysError && e.code === 'EBUSY' && e.syscall === 'kexec_load');
});

test('getrandom repeats short reads until the buffer is full', () => {
  const filled: number[] = [];
  const s = createSys({
    arch: 'x86_64',
    insideImage: () => false,
    syscall: (number, args) => {
      assert.equal(number, 318);
      const buf = args[0]!.value as Uint8Array;
      const n = Math.min(3, buf.length);
      buf.fill(0xab, 0, n);
      filled.push(n);
      return { ret: n, errno: 0 };
    },
  });
  assert.deepEqual([...s.getrandom(8)], new Array(8).fill(0xab));
  assert.deepEqual(filled, [3, 3, 2]);
});

test('getrandom through koffi returns fresh bytes (two draws differ)', { skip: sys.sysArch() ? undefined : `no system call table for ${process.arch}` }, () => {
  const a = sys.getrandom(32);
  const b = sys.getrandom(32);
  assert.equal(a.length, 32);
  assert.notDeepEqual([...a], [...b]);
});

const WRITEV: Partial<Record<string, number>> = { x64: 20, arm64: 66 };

test('struct kexec_segment as koffi lays it out: buf and bufsz first, then mem and memsz (read back by writev)', { skip: WRITEV[process.arch] ? undefined : `no writev number here for ${process.arch}` }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-seg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'out');
  const fd = openSync(file, 'w');
  try {
    // Each segment is two iovecs: {buf, bufsz} and {mem, memsz}, the second empty.
    const segments = [
      { buf: Buffer.from('kernel|'), mem: 0, memsz: 0 },
      { buf: Buffer.from('dtb'), mem: 0, memsz: 0 },
    ];
    const r = koffiSyscall(WRITEV[process.arch]!, [
      { type: 'long', value: fd },
      { type: 'segments', value: segments },
      { type: 'long', value: segments.length * 2 },
    ]);
    assert.equal(r.ret, 10, `writev errno ${r.errno}`);
  } finally {
    closeSync(fd);
  }
  assert.equal(readFileSync(file, 'latin1'), 'kernel|dtb');
});
