// What the mount tests share: images made in a temporary folder from one small tree, attached
// read-write to loop devices (detached and removed when the test ends), their sha256 taken
// before kexec-menu sees them, and discovery options confined to this test's own devices.
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sys from '../../src/sys';
import { attachLoop, type Loop } from './loop';

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
