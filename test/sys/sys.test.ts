import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sys from '../../src/sys';
import { createSys, type RawSyscall, type SyscallArg } from '../../src/sys/calls';
import { SYSCALL_NUMBERS } from '../../src/sys/syscalls';
import { attachLoop, loopUnavailable, run } from '../disks/loop';

const notRoot = process.getuid?.() !== 0 ? 'needs root (mount(2) checks permission before the file system type)' : undefined;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-sys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('umount2 of a folder that is not a mount point fails with EINVAL, named and explained', (t) => {
  const dir = tempDir(t);
  assert.throws(
    () => sys.umount2(dir, 0),
    (err: unknown) => {
      assert.ok(err instanceof sys.SysError);
      assert.equal(err.code, process.getuid?.() === 0 ? 'EINVAL' : 'EPERM');
      assert.equal(err.errno, process.getuid?.() === 0 ? 22 : 1);
      assert.equal(err.syscall, 'umount2');
      assert.equal(err.message, process.getuid?.() === 0 ? `umount2(${dir}): Invalid argument (EINVAL)` : `umount2(${dir}): Operation not permitted (EPERM)`);
      return true;
    },
  );
});

test('mount with a file system type the kernel does not know fails with ENODEV', { skip: notRoot }, (t) => {
  const dir = tempDir(t);
  assert.throws(
    () => sys.mount('none', dir, 'no-such-fs-type', sys.MS_RDONLY, null),
    (err: unknown) => err instanceof sys.SysError && err.code === 'ENODEV' && err.errno === 19 && err.message === `mount(none on ${dir}): No such device (ENODEV)`,
  );
});

test('mount and umount2 of a tmpfs succeed, seen in /proc/self/mountinfo', { skip: notRoot }, (t) => {
  const dir = tempDir(t);
  sys.mount('kexec-menu-test', dir, 'tmpfs', sys.MS_RDONLY | sys.MS_NODEV | sys.MS_NOSUID | sys.MS_NOEXEC, 'size=64k');
  try {
    const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === dir);
    assert.ok(line, 'mounted');
    assert.match(line!, / ro,nosuid,nodev,noexec/);
    assert.match(line!, / - tmpfs kexec-menu-test /);
  } finally {
    sys.umount2(dir, 0);
  }
  assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir), 'unmounted');
});

test('memfd_create gives a writable in-memory file with the name asked for', () => {
  const fd = sys.memfdCreate('kexec-menu-test');
  try {
    assert.ok(fd > 2);
    assert.equal(writeSync(fd, Buffer.from('hello kernel')), 12);
    assert.equal(fstatSync(fd).size, 12);
    assert.equal(readlinkSync(`/proc/self/fd/${fd}`), '/memfd:kexec-menu-test (deleted)');
  } finally {
    closeSync(fd);
  }
});

test('BLKROSET makes a loop device read-only and BLKROGET reads it back, as sysfs shows', { skip: loopUnavailable() }, (t) => {
  const dir = tempDir(t);
  const img = join(dir, 'disk.img');
  run('truncate', ['-s', '1M', img]);
  const loop = attachLoop(img);
  t.after(() => loop.detach());
  const sysfsRo = () => readFileSync(`/sys/class/block/${loop.name}/ro`, 'utf8').trim();
  assert.equal(sys.isBlockDeviceReadOnly(loop.device), false, 'attached read-write');
  assert.equal(sysfsRo(), '0');
  sys.setBlockDeviceReadOnly(loop.device);
  assert.equal(sys.isBlockDeviceReadOnly(loop.device), true);
  assert.equal(sysfsRo(), '1');
  sys.setBlockDeviceReadOnly(loop.device, false);
  assert.equal(sys.isBlockDeviceReadOnly(loop.device), false);
});

test('BLKROGET on something that is not a block device fails with ENOTTY; on a missing one, open fails with ENOENT', (t) => {
  const dir = tempDir(t);
  assert.throws(() => sys.isBlockDeviceReadOnly(dir), (err: unknown) => err instanceof sys.SysError && err.code === 'ENOTTY' && err.syscall === 'ioctl');
  assert.throws(
    () => sys.isBlockDeviceReadOnly(join(dir, 'nope')),
    (err: unknown) => err instanceof sys.SysError && err.code === 'ENOENT' && err.syscall === 'open' && err.message === `open(${join(dir, 'nope')}): No such file or directory (ENOENT)`,
  );
});

