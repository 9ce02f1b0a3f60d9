// A file on a partition that a reader cannot have as it is — a FIFO, a device, one larger than
// a config may be, or text that is not UTF-8 — is a diagnostic naming it, never silence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryFiles, MAX_TEXT_BYTES } from '../../src/fs/directory-files';
import { MemoryFiles } from '../../src/fs/memory-files';
import { parsePartition } from '../../src/entries/scan/scan';
import { ALL_FORMATS } from '../../src/entries/model';

const MACHINE = { efiArch: 'x64' } as const;

function withTree(fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'kexec-menu-problems-'));
  try {
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('a pass records a FIFO, a file over the cap and invalid UTF-8, each once; the plain view and MemoryFiles record none', () => {
  withTree((root) => {
    mkdirSync(join(root, 'boot/grub'), { recursive: true });
    assert.equal(spawnSync('mkfifo', [join(root, 'boot/grub/grub.cfg')]).status, 0);
    writeFileSync(join(root, 'big.cfg'), Buffer.alloc(MAX_TEXT_BYTES + 1, 0x61));
    writeFileSync(join(root, 'latin1.cfg'), Buffer.from('label caf\xe9\n', 'latin1'));
    writeFileSync(join(root, 'fine.cfg'), 'label café\n');
    const plain = new DirectoryFiles(root);
    const pass = plain.forOnePass();
    assert.equal(pass.isFile('/boot/grub/grub.cfg'), false);
    assert.equal(pass.readText('/boot/grub/grub.cfg'), undefined);
    assert.equal(pass.readText('/big.cfg'), undefined);
    assert.equal(pass.readText('/big.cfg'), undefined);
    assert.equal(pass.readText('latin1.cfg'), 'label caf\ufffd\n');
    assert.equal(pass.readText('/fine.cfg'), 'label café\n');
    assert.deepEqual(pass.readProblems(), [
      { path: '/boot/grub/grub.cfg', problem: 'not-regular' },
      { path: '/big.cfg', problem: 'too-large', size: MAX_TEXT_BYTES + 1, limit: MAX_TEXT_BYTES },
      { path: '/latin1.cfg', problem: 'invalid-utf8' },
    ]);
    assert.equal(plain.readText('/big.cfg'), undefined);
    assert.deepEqual(plain.readProblems(), []);
    assert.deepEqual(plain.forOnePass().readProblems(), [], 'a new pass starts with none');
    assert.deepEqual(new MemoryFiles({ '/a': 'x' }).readProblems(), []);
  });
});

test('the scan turns them into diagnostics naming each file, and the partition\'s other configs still give their entries', () => {
  withTree((root) => {
    mkdirSync(join(root, 'boot/grub'), { recursive: true });
    mkdirSync(join(root, 'extlinux'));
    mkdirSync(join(root, 'loader/entries'), { recursive: true });
    // A 50 MB one-line grub.cfg: refused by its size before a byte is read.
    writeFileSync(join(root, 'boot/grub/grub.cfg'), Buffer.alloc(50 * 1024 * 1024, 0x78));
    writeFileSync(join(root, 'extlinux/extlinux.conf'), Buffer.from('label caf\xe9\n  kernel /vmlinuz\n', 'latin1'));
    assert.equal(spawnSync('mkfifo', [join(root, 'loader/entries/fifo.conf')]).status, 0);
    writeFileSync(join(root, 'loader/entries/good.conf'), 'title Good\nlinux /vmlinuz\n');
    writeFileSync(join(root, 'vmlinuz'), 'k');
    const scan = parsePartition({ info: { name: 'sda1' }, root, files: new DirectoryFiles(root) }, { formats: ALL_FORMATS }, MACHINE);
    const about = (file: string) => scan.diagnostics.filter((d) => d.file === join(root, file)).map((d) => `${d.severity}: ${d.message}`);
    assert.deepEqual(about('boot/grub/grub.cfg'), ['error: not read: at 50 MiB it is larger than the 4 MiB a boot config may be']);
    assert.deepEqual(about('loader/entries/fifo.conf'), ['warning: not read: it is a FIFO, device or socket, not a regular file (reading one could block the menu or never end)']);
    assert.deepEqual(about('extlinux/extlinux.conf'), ['info: holds bytes that are not UTF-8: each was read as U+FFFD, so a title or path with one may not show or match as meant']);
    const titles = scan.entries.map((e) => `${e.source.format} ${e.title}`);
    assert.ok(titles.includes('bls Good'), titles.join(', '));
    assert.ok(titles.includes('extlinux caf\ufffd'), titles.join(', '));
  });
});
