// The README's claim, one file system at a time: f2fs (`norecovery`), exFAT, NTFS, ISO 9660
// and ext3 (`noload`, with a journal that needs recovery) are each found, made read-only,
// mounted with their no-replay option where the running kernel has the driver (or reported
// with the reason and left as found where it has not), and every image is byte for byte the
// same after the scan and the unmount.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiskDiscovery } from '../../src/disks/discovery';
import * as sys from '../../src/sys';
import { loopUnavailable } from './loop';
import { type Disk, IMAGES, kernelHas, plainMountHash, setup, sha256 } from './mount-setup';

const skip = loopUnavailable();

interface Case {
  readonly type: string;
  /** The kernel's names for its drivers (/proc/filesystems): any one will do. */
  readonly drivers: readonly string[];
  /** Makes the image (mount-setup's IMAGES); says whether it holds the test's tree. */
  readonly make: (img: string, content: string) => { readonly tree: boolean };
  /** The mount options kexec-menu must use. */
  readonly options: string;
}

const CASES: readonly Case[] = [
  { type: 'f2fs', drivers: ['f2fs'], make: IMAGES.f2fs.make, options: 'ro,nodev,nosuid,noexec,norecovery' },
  { type: 'exfat', drivers: ['exfat'], make: IMAGES.exfat.make, options: 'ro,nodev,nosuid,noexec' },
  { type: 'ntfs', drivers: ['ntfs3', 'ntfs'], make: IMAGES.ntfs.make, options: 'ro,nodev,nosuid,noexec' },
  { type: 'iso9660', drivers: ['iso9660'], make: IMAGES.iso9660.make, options: 'ro,nodev,nosuid,noexec' },
  { type: 'ext3', drivers: ['ext3', 'ext4'], make: IMAGES.ext3.make, options: 'ro,nodev,nosuid,noexec,noload' },
];

test('f2fs, exFAT, NTFS, ISO 9660 and a dirty ext3: each mounted read-only with its option where the kernel can, and every image unchanged', { skip }, async (t) => {
  const { dir, content, attach, ours } = setup(t);
  const disks = new Map<Case, Disk>();
  const trees = new Map<Case, boolean>();
  for (const c of CASES) disks.set(c, await attach(`${c.type}.img`, (img) => void trees.set(c, c.make(img, content).tree)));
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
      if (trees.get(c)) assert.equal(s.partition?.files.readText('/boot/vmlinuz-linux'), 'a kernel\n', c.type);
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
