// The README's claim, one file system at a time: f2fs (`norecovery`), exFAT, NTFS, ISO 9660
// and ext3 (`noload`, with a journal that needs recovery) are each found, made read-only,
// mounted with their no-replay option where the running kernel has the driver (or reported
// with the reason and left as found where it has not), and every image is byte for byte the
// same after the scan and the unmount.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiskDiscovery } from '../../src/disks/discovery';
import * as sys from '../../src/sys';
import { loopUnavailable, run } from './loop';
import { type Disk, kernelHas, plainMountHash, setup, sha256 } from './mount-setup';

const skip = loopUnavailable();

interface Case {
  readonly type: string;
  /** The kernel's names for its drivers (/proc/filesystems): any one will do. */
  readonly drivers: readonly string[];
  readonly make: (img: string, content: string) => void;
  /** The mount options kexec-menu must use. */
  readonly options: string;
  /** Whether the image holds the test's tree (some mkfs cannot add files). */
  readonly hasTree: boolean;
}

const CASES: readonly Case[] = [
  {
    type: 'f2fs',
    drivers: ['f2fs'],
    make: (img, content) => (run('truncate', ['-s', '64M', img]), run('mkfs.f2fs', ['-q', '-f', '-l', 'f2fsroot', img]), run('sload.f2fs', ['-f', content, img])),
    options: 'ro,nodev,nosuid,noexec,norecovery',
    hasTree: true,
  },
  { type: 'exfat', drivers: ['exfat'], make: (img) => (run('truncate', ['-s', '16M', img]), run('mkfs.exfat', ['-L', 'Ventoy', img])), options: 'ro,nodev,nosuid,noexec', hasTree: false },
  { type: 'ntfs', drivers: ['ntfs3', 'ntfs'], make: (img) => (run('truncate', ['-s', '16M', img]), run('mkntfs', ['-q', '-Q', '-F', '-L', 'Windows', img])), options: 'ro,nodev,nosuid,noexec', hasTree: false },
  { type: 'iso9660', drivers: ['iso9660'], make: (img, content) => run('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-V', 'LIVE', '-o', img, content]), options: 'ro,nodev,nosuid,noexec', hasTree: true },
  {
    type: 'ext3',
    drivers: ['ext3', 'ext4'],
    make: (img, content) => (
      run('truncate', ['-s', '16M', img]),
      run('mkfs.ext3', ['-q', '-F', '-L', 'dirty-ext3', '-d', content, img]),
      run('debugfs', ['-w', '-R', 'feature needs_recovery', img])
    ),
    options: 'ro,nodev,nosuid,noexec,noload',
    hasTree: true,
  },
];

test('f2fs, exFAT, NTFS, ISO 9660 and a dirty ext3: each mounted read-only with its option where the kernel can, and every image unchanged', { skip }, async (t) => {
  const { dir, content, attach, ours } = setup(t);
  const disks = new Map<Case, Disk>();
  for (const c of CASES) disks.set(c, await attach(`${c.type}.img`, (img) => c.make(img, content)));
  const discovery = new DiskDiscovery(ours);
  await discovery.scan();
  const states = new Map(discovery.states().map((s) => [s.device.name, s]));
  const mounted: string[] = [];
  for (const [c, disk] of disks) {
    const s = states.get(disk.loop.name);
    assert.ok(s, `${c.type} was found`);
    assert.equal(s.identity.type, c.type);
    if (c.drivers.some(kernelHas)) {
      assert.ok(s.mount.state === 'mounted', `${c.type}: ${JSON.stringify(s.mount)}`);
      assert.equal(s.mount.options, c.options, c.type);
      assert.ok(s.partition?.files.list('/'), `${c.type}: its root folder can be listed`);
      if (c.hasTree) assert.equal(s.partition?.files.readText('/boot/vmlinuz-linux'), 'a kernel\n', c.type);
      assert.equal(sys.isBlockDeviceReadOnly(disk.loop.device), true, `${c.type}: made read-only`);
      mounted.push(c.type);
    } else {
      assert.ok(s.mount.state === 'failed' && s.mount.reason.startsWith(`not mounted: the running kernel has no ${c.type} driver`), `${c.type}: ${JSON.stringify(s.mount)}`);
      assert.equal(sys.isBlockDeviceReadOnly(disk.loop.device), false, `${c.type}: left writable as found after the failure`);
    }
  }
  t.diagnostic(`mounted here: ${mounted.join(', ') || 'none'}; the others' drivers are not in this kernel (/proc/filesystems)`);
  assert.deepEqual(await discovery.close(), []);
  for (const [c, disk] of disks) {
    disk.loop.detach();
    assert.equal(await sha256(disk.img), disk.hash, `${c.type} image unchanged`);
  }
  // The control for ext3: the usual read-only mount replays its journal, so the check above could fail.
  const ext3 = [...disks].find(([c]) => c.type === 'ext3')!;
  if (kernelHas('ext3') || kernelHas('ext4')) {
    assert.notEqual(await plainMountHash(dir, ext3[1].img, kernelHas('ext3') ? 'ext3' : 'ext4'), ext3[1].hash, 'a plain read-only mount of the dirty ext3 changed it');
  }
});
