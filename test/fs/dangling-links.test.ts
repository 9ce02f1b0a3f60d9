// A config or entries folder that is a symlink leading off the partition (an absolute link
// meant for the installed system's own root, one that climbs out, a loop) is not followed
// outside; the scan says so, naming the link, instead of skipping it without a word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryFiles } from '../../src/fs/directory-files';
import { parsePartition } from '../../src/entries/scan/scan';
import { ALL_FORMATS } from '../../src/entries/model';

test('a grub.cfg, an entries folder, an extlinux.conf, a YAML menu and a config.txt that are links leading nowhere on the partition: one warning each, naming the link and its target', () => {
  const root = mkdtempSync(join(tmpdir(), 'kexec-menu-links-'));
  try {
    mkdirSync(join(root, 'boot/grub'), { recursive: true });
    mkdirSync(join(root, 'loader'));
    mkdirSync(join(root, 'extlinux'));
    symlinkSync('/mnt/sysroot/boot/grub/grub.cfg', join(root, 'boot/grub/grub.cfg'));
    symlinkSync('../../../../../etc/loader/entries', join(root, 'loader/entries'));
    symlinkSync('../../outside/extlinux.conf', join(root, 'extlinux/extlinux.conf'));
    symlinkSync('/home/user/kexec-menu.yaml', join(root, 'boot/kexec-menu.yaml'));
    symlinkSync('config.txt', join(root, 'config.txt'));
    // A link that stays inside is followed as before, and not reported.
    mkdirSync(join(root, 'real'));
    writeFileSync(join(root, 'real/vmlinuz-6.1.0-1-amd64'), 'k');
    symlinkSync('/real/vmlinuz-6.1.0-1-amd64', join(root, 'boot/vmlinuz-6.1.0-1-amd64'));
    const scan = parsePartition({ info: { name: 'sda1' }, root, files: new DirectoryFiles(root) }, { formats: ALL_FORMATS }, { efiArch: 'x64' });
    const warned = scan.diagnostics.filter((d) => /symbolic link/.test(d.message)).map((d) => [d.severity, d.file, d.message]);
    const link = (path: string, target: string) => ['warning', join(root, path), `not read: it is a symbolic link to ${target} that leads to nothing on this partition (links are followed inside the partition only)`];
    assert.deepEqual(
      warned.sort(),
      [
        link('boot/grub/grub.cfg', '/mnt/sysroot/boot/grub/grub.cfg'),
        link('loader/entries', '../../../../../etc/loader/entries'),
        link('extlinux/extlinux.conf', '../../outside/extlinux.conf'),
        link('boot/kexec-menu.yaml', '/home/user/kexec-menu.yaml'),
        link('config.txt', 'config.txt'),
      ].sort(),
    );
    assert.deepEqual(scan.entries.map((e) => `${e.source.format} ${e.kernel.path}`), ['loose /real/vmlinuz-6.1.0-1-amd64']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
