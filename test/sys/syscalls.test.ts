// The syscall table against the kernel's own headers as Debian ships them (linux-libc-dev):
// the host's x86_64 and asm-generic (arm64, riscv64) headers, and armhf's fetched into the
// package cache (scripts/debian-packages.sh armhf linux-libc-dev; without network it skips).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYSCALL_NAMES, SYSCALL_NUMBERS, type SysArch, sysArch } from '../../src/sys/syscalls';
import { errnoMessage, errnoName, errnoNumber } from '../../src/sys/errno';

const top = join(__dirname, '../../..');

/** `#define __NR_name N` or `(__NR_SYSCALL_BASE + N)` lines of a unistd header. */
function headerNumbers(path: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of readFileSync(path, 'utf8').matchAll(/^#define __NR_(\w+)\s+(?:\(__NR_SYSCALL_BASE\s*\+\s*)?(\d+)\)?\s*$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

const HEADERS: Record<SysArch, string> = {
  x86_64: '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
  aarch64: '/usr/include/asm-generic/unistd.h',
  riscv64: '/usr/include/asm-generic/unistd.h',
  arm: join(top, 'cache/debian/armhf/root/linux-libc-dev/usr/include/arm-linux-gnueabihf/asm/unistd-eabi.h'),
};

/** Fetches armhf's linux-libc-dev (never installed); the reason when it cannot. */
function fetchArmHeaders(): string | undefined {
  if (existsSync(HEADERS.arm)) return undefined;
  const r = spawnSync(join(top, 'scripts/debian-packages.sh'), ['armhf', 'linux-libc-dev'], { encoding: 'utf8', timeout: 600_000 });
  return r.status === 0 ? undefined : `scripts/debian-packages.sh armhf linux-libc-dev failed (no network?): ${(r.stderr || '').trim().split('\n').pop()}`;
}
const armFetchFailure = fetchArmHeaders();

for (const [arch, header] of Object.entries(HEADERS) as [SysArch, string][]) {
  test(`${arch}: every system call number matches ${header.replace(top + '/', '')}`, { skip: arch === 'arm' && armFetchFailure ? armFetchFailure : undefined }, () => {
    assert.ok(existsSync(header), `${header} is here (linux-libc-dev, in .ci/apt-packages)`);
    const numbers = headerNumbers(header);
    for (const name of SYSCALL_NAMES) assert.equal(SYSCALL_NUMBERS[arch][name], numbers.get(name), `${arch} ${name}`);
  });
}

test('known numbers: kexec_file_load is 320 on x86_64, 294 on arm64 and riscv64, 401 on arm (which answers ENOSYS)', () => {
  assert.equal(SYSCALL_NUMBERS.x86_64.kexec_file_load, 320);
  assert.equal(SYSCALL_NUMBERS.aarch64.kexec_file_load, 294);
  assert.equal(SYSCALL_NUMBERS.riscv64.kexec_file_load, 294);
  assert.equal(SYSCALL_NUMBERS.arm.kexec_file_load, 401);
  assert.equal(sysArch('x64'), 'x86_64');
  assert.equal(sysArch('arm64'), 'aarch64');
  assert.equal(sysArch('ia32'), undefined);
});

test('errno names and texts agree with the C library headers', () => {
  const header = '/usr/include/asm-generic/errno-base.h';
  const names = new Map<string, number>();
  for (const h of [header, '/usr/include/asm-generic/errno.h']) {
    if (!existsSync(h)) continue;
    for (const m of readFileSync(h, 'utf8').matchAll(/^#define\s+(E\w+)\s+(\d+)\s/gm)) names.set(m[1]!, Number(m[2]));
  }
  if (names.size > 0) {
    for (const [name, n] of names) {
      if (name === 'EWOULDBLOCK' || name === 'EDEADLOCK') continue; // aliases of EAGAIN, EDEADLK
      assert.equal(errnoName(n), name);
      assert.equal(errnoNumber(name), n);
    }
  }
  assert.equal(errnoMessage(1), 'Operation not permitted');
  assert.equal(errnoMessage(19), 'No such device');
  assert.equal(errnoMessage(38), 'Function not implemented');
  assert.equal(errnoName(4000), 'E4000');
});
