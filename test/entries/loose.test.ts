import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { looseParser, NO_CMDLINE_NOTE } from '../../src/entries/loose';
import { isKernelName, kernelVersionOf } from '../../src/entries/loose-names';
import { MemoryFiles } from '../../src/fs/memory-files';
import { DirectoryFiles } from '../../src/fs/directory-files';
import type { ParsedEntry } from '../../src/entries/model';
import type { PartitionFiles } from '../../src/fs/files';

const FIXTURES = join(__dirname, '../../../test/fixtures/loose');
const self = (path: string) => ({ partition: { by: 'self' as const }, path });

function parse(files: PartitionFiles) {
  return looseParser.parse(files, 'sda2', { efiArch: 'x64' });
}

function entry(e: { localId?: string; title: string; version?: string; kernel: string; initrds: string[]; notes?: string[] }): ParsedEntry {
  return {
    ...(e.version !== undefined ? { version: e.version } : {}),
    kernel: self(e.kernel),
    overlays: [],
    cmdline: '',
    reuseCmdline: false,
    isDefault: false,
    source: { format: 'loose', file: e.kernel, line: 1, partition: 'sda2' },
    localId: e.localId ?? e.kernel,
    title: e.title,
    initrds: e.initrds.map(self),
    notes: e.notes ?? [NO_CMDLINE_NOTE],
  };
}

test('kernel names', () => {
  for (const n of ['vmlinuz', 'vmlinuz.old', 'vmlinuz-6.1.0-13-amd64', 'Image', 'Image.gz', 'zImage', 'bzImage', 'vmlinux-6.1.0-13-powerpc64le', 'vmlinuz-linux']) {
    assert.equal(isKernelName(n), true, n);
  }
  for (const n of ['initrd.img', 'config-6.1.0-13-amd64', 'vmlinuz-6.1.0-13-amd64.dpkg-bak', 'vmlinuz-6.1.sig', '.vmlinuz-6.5.6-300.fc39.x86_64.hmac', 'System.map-6.1', 'Imagination']) {
    assert.equal(isKernelName(n), false, n);
  }
  assert.equal(kernelVersionOf('vmlinuz-6.1.0-13-amd64'), '6.1.0-13-amd64');
  assert.equal(kernelVersionOf('vmlinuz-linux'), undefined);
  assert.equal(kernelVersionOf('vmlinuz'), undefined);
});

// A Debian root file system: two kernels in /boot and the /vmlinuz, /vmlinuz.old links
// to them, which are not listed a second time. Newest first.
test('Debian root: /boot kernels, links not listed twice', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'debian-root')));
  assert.deepEqual(r.entries, [
    entry({ title: 'Linux 6.1.0-18-amd64', version: '6.1.0-18-amd64', kernel: '/boot/vmlinuz-6.1.0-18-amd64', initrds: ['/boot/initrd.img-6.1.0-18-amd64'] }),
    entry({ title: 'Linux 6.1.0-13-amd64', version: '6.1.0-13-amd64', kernel: '/boot/vmlinuz-6.1.0-13-amd64', initrds: ['/boot/initrd.img-6.1.0-13-amd64'] }),
  ]);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.configTimeout, undefined);
});

// Arch's /boot partition: vmlinuz-linux and vmlinuz-linux-lts, each with its fallback
// image as a second entry, and the microcode images first in every initrd list.
test('Arch /boot partition: fallback entries and microcode first', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'arch-boot')));
  const ucode = ['/intel-ucode.img', '/amd-ucode.img'];
  assert.deepEqual(r.entries, [
    entry({ title: 'Linux', kernel: '/vmlinuz-linux', initrds: [...ucode, '/initramfs-linux.img'] }),
    entry({ localId: '/vmlinuz-linux#fallback', title: 'Linux (fallback initramfs)', kernel: '/vmlinuz-linux', initrds: [...ucode, '/initramfs-linux-fallback.img'] }),
    entry({ title: 'Linux lts', kernel: '/vmlinuz-linux-lts', initrds: [...ucode, '/initramfs-linux-lts.img'] }),
    entry({ localId: '/vmlinuz-linux-lts#fallback', title: 'Linux lts (fallback initramfs)', kernel: '/vmlinuz-linux-lts', initrds: [...ucode, '/initramfs-linux-lts-fallback.img'] }),
  ]);
});

// Fedora's /boot partition: initramfs-VER.img, the rescue kernel, .hmac files ignored;
// 6.7.4 sorts before 6.5.6 by version, not by name.
test('Fedora /boot partition', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'fedora39-boot')));
  const rescue = '0-rescue-6a9b2c1d0e8f4a7b9c3d5e1f2a4b6c8d';
  assert.deepEqual(r.entries, [
    entry({ title: 'Linux 6.7.4-200.fc39.x86_64', version: '6.7.4-200.fc39.x86_64', kernel: '/vmlinuz-6.7.4-200.fc39.x86_64', initrds: ['/initramfs-6.7.4-200.fc39.x86_64.img'] }),
    entry({ title: 'Linux 6.5.6-300.fc39.x86_64', version: '6.5.6-300.fc39.x86_64', kernel: '/vmlinuz-6.5.6-300.fc39.x86_64', initrds: ['/initramfs-6.5.6-300.fc39.x86_64.img'] }),
    entry({ title: `Linux ${rescue}`, version: rescue, kernel: `/vmlinuz-${rescue}`, initrds: [`/initramfs-${rescue}.img`] }),
  ]);
});

test('bare kernels: /vmlinuz as a file, Image without initramfs, a dangling link, .old pairs', () => {
  const r = parse(
    new MemoryFiles({
      '/vmlinuz': 'k',
      '/initrd.img': 'i',
      '/vmlinuz.old': 'k-old',
      '/initrd.img.old': 'i-old',
      '/boot/Image': 'arm64',
      '/boot/zImage': { link: 'missing-target' },
      '/boot/vmlinuz-6.6.1': 'k',
      '/boot/initrd-6.6.1': 'suse-style',
      '/boot/vmlinuz-5.10.0': 'k',
      '/boot/vmlinuz-5.10.0.sig': 'signature',
    }),
  );
  assert.deepEqual(r.entries, [
    entry({ title: 'Linux 6.6.1', version: '6.6.1', kernel: '/boot/vmlinuz-6.6.1', initrds: ['/boot/initrd-6.6.1'] }),
    entry({ title: 'Linux 5.10.0', version: '5.10.0', kernel: '/boot/vmlinuz-5.10.0', initrds: [], notes: [NO_CMDLINE_NOTE, 'no initramfs was found beside this kernel'] }),
    entry({ title: 'Linux (/boot/Image)', kernel: '/boot/Image', initrds: [], notes: [NO_CMDLINE_NOTE, 'no initramfs was found beside this kernel'] }),
    entry({ title: 'Linux (/vmlinuz)', kernel: '/vmlinuz', initrds: ['/initrd.img'] }),
    entry({ title: 'Linux (/vmlinuz.old)', kernel: '/vmlinuz.old', initrds: ['/initrd.img.old'] }),
  ]);
});

test('nothing to find, and a link loop, give no entries and no exception', () => {
  assert.deepEqual(parse(new MemoryFiles({ '/etc/fstab': 'x' })), { entries: [], diagnostics: [] });
  assert.deepEqual(parse(new MemoryFiles({ '/vmlinuz': { link: 'vmlinuz' }, '/boot': { link: '/boot' } })), { entries: [], diagnostics: [] });
});
