// What the mount tests share: images made in a temporary folder from one small tree, attached
// read-write to loop devices (detached and removed when the test ends), their sha256 taken
// before kexec-menu sees them, and discovery options confined to this test's own devices.
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, createReadStream, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as sys from '../../src/sys';
import { attachLoop, type Loop, run } from './loop';

export async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function kernelHas(fs: string): boolean {
  return readFileSync('/proc/filesystems', 'utf8').split('\n').some((l) => l.split('\t')[1] === fs);
}

export interface Disk {
  readonly img: string;
  readonly loop: Loop;
  readonly hash: string;
}

export function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-mount-'));
  const loops: Loop[] = [];
  t.after(() => {
    for (const l of loops) l.detach();
    rmSync(dir, { recursive: true, force: true });
  });
  const content = join(dir, 'content');
  mkdirSync(join(content, 'boot'), { recursive: true });
  writeFileSync(join(content, 'boot', 'vmlinuz-linux'), 'a kernel\n');
  const attach = async (name: string, make: (img: string) => void): Promise<Disk> => {
    const img = join(dir, name);
    make(img);
    const hash = await sha256(img);
    const loop = attachLoop(img);
    loops.push(loop);
    return { img, loop, hash };
  };
  /** Options that confine a discovery to this test's own loop devices. */
  const ours = {
    baseDir: join(dir, 'run'),
    accept: (d: { backingFile?: string }) => d.backingFile?.startsWith(dir + '/') === true,
    allow: () => undefined,
  };
  return { dir, content, attach, ours };
}

/** The sha256 of a copy of `img` after the usual read-only mount (`mount -o ro`) and unmount: the control that a test's unchanged hash could have failed. */
export async function plainMountHash(dir: string, img: string, fstype: string): Promise<string> {
  const copy = join(dir, `control-${fstype}.img`);
  copyFileSync(img, copy);
  const l = attachLoop(copy);
  try {
    const mnt = mkdtempSync(join(dir, 'plain-'));
    sys.mount(l.device, mnt, fstype, sys.MS_RDONLY, null);
    sys.umount2(mnt, 0);
  } finally {
    l.detach();
  }
  return sha256(copy);
}

/** Whether a program is on the PATH (sbin included). */
export function hasProgram(name: string): boolean {
  return ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => {
    try {
      return statSync(join(d, name)).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * The images the file-system tests share, each made with that file system's own mkfs from
 * `content` (a folder tree). `tree` says whether the image holds it: exFAT only through the
 * FUSE driver (mount.exfat-fuse on a loop device, as root); NTFS through ntfscp, files only, in folders that
 * mkntfs made (the root), so a tree's files are copied flat to the root.
 */
export interface ImageMaker {
  readonly type: string;
  readonly make: (img: string, content: string) => { readonly tree: boolean };
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

export const IMAGES: Record<'f2fs' | 'exfat' | 'ntfs' | 'iso9660' | 'ext3', ImageMaker> = {
  f2fs: {
    type: 'f2fs',
    make: (img, content) => (run('truncate', ['-s', '64M', img]), run('mkfs.f2fs', ['-q', '-f', '-l', 'f2fsroot', img]), run('sload.f2fs', ['-f', content, img]), { tree: true }),
  },
  exfat: {
    type: 'exfat',
    make: (img, content) => {
      run('truncate', ['-s', '16M', img]);
      run('mkfs.exfat', ['-L', 'Ventoy', img]);
      // Never a silently empty image: without the FUSE driver (Debian's exfat-fuse, in
      // .ci/apt-packages) or root, making it fails with the reason.
      if (process.getuid?.() !== 0) throw new Error('the exFAT test image needs root (a loop device for mount.exfat-fuse)');
      if (!hasProgram('mount.exfat-fuse')) throw new Error('the exFAT test image needs mount.exfat-fuse (Debian package exfat-fuse, listed in .ci/apt-packages)');
      const mnt = mkdtempSync(join(tmpdir(), 'kexec-menu-exfat-'));
      // As root the FUSE driver mounts with blkdev, which wants a block device: a loop device.
      const l = attachLoop(img);
      try {
        run('mount.exfat-fuse', [l.device, mnt]);
        try {
          cpSync(content, mnt, { recursive: true });
        } finally {
          run('fusermount', ['-u', mnt]);
        }
      } finally {
        l.detach();
        rmSync(mnt, { recursive: true, force: true });
      }
      return { tree: true };
    },
  },
  ntfs: {
    type: 'ntfs',
    make: (img, content) => {
      run('truncate', ['-s', '16M', img]);
      run('mkntfs', ['-q', '-Q', '-F', '-L', 'Windows', img]);
      for (const f of files(content)) run('ntfscp', ['-f', img, f, '/' + relative(content, f).split('/').pop()!]);
      return { tree: false };
    },
  },
  iso9660: {
    type: 'iso9660',
    make: (img, content) => (run('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-V', 'LIVE', '-o', img, content]), { tree: true }),
  },
  // A journal that needs recovery (needs_recovery set): the usual ro mount would replay it.
  ext3: {
    type: 'ext3',
    make: (img, content) => (
      run('truncate', ['-s', '16M', img]),
      run('mkfs.ext3', ['-q', '-F', '-L', 'dirty-ext3', '-d', content, img]),
      run('debugfs', ['-w', '-R', 'feature needs_recovery', img]),
      { tree: true }
    ),
  },
};
