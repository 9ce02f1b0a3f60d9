// Real file-system images for the disks tests, made with the real tools (mkfs.*, mksquashfs,
// xorriso, genisoimage, mkntfs) in a temporary folder: sparse files, a few MB each. Each
// case names the blkid TYPE it must be; tests compare our reading with `blkid -p -o export`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './loop';

export interface ImageCase {
  /** Test name and file name. */
  readonly name: string;
  /** The program that must be on PATH (its test fails without it: see needTool). */
  readonly tool: string;
  /** The Debian package that has it (.ci/apt-packages). */
  readonly pkg: string;
  /** Makes the image at `img`; `dir` is a scratch folder. */
  readonly make: (img: string, dir: string) => void;
  readonly type: string;
}

/**
 * Throws unless `tool` is on PATH. npm test installs every package of .ci/apt-packages before
 * any test runs, so a missing tool is an error here, never a skip or a case left out.
 */
export function needTool(tool: string): void {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0) return;
  throw new Error(`${tool} is not installed: the tests need every package of .ci/apt-packages (npm test installs them as root; otherwise run: sudo node scripts/test-tools.mjs)`);
}

function sparse(img: string, size: string): void {
  run('truncate', ['-s', size, img]);
}

function tree(dir: string): string {
  const src = join(dir, 'tree');
  mkdirSync(join(src, 'boot'), { recursive: true });
  writeFileSync(join(src, 'boot', 'vmlinuz-6.1.0-test'), 'not a kernel\n');
  return src;
}

