// The README's read-only claim for the file systems this host's kernel cannot mount (issue 17),
// proven with Debian's kernel in the image: the host makes f2fs, exFAT, NTFS, ISO 9660 and a
// dirty ext3 with their own mkfs tools (test/disks/mount-setup.ts), each holding a loose kernel
// with its own name, and attaches them WRITABLE (readonly=off, the files themselves) to one
// boot. The menu's list proves each was mounted and read; a shell on ttyS1 reads the live
// mounts' options from /proc/mounts; after QEMU is stopped every image's sha256 is unchanged.
// Debian 12's kernel has no NTFS driver: its image must be reported and left as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { IMAGES, sha256 } from '../disks/mount-setup';
import { inittabFor } from './inittab';
import { SKIP_VM, Vm } from './vm';

const TYPES = ['f2fs', 'exfat', 'ntfs', 'iso9660', 'ext3'] as const;
/** What the mounts must show in /proc/mounts (beyond ro,nodev,nosuid,noexec). ext4 shows noload as norecovery. */
const NO_REPLAY: Partial<Record<(typeof TYPES)[number], RegExp>> = { f2fs: /,norecovery,/, ext3: /,(noload|norecovery),/ };
const title = (t: string): string => `Linux 9.9.9-${t}`;

/** The image's inittab for ttyS0, plus a root shell on ttyS1 (the test's window on /proc/mounts). */
function inittabWithShell(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-vmfs-inittab-'));
  try {
    const x = spawnSync('cpio', ['-i', '-d', '--quiet'], { cwd: dir, input: gunzipSync(inittabFor('ttyS0:115200')) });
    assert.equal(x.status, 0, x.stderr.toString());
    appendFileSync(join(dir, 'etc/inittab'), 'ttyS1::respawn:/bin/sh\n');
    const c = spawnSync('sh', ['-c', 'printf "etc\\netc/inittab\\n" | cpio -o -H newc -R 0:0 --quiet'], { cwd: dir });
    assert.equal(c.status, 0, c.stderr.toString());
    return gzipSync(c.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('f2fs, exFAT, NTFS, ISO 9660 and a dirty ext3 attached writable: mounted read-only with their options, their kernels listed, every image unchanged', { skip: SKIP_VM, timeout: 400_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-vmfs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const images = new Map<string, { img: string; hash: string; tree: boolean }>();
  for (const type of TYPES) {
    const content = join(dir, `content-${type}`);
    mkdirSync(join(content, 'boot'), { recursive: true });
    writeFileSync(join(content, 'boot', `vmlinuz-9.9.9-${type}`), `a ${type} kernel\n`);
    const img = join(dir, `${type}.img`);
    const { tree } = IMAGES[type].make(img, content);
    images.set(type, { img, hash: await sha256(img), tree: tree || type === 'ntfs' });
  }
  assert.ok(images.get('exfat')!.tree, 'the exFAT image holds its kernel (mount.exfat-fuse, as root)');

  const vm = new Vm({ append: 'kexec_menu.timeout=-1', secondSerial: true, initramfsExtra: inittabWithShell() });
  try {
    // Attached as QEMU starts, before the guest's PCI scan, as writable virtio disks.
    // QEMU makes its monitor socket as it starts: retry until it answers.
    for (let i = 0; ; i++) {
      try {
        await vm.monitor('info status');
        break;
      } catch (e) {
        if (i >= 100) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    let n = 0;
    for (const [type, { img }] of images) {
      const id = `fs${n++}`;
      const added = await vm.monitor(`drive_add 0 if=none,id=${id},file=${img},format=raw,readonly=off`);
      assert.match(added, /OK/, `${type}: drive_add`);
      assert.equal(await vm.monitor(`device_add virtio-blk-pci,drive=${id},id=${id}-dev`), '', `${type}: device_add`);
    }
    const listed = TYPES.filter((ty) => ty !== 'ntfs');
    const screen = await vm.waitForScreen((s) => listed.every((ty) => s.includes(title(ty))), 240, `the menu listing ${listed.map(title).join(', ')}`);
    assert.ok(!screen.includes(title('ntfs')), 'no NTFS driver in this kernel: its kernel is not listed');
    t.diagnostic(`menu after ${vm.elapsed().toFixed(0)} s:\n${screen}`);

    // The menu's mounts, live: type and the options that matter, one line each.
    const second = vm.second!;
    second.send(`awk '$1 ~ /^\\/dev\\/vd/ {n=split($4,o,","); s=""; for(i=1;i<=n;i++) if(o[i]~/^(ro|rw|nodev|nosuid|noexec|norecovery|noload)$/) s=s","o[i]; print "MNT", $3 s ","}' /proc/mounts; echo MNT-DONE\n`);
    const mountsText = await vm.waitForScreen((s) => /^MNT-DONE/m.test(s), 60, 'the mounts on ttyS1', second.screen);
    const mounts = new Map([...mountsText.matchAll(/^MNT (\S+?)(,\S*)$/gm)].map((m) => [m[1]!, m[2]!]));
    t.diagnostic(`/proc/mounts: ${[...mounts].map(([k, v]) => k + v).join(' ')}`);
    for (const type of listed) {
      const kernelType = type === 'ext3' ? (mounts.has('ext3') ? 'ext3' : 'ext4') : type;
      const o = mounts.get(kernelType);
      assert.ok(o, `${type} is mounted (${kernelType})`);
      for (const opt of ['ro', 'nodev', 'nosuid', 'noexec']) assert.ok(o.includes(`,${opt},`), `${type}: ${opt} in ${o}`);
      assert.ok(!o.includes(',rw,'), `${type}: not rw`);
      const want = NO_REPLAY[type];
      if (want) assert.match(o, want, `${type}: its no-replay option`);
    }
    assert.ok(![...mounts.keys()].some((k) => k.startsWith('ntfs')), 'NTFS not mounted');
    // The NTFS image's reason, as `disks --mount` reports it.
    second.send('clear; kexec-menu disks --mount | grep -i ntfs; echo NTFS-DONE\n');
    const ntfsText = await vm.waitForScreen((s) => /^NTFS-DONE/m.test(s), 90, 'the NTFS line of kexec-menu disks', second.screen);
    assert.match(ntfsText.replace(/\n/g, ''), /no ntfs driver/i, `the NTFS image reported with its reason:\n${ntfsText}`);
    t.diagnostic(`NTFS: ${ntfsText.split('\n').filter((l) => /ntfs/i.test(l)).join(' ').replace(/\s+/g, ' ')}`);
  } catch (e) {
    vm.saveLog(join(tmpdir(), 'kexec-menu-vm-mount-filesystems.log'));
    throw e;
  } finally {
    await vm.stop();
  }
  for (const [type, { img, hash }] of images) assert.equal(await sha256(img), hash, `${type} image unchanged`);
});
