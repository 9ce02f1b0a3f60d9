// The command line is capped at the kernel's COMMAND_LINE_SIZE for the kernel's architecture
// (src/machine/arch.ts, values from arch/*/include/uapi/asm/setup.h and x86's asm/setup.h):
// the plan refuses a longer one with one sentence naming its length and the limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { cmdlineLengthProblem } from '../../src/kexec/cmdline';
import { BootError } from '../../src/kexec/errors';
import { type BootRequest, planBoot } from '../../src/kexec/plan';
import { commandLineSizeOf } from '../../src/machine/arch';
import type { RunningSystem } from '../../src/kexec/system';
import { PC } from './fake-system';

const X86_KERNEL = resolve('samples/debian-boot/vmlinuz-6.1.0-13-amd64');
const ARM64_KERNEL = resolve('samples/armbian/boot/vmlinuz-6.6.16-current-rockchip64');

const system = (arch: RunningSystem['arch']): RunningSystem => ({ ...PC, arch, procCmdline: 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro' });

const request = (kernel: string, cmdline: string, over: Partial<BootRequest> = {}): BootRequest => ({ label: 'test', kernel, initrds: [], overlays: [], cmdline, reuseCmdline: false, ...over });

test('COMMAND_LINE_SIZE per architecture, as the kernel sources define it', () => {
  assert.deepEqual(
    Object.fromEntries((['x86_64', 'x86', 'arm64', 'arm', 'riscv64', 'riscv32', 'loongarch64', 'powerpc64', 'powerpc', 's390x', 'mips'] as const).map((a) => [a, commandLineSizeOf(a)])),
    { x86_64: 2048, x86: 2048, arm64: 2048, arm: 1024, riscv64: 1024, riscv32: 1024, loongarch64: 4096, powerpc64: 2048, powerpc: 2048, s390x: 4096, mips: 4096 },
  );
});

test('the limit counts bytes, with the terminating NUL: size - 1 bytes fit, size do not', () => {
  assert.equal(cmdlineLengthProblem('a'.repeat(2047), 'x86_64'), undefined);
  assert.equal(
    cmdlineLengthProblem('a'.repeat(2048), 'x86_64'),
    'The command line is 2048 bytes, longer than the 2047 bytes the kernel keeps on x86_64 (its COMMAND_LINE_SIZE is 2048, with the terminating NUL), so the kernel would refuse or cut it; shorten it.',
  );
  // 512 characters of two bytes each: 1024 bytes, one too many for a 32-bit ARM kernel.
  assert.match(cmdlineLengthProblem('é'.repeat(512), 'arm') ?? '', /^The command line is 1024 bytes, longer than the 1023 bytes the kernel keeps on arm /);
  assert.equal(cmdlineLengthProblem('a'.repeat(4095), 'loongarch64'), undefined);
});

test('planBoot: a line over the kernel architecture\'s limit is refused (E2BIG), one at the limit planned', async () => {
  const x86 = system('x86_64');
  const ok = await planBoot(request(X86_KERNEL, 'a'.repeat(2047)), x86);
  assert.equal(ok.cmdline.length, 2047);
  await assert.rejects(planBoot(request(X86_KERNEL, 'a'.repeat(2048)), x86), (e: unknown) => e instanceof BootError && e.code === 'E2BIG' && /is 2048 bytes, longer than the 2047 bytes the kernel keeps on x86_64/.test(e.sentence));
  // The composed line counts: 'root=/dev/sda1 ro' (reused) + ' ' + 2000 + ' ' + 40 bytes of --append.
  await assert.rejects(planBoot(request(X86_KERNEL, 'a'.repeat(2000), { reuseCmdline: true, append: 'b'.repeat(40) }), x86), /is 2059 bytes/);
  // arm64 keeps 2047 bytes too; the limit follows the kernel's architecture.
  const arm64 = system('arm64');
  await assert.rejects(planBoot(request(ARM64_KERNEL, 'x'.repeat(3000)), arm64), /is 3000 bytes, longer than the 2047 bytes the kernel keeps on arm64/);
});

test('a 50 MB command line (a menu entry can carry one; argv cannot) is refused with its length, in bounded time', { timeout: 60_000 }, async () => {
  const words = Math.ceil((50 << 20) / 6);
  const started = Date.now();
  await assert.rejects(planBoot(request(X86_KERNEL, 'quiet '.repeat(words)), system('x86_64')), (e: unknown) => e instanceof BootError && e.sentence.startsWith(`The command line is ${words * 6 - 1} bytes, longer than the 2047 bytes`));
  assert.ok(Date.now() - started < 30_000, `${Date.now() - started} ms`);
});

test('boot --dry-run --cmdline over the limit: exit 1 and the sentence on stderr', { timeout: 30_000 }, () => {
  const kernel = process.arch === 'arm64' ? ARM64_KERNEL : X86_KERNEL;
  const r = spawnSync(process.execPath, [resolve('build/src/cli.js'), 'boot', '--kernel', kernel, '--cmdline', 'y'.repeat(5000), '--dry-run'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^kexec-menu boot: The command line is 5000 bytes, longer than the 2047 bytes the kernel keeps on (x86_64|arm64) \(its COMMAND_LINE_SIZE is 2048/);
});
