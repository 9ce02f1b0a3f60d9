// Every path a user or a disk names is opened without blocking and checked on the opened
// descriptor (src/fs/regular-file.ts): a FIFO (mkfifo) or a link to /dev/zero is refused at
// once with one sentence naming it, by `inspect`, the kernel/initrd/DTB reads of the plan
// and the loaders, superblock probing and grubenv; /dev/null as a block device is not one
// either, while a real block device would be (inspect of /dev/sda). Each test has a timeout,
// so a hang fails it instead of stalling the run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { withFileSource } from '../../src/disks/superblocks/byte-source';
import { identifyPath } from '../../src/disks/identify';
import { FileReadError, openRegularFile, readRegularFileOrThrow, regularFileStream } from '../../src/fs/regular-file';
import { BootError } from '../../src/kexec/errors';
import { inspectBootFile, readDeviceTreeFile } from '../../src/kexec/inspect';
import { clearNextEntry, pendingNextEntry } from '../../src/kexec/installed-grubenv';
import { planBoot } from '../../src/kexec/plan';
import { detectRunningSystem } from '../../src/kexec/system';

const CLI = resolve('build/src/cli.js');
const KERNEL = resolve(process.arch === 'arm64' ? 'samples/armbian/boot/vmlinuz-6.6.16-current-rockchip64' : 'samples/debian-boot/vmlinuz-6.1.0-13-amd64');
// A hang fails: each child is killed after 10 s (and the test says so), each test after 60 s.
const T = { timeout: 60_000 };

const dir = mkdtempSync(join(tmpdir(), 'kexec-special-'));
const fifo = join(dir, 'fifo');
const zero = join(dir, 'zero');
before(() => {
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo (coreutils) makes the FIFO');
  symlinkSync('/dev/zero', zero);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.signal, null, `kexec-menu ${args.join(' ')} hung (killed after 10 s)`);
  return r;
}

test('openRegularFile: a FIFO, a link to /dev/zero and a folder are refused; block devices only where asked', T, () => {
  assert.deepEqual(openRegularFile(fifo), { ok: false, reason: 'not-regular' });
  assert.deepEqual(openRegularFile(zero, { blockDevices: true }), { ok: false, reason: 'not-regular', blockDevices: true });
  assert.deepEqual(openRegularFile(dir), { ok: false, reason: 'not-regular' });
  assert.deepEqual(openRegularFile(join(dir, 'none')), { ok: false, reason: 'missing' });
  assert.throws(() => readRegularFileOrThrow(fifo, 1 << 20), (e: unknown) => e instanceof FileReadError && e.code === 'EINVAL' && e.message === `${fifo} is not a regular file (a FIFO, device or folder is never read)`);
  assert.throws(() => regularFileStream(zero), FileReadError);
});

test('inspect on a FIFO and on a link to /dev/zero: exit 1 at once, one sentence naming the file', T, () => {
  for (const path of [fifo, zero]) {
    for (const json of [[], ['--json']]) {
      const r = cli('inspect', path, ...json);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `kexec-menu inspect: ${path} is neither a regular file nor a block device (a FIFO, character device, socket or folder is never read)\n`);
    }
  }
});

test('boot --dry-run with the kernel, an initrd or the DTB a FIFO or /dev/zero: the sentence names which file', T, () => {
  const cases: [string[], string][] = [
    [['--kernel', fifo], `The kernel ${fifo} is not a regular file`],
    [['--kernel', zero], `The kernel ${zero} is not a regular file`],
    [['--kernel', KERNEL, '--initrd', fifo], `The initrd ${fifo} is not a regular file`],
    [['--kernel', KERNEL, '--initrd', zero], `The initrd ${zero} is not a regular file`],
    [['--kernel', KERNEL, '--dtb', fifo], `${fifo} is not a regular file`],
    [['--kernel', KERNEL, '--dtb', zero], `${zero} is not a regular file`],
  ];
  for (const [args, sentence] of cases) {
    const r = cli('boot', ...args, '--dry-run');
    assert.equal(r.status, 1, r.stdout);
    assert.equal(r.stderr, `kexec-menu boot: ${sentence} (a FIFO, device or folder is never read).\n`);
  }
});

test('the kexec layer\'s own reads: kernel header, DTB file, plan; BootError with the sentence', T, async () => {
  for (const path of [fifo, zero]) {
    await assert.rejects(inspectBootFile(path, 'x86_64'), (e: unknown) => e instanceof BootError && e.sentence === `${path} is not a regular file (a FIFO, device or folder is never read).` && e.code === 'EINVAL');
    assert.throws(() => readDeviceTreeFile(path), (e: unknown) => e instanceof BootError && e.sentence.startsWith(`${path} is not a regular file`));
    await assert.rejects(planBoot({ label: 't', kernel: KERNEL, initrds: [path], overlays: [], cmdline: '', reuseCmdline: false }, detectRunningSystem()), /is not a regular file/);
  }
});

test('superblock probing (disks, inspect): a FIFO or /dev/zero is no file system, without blocking or reading for ever', T, () => {
  assert.throws(() => withFileSource(fifo, () => 1), FileReadError);
  assert.throws(() => withFileSource(zero, () => 1), FileReadError);
  assert.deepEqual(identifyPath(fifo), { type: 'unknown' });
  assert.deepEqual(identifyPath(zero), { type: 'unknown' });
});

test('a grubenv that is a FIFO or a link to /dev/zero: no one-shot read, none cleared', T, () => {
  for (const path of [fifo, zero]) {
    assert.equal(pendingNextEntry(path), undefined);
    assert.throws(() => clearNextEntry(path), (e: unknown) => e instanceof BootError && e.sentence === `${path} is not a regular file (a FIFO, device or folder is never read), so next_entry was left as it is.`);
  }
  const real = join(dir, 'grubenv');
  const block = '# GRUB Environment Block\nnext_entry=2\n';
  writeFileSync(real, block + '#'.repeat(1024 - block.length));
  assert.equal(pendingNextEntry(real), '2');
});

test('a partition whose initrd is a FIFO (a hostile disk): the scan leaves it out with a warning; boot ID --initrd FIFO refuses at once', T, () => {
  const root = join(dir, 'disk');
  mkdirSync(join(root, 'boot'), { recursive: true });
  copyFileSync(KERNEL, join(root, 'boot/vmlinuz-6.1.0-13-amd64'));
  const initrd = join(root, 'boot/initrd.img-6.1.0-13-amd64');
  assert.equal(spawnSync('mkfifo', [initrd]).status, 0);
  const list = cli('list', '--json', '--root', `${root}=name:vdz1`);
  assert.equal(list.status, 0, list.stderr);
  const menu = JSON.parse(list.stdout);
  assert.deepEqual(menu.entries[0].initrd, []);
  assert.ok(menu.diagnostics.some((d: { file: string; message: string }) => d.file === initrd && d.message.includes('not a regular file')));
  const r = cli('boot', menu.entries[0].id, '--root', `${root}=name:vdz1`, '--initrd', initrd, '--dry-run');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `kexec-menu boot: The initrd ${initrd} is not a regular file (a FIFO, device or folder is never read).\n`);
});