/** A syscall(2) stand-in that records what it was asked (the real reboot/kexec cannot run here). */
function recorder(ret = 0, errno = 0): { calls: { number: number; args: readonly SyscallArg[] }[]; syscall: RawSyscall } {
  const calls: { number: number; args: readonly SyscallArg[] }[] = [];
  return { calls, syscall: (number, args) => (calls.push({ number, args }), { ret, errno }) };
}

test('outside the image, reboot and kexec_file_load refuse before making any call', () => {
  assert.equal(sys.insideImage(), false, 'this machine is not the kexec-menu image');
  const rec = recorder();
  const s = createSys({ syscall: rec.syscall, arch: 'x86_64', insideImage: () => false });
  for (const cmd of ['kexec', 'power-off', 'restart'] as const) {
    assert.throws(
      () => s.reboot(cmd),
      (err: unknown) => err instanceof sys.OutsideImageError && err instanceof sys.SysError && err.code === 'EPERM' && err.message === 'refusing to call reboot(2) outside the kexec-menu image: run with --dry-run',
    );
  }
  for (const flags of [0, sys.KEXEC_FILE_UNLOAD, sys.KEXEC_FILE_ON_CRASH, sys.KEXEC_FILE_NO_INITRAMFS]) {
    assert.throws(
      () => s.kexecFileLoad(3, 4, 'console=ttyS0', flags),
      (err: unknown) => err instanceof sys.OutsideImageError && err.message === 'refusing to call kexec_file_load(2) outside the kexec-menu image: run with --dry-run',
    );
  }
  assert.deepEqual(rec.calls, []);
  // The module's own functions, bound to the real syscall, refuse the same way here.
  assert.throws(() => sys.reboot('kexec'), sys.OutsideImageError);
  assert.throws(() => sys.kexecFileLoad(-1, -1, '', sys.KEXEC_FILE_UNLOAD), sys.OutsideImageError);
});

test('inside the image, kexec_file_load and reboot pass the kernel ABI arguments', () => {
  for (const arch of ['x86_64', 'aarch64', 'arm', 'riscv64'] as const) {
    const rec = recorder();
    const s = createSys({ syscall: rec.syscall, arch, insideImage: () => true });
    s.kexecFileLoad(5, -1, 'root=/dev/vda2 quiet ü', sys.KEXEC_FILE_NO_INITRAMFS);
    s.kexecFileLoad(-1, -1, '', sys.KEXEC_FILE_UNLOAD);
    assert.deepEqual(rec.calls[0], {
      number: SYSCALL_NUMBERS[arch].kexec_file_load,
      args: [
        { type: 'long', value: 5 },
        { type: 'long', value: -1 },
        { type: 'ulong', value: 24 }, // 22 characters, ü is two bytes, plus the NUL
        { type: 'str', value: 'root=/dev/vda2 quiet ü' },
        { type: 'ulong', value: 4 },
      ],
    });
    assert.deepEqual(rec.calls[1]!.args.slice(2), [
      { type: 'ulong', value: 0 },
      { type: 'str', value: null },
      { type: 'ulong', value: 1 },
    ]);
  }
  const failing = recorder(-1, 38);
  const s = createSys({ syscall: failing.syscall, arch: 'arm', insideImage: () => true });
  assert.throws(() => s.kexecFileLoad(3, -1, 'x', 0), (err: unknown) => err instanceof sys.SysError && err.code === 'ENOSYS' && err.syscall === 'kexec_file_load');
  assert.throws(
    () => s.reboot('kexec'),
    (err: unknown) => err instanceof sys.SysError && err.code === 'ENOSYS' && err.message === 'reboot(kexec): Function not implemented (ENOSYS)',
  );
  assert.deepEqual(failing.calls[1], {
    number: 88,
    args: [
      { type: 'ulong', value: 0xfee1dead },
      { type: 'ulong', value: 672274793 },
      { type: 'ulong', value: 0x45584543 },
      { type: 'str', value: null },
    ],
  });
});

test('an architecture without a table fails every call with ENOSYS instead of guessing numbers', () => {
  const rec = recorder();
  const s = createSys({ syscall: rec.syscall, arch: undefined, insideImage: () => true });
  assert.throws(() => s.sync(), (err: unknown) => err instanceof sys.SysError && err.code === 'ENOSYS');
  assert.deepEqual(rec.calls, []);
});