export const IMAGE_CASES: readonly ImageCase[] = [
  { name: 'ext2 with label and UUID', tool: 'mkfs.ext2', pkg: 'e2fsprogs', type: 'ext2', make: (img) => (sparse(img, '4M'), run('mkfs.ext2', ['-q', '-F', '-L', 'boot-ext2', '-U', '0f6e1c35-9f3e-4f9a-8d6b-3c1a2b4d5e6f', img])) },
  { name: 'ext3 with a label holding a space', tool: 'mkfs.ext3', pkg: 'e2fsprogs', type: 'ext3', make: (img) => (sparse(img, '8M'), run('mkfs.ext3', ['-q', '-F', '-L', 'root fs', img])) },
  { name: 'ext4 (metadata_csum) with a UTF-8 label', tool: 'mkfs.ext4', pkg: 'e2fsprogs', type: 'ext4', make: (img) => (sparse(img, '8M'), run('mkfs.ext4', ['-q', '-F', '-O', 'metadata_csum', '-L', 'ünïcödé', img])) },
  { name: 'ext4 without metadata_csum or label', tool: 'mkfs.ext4', pkg: 'e2fsprogs', type: 'ext4', make: (img) => (sparse(img, '8M'), run('mkfs.ext4', ['-q', '-F', '-O', '^metadata_csum', img])) },
  {
    name: 'ext4 whose journal needs recovery',
    tool: 'debugfs',
    pkg: 'e2fsprogs',
    type: 'ext4',
    make: (img) => (sparse(img, '8M'), run('mkfs.ext4', ['-q', '-F', '-L', 'dirty', img]), run('debugfs', ['-w', '-R', 'feature needs_recovery', img])),
  },
  {
    name: 'ext3 whose journal needs recovery',
    tool: 'debugfs',
    pkg: 'e2fsprogs',
    type: 'ext3',
    make: (img) => (sparse(img, '8M'), run('mkfs.ext3', ['-q', '-F', img]), run('debugfs', ['-w', '-R', 'feature needs_recovery', img])),
  },
  { name: 'FAT12 with label and volume id', tool: 'mkfs.vfat', pkg: 'dosfstools', type: 'vfat', make: (img) => run('mkfs.vfat', ['-C', '-F', '12', '-n', 'FLOPPY', '-i', '1234ABCD', img, '1024']) },
  { name: 'FAT16 with label and volume id', tool: 'mkfs.vfat', pkg: 'dosfstools', type: 'vfat', make: (img) => run('mkfs.vfat', ['-C', '-F', '16', '-n', 'EFI SYSTEM', '-i', '0B1D5E7A', img, '16384']) },
  { name: 'FAT32 with label and volume id', tool: 'mkfs.vfat', pkg: 'dosfstools', type: 'vfat', make: (img) => run('mkfs.vfat', ['-C', '-F', '32', '-s', '1', '-n', 'RPI-BOOT', '-i', 'DEADBEEF', img, '40960']) },
  { name: 'FAT32 without a label', tool: 'mkfs.vfat', pkg: 'dosfstools', type: 'vfat', make: (img) => run('mkfs.vfat', ['-C', '-F', '32', '-s', '1', img, '40960']) },
  { name: 'exFAT with a label', tool: 'mkfs.exfat', pkg: 'exfatprogs', type: 'exfat', make: (img) => (sparse(img, '16M'), run('mkfs.exfat', ['-L', 'Ventoy Disk', img])) },
  { name: 'btrfs with label and UUID', tool: 'mkfs.btrfs', pkg: 'btrfs-progs', type: 'btrfs', make: (img) => (sparse(img, '128M'), run('mkfs.btrfs', ['-q', '-f', '-L', 'fedora_root', '-U', '8e4b7f51-2a6c-4d0e-9b3f-17c2d5a8e960', img])) },
  { name: 'xfs with label and UUID', tool: 'mkfs.xfs', pkg: 'xfsprogs', type: 'xfs', make: (img) => (sparse(img, '300M'), run('mkfs.xfs', ['-q', '-f', '-L', 'xfsboot', '-m', 'uuid=5d0c4a8e-7b1f-4e2a-9c6d-3f8e2b1a0c7d', img])) },
  { name: 'f2fs with label, UUID and a superblock checksum', tool: 'mkfs.f2fs', pkg: 'f2fs-tools', type: 'f2fs', make: (img) => (sparse(img, '64M'), run('mkfs.f2fs', ['-q', '-f', '-O', 'sb_checksum', '-l', 'android-data', '-U', 'c3a9e2f1-6b4d-4a8e-b7c5-2d1f0e9a8b76', img])) },
  { name: 'squashfs', tool: 'mksquashfs', pkg: 'squashfs-tools', type: 'squashfs', make: (img, dir) => run('mksquashfs', [tree(dir), img, '-quiet', '-noappend', '-no-progress']) },
  { name: 'ISO 9660 with Rock Ridge, no Joliet (xorriso)', tool: 'xorriso', pkg: 'xorriso', type: 'iso9660', make: (img, dir) => run('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-V', 'KEXEC_TEST', '-o', img, tree(dir)]) },
  { name: 'ISO 9660 with Joliet and Rock Ridge (xorriso)', tool: 'xorriso', pkg: 'xorriso', type: 'iso9660', make: (img, dir) => run('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-V', 'Live Image', '-o', img, tree(dir)]) },
  {
    name: 'ISO 9660 with Joliet and a volume id longer than Joliet allows (genisoimage)',
    tool: 'genisoimage',
    pkg: 'genisoimage',
    type: 'iso9660',
    make: (img, dir) => run('genisoimage', ['-quiet', '-R', '-J', '-V', 'Debian 12.5.0 amd64 n', '-o', img, tree(dir)]),
  },
  { name: 'NTFS with a label', tool: 'mkntfs', pkg: 'ntfs-3g', type: 'ntfs', make: (img) => (sparse(img, '16M'), run('mkntfs', ['-q', '-Q', '-F', '-L', 'Windows', img])) },
];

/** `blkid -p -o export -d` of a file as a map (values raw, not escaped). */
export function blkidExport(img: string): Map<string, string> {
  const r = spawnSync('blkid', ['-p', '-o', 'export', '-d', img], { encoding: 'utf8' });
  const out = new Map<string, string>();
  for (const line of (r.stdout ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}
