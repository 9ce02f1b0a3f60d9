// The image's /etc/inittab for other console ports, as board/kexec-menu/post-build.sh writes it
// for BR2_PACKAGE_KEXEC_MENU_CONSOLES, in a small cpio the VM tests append to the initramfs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TOP } from './vm';

const BOARD = join(TOP, 'buildroot-external/board/kexec-menu');

/** A gzip'd cpio holding /etc/inittab as post-build.sh writes it for `consoles`. */
export function inittabFor(consoles: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-inittab-'));
  try {
    cpSync(join(BOARD, 'rootfs-overlay'), join(dir, 'root'), { recursive: true });
    writeFileSync(join(dir, 'config'), `BR2_PACKAGE_KEXEC_MENU_CONSOLES="${consoles}"\nBR2_PACKAGE_KEXEC_MENU_TERM="vt100"\nBR2_PACKAGE_KEXEC_MENU_SETTINGS=""\n`);
    const post = spawnSync(join(BOARD, 'post-build.sh'), [join(dir, 'root')], { env: { ...process.env, BR2_CONFIG: join(dir, 'config') }, encoding: 'utf8' });
    assert.equal(post.status, 0, post.stderr);
    const cpio = spawnSync('sh', ['-c', 'printf "etc\\netc/inittab\\n" | cpio -o -H newc -R 0:0 --quiet'], { cwd: join(dir, 'root') });
    assert.equal(cpio.status, 0, cpio.stderr.toString());
    return gzipSync(cpio.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
