// Special files named by a disk or a settings path: never a hang, never an endless read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryFiles } from '../../src/fs/directory-files';
import { readRegularFile } from '../../src/fs/regular-file';
import { readSettingsFile } from '../../src/settings/load';

function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-special-'));
  mkdirSync(join(dir, 'boot/grub'), { recursive: true });
  const made = spawnSync('mkfifo', [join(dir, 'boot/grub/grub.cfg')]);
  assert.equal(made.status, 0, 'mkfifo (coreutils) makes the FIFO');
  symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
  writeFileSync(join(dir, 'plain.cfg'), 'timeout 3\n');
  writeFileSync(join(dir, 'big.cfg'), Buffer.alloc(4096, 0x61));
  return dir;
}

test('readRegularFile: a FIFO, /dev/zero and a file over the limit are refused at once; a plain file is read', { timeout: 10_000 }, (t) => {
  const dir = tree();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(readRegularFile(join(dir, 'boot/grub/grub.cfg'), 1 << 20), { ok: false, reason: 'not-regular' });
  assert.deepEqual(readRegularFile(join(dir, 'zero.yaml'), 1 << 20), { ok: false, reason: 'not-regular' });
  assert.deepEqual(readRegularFile(join(dir, 'big.cfg'), 1000), { ok: false, reason: 'too-large', size: 4096 });
  assert.deepEqual(readRegularFile(join(dir, 'nothing'), 1000), { ok: false, reason: 'missing' });
  const plain = readRegularFile(join(dir, 'plain.cfg'), 1000);
  assert.ok(plain.ok);
  assert.equal(plain.bytes.toString(), 'timeout 3\n');
});

test('a partition whose grub.cfg is a FIFO: the view reads nothing there, without blocking', { timeout: 10_000 }, (t) => {
  const dir = tree();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files = new DirectoryFiles(dir);
  assert.equal(files.readText('/boot/grub/grub.cfg'), undefined);
  assert.equal(files.readText('/zero.yaml'), undefined);
  assert.equal(files.readText('/plain.cfg'), 'timeout 3\n');
});

test('a settings file that is a FIFO or a link to /dev/zero is an error naming it, at once', { timeout: 10_000 }, (t) => {
  const dir = tree();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'boot/grub/grub.cfg');
  assert.throws(() => readSettingsFile(fifo), { message: `${fifo}: is not a regular file (a FIFO, device or folder is never read)` });
  const zero = join(dir, 'zero.yaml');
  assert.throws(() => readSettingsFile(zero), { message: `${zero}: is not a regular file (a FIFO, device or folder is never read)` });
});
