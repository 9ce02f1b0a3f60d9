import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryFiles } from '../../src/fs/memory-files';
import { DirectoryFiles } from '../../src/fs/directory-files';
import { normalizePath, resolvePath } from '../../src/fs/paths';
import type { PartitionFiles } from '../../src/fs/files';
import { PARSERS } from '../../src/entries/scan/parsers';

test('paths never climb above the partition root', () => {
  assert.equal(normalizePath('../../etc/passwd'), '/etc/passwd');
  assert.equal(normalizePath('/boot//./grub/../vmlinuz'), '/boot/vmlinuz');
  assert.equal(resolvePath('/boot/extlinux', '../vmlinuz'), '/boot/vmlinuz');
  assert.equal(resolvePath('/boot/extlinux', '/Image'), '/Image');
});

// The same checks on both implementations, so tests on MemoryFiles mean the same on disk.
function confinementChecks(files: PartitionFiles): void {
  assert.equal(files.realPath('/vmlinuz'), '/boot/vmlinuz-6.1.0-13-amd64', 'relative link');
  assert.equal(files.realPath('/abs'), '/boot/vmlinuz-6.1.0-13-amd64', 'absolute link resolves inside the partition');
  assert.equal(files.readText('/escape'), undefined, 'a link climbing out lands at the root, where there is no passwd');
  assert.equal(files.realPath('/escape'), undefined);
  assert.equal(files.realPath('/loop'), undefined, 'link loops end');
  assert.equal(files.readText('/vmlinuz'), 'kernel');
  assert.equal(files.isDir('/boot'), true);
  assert.equal(files.isFile('/boot'), false);
  assert.deepEqual(files.list('/boot')?.sort(), ['Config.TXT', 'vmlinuz-6.1.0-13-amd64']);
  assert.equal(files.findIgnoringCase('/BOOT/config.txt'), '/boot/Config.TXT');
  assert.equal(files.findIgnoringCase('/boot/missing'), undefined);
}

test('MemoryFiles follows symlinks only inside the partition', () => {
  confinementChecks(
    new MemoryFiles({
      '/boot/vmlinuz-6.1.0-13-amd64': 'kernel',
      '/boot/Config.TXT': 'x',
      '/vmlinuz': { link: 'boot/vmlinuz-6.1.0-13-amd64' },
      '/abs': { link: '/boot/vmlinuz-6.1.0-13-amd64' },
      '/escape': { link: '../../../../etc/passwd' },
      '/loop': { link: 'loop' },
    }),
  );
});

test('DirectoryFiles follows symlinks only inside the partition', () => {
  const root = mkdtempSync(join(tmpdir(), 'kexec-menu-files-'));
  try {
    mkdirSync(join(root, 'boot'));
    writeFileSync(join(root, 'boot/vmlinuz-6.1.0-13-amd64'), 'kernel');
    writeFileSync(join(root, 'boot/Config.TXT'), 'x');
    symlinkSync('boot/vmlinuz-6.1.0-13-amd64', join(root, 'vmlinuz'));
    symlinkSync('/boot/vmlinuz-6.1.0-13-amd64', join(root, 'abs'));
    symlinkSync('../../../../etc/passwd', join(root, 'escape'));
    symlinkSync('loop', join(root, 'loop'));
    const files = new DirectoryFiles(root);
    confinementChecks(files);
    assert.equal(files.hostPath('/abs'), join(root, 'boot/vmlinuz-6.1.0-13-amd64'));
    // A pass's view keeps the rules, asked once and again from memory.
    const pass = files.forOnePass();
    confinementChecks(pass);
    confinementChecks(pass);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a pass over a tree remembers what it learnt until it ends; the next pass and the plain view see changes', () => {
  const root = mkdtempSync(join(tmpdir(), 'kexec-menu-files-'));
  try {
    mkdirSync(join(root, 'boot'));
    const files = new DirectoryFiles(root);
    const pass = files.forOnePass();
    assert.equal(pass.isFile('/boot/vmlinuz'), false);
    assert.deepEqual(pass.list('/boot'), []);
    writeFileSync(join(root, 'boot/vmlinuz'), 'kernel');
    assert.equal(pass.isFile('/boot/vmlinuz'), false, 'answered from memory');
    assert.deepEqual(pass.list('/boot'), [], 'answered from memory');
    assert.equal(files.isFile('/boot/vmlinuz'), true);
    const next = files.forOnePass();
    assert.equal(next.isFile('/boot/vmlinuz'), true);
    assert.deepEqual(next.list('/boot'), ['vmlinuz']);
    assert.equal(next.readText('/boot/vmlinuz'), 'kernel');
    // The listing handed out is a copy: sorting it does not change what the pass remembers.
    next.list('/boot')!.push('not there');
    assert.deepEqual(next.list('/boot'), ['vmlinuz']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('every reader finds the same on each fixture and sample tree through a pass as through the plain view', () => {
  const top = join(__dirname, '../../..');
  const trees = [
    ...readdirSync(join(top, 'test/fixtures')).flatMap((format) => readdirSync(join(top, 'test/fixtures', format)).map((t) => join(top, 'test/fixtures', format, t))),
    ...readdirSync(join(top, 'samples')).map((t) => join(top, 'samples', t)),
  ].filter((t) => statSync(t).isDirectory());
  assert.ok(trees.length > 20, `${trees.length} trees`);
  const machine = { efiArch: 'x64' } as const;
  for (const tree of trees) {
    const plain = new DirectoryFiles(tree);
    const pass = plain.forOnePass();
    for (const parser of Object.values(PARSERS)) {
      assert.deepEqual(parser.parse(pass, 'p1', machine), parser.parse(plain, 'p1', machine), `${parser.format} on ${tree}`);
    }
  }
});
