// Mounting for real, as root, on loop devices attached read-write: kexec-menu must make each
// device read-only itself, mount it so nothing is replayed, and leave every image byte for
// byte as it was (sha256 before and after a full scan and unmount).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DeviceState, DiskDiscovery, scanDisks } from '../../src/disks/discovery';
import { readMountinfo } from '../../src/disks/mountinfo';
import * as sys from '../../src/sys';
import { needTool } from './images';
import { endedProcessId } from '../ended-process';
import { loopUnavailable, run } from './loop';
import { type Disk, kernelHas, plainMountHash, setup, sha256 } from './mount-setup';

const skip = loopUnavailable();

function dirtyExt4(content: string) {
  return (img: string) => {
    run('truncate', ['-s', '16M', img]);
    run('mkfs.ext4', ['-q', '-F', '-L', 'dirty-root', '-d', content, img]);
    run('debugfs', ['-w', '-R', 'feature needs_recovery', img]);
    assert.match(run('dumpe2fs', ['-h', img]), /Filesystem features:.*needs_recovery/);
  };
}

test('an ext4 whose journal needs recovery is mounted without replaying it: the image is unchanged, while a plain ro mount would change it', { skip }, async (t) => {
  const { dir, content, attach, ours } = setup(t);
  const disk = await attach('dirty.ext4', dirtyExt4(content));
  assert.equal(sys.isBlockDeviceReadOnly(disk.loop.device), false, 'attached read-write');

  const scan = await scanDisks(ours);
  const part = scan.partitions.find((p) => p.info.name === disk.loop.name);
  assert.ok(part, `mounted: ${JSON.stringify(scan.diagnostics)}`);
  assert.equal(part.info.label, 'dirty-root');
  assert.equal(part.info.fstype, 'ext4');
  assert.equal(part.files.readText('/boot/vmlinuz-linux'), 'a kernel\n');
  assert.equal(sys.isBlockDeviceReadOnly(disk.loop.device), true, 'kexec-menu made the device read-only');
  const m = readMountinfo().find((e) => e.mountPoint === part.root)!;
  assert.ok(m);
  assert.equal(m.readOnly, true);
  assert.equal(m.fstype, 'ext4');
  const state = scan.states.find((s) => s.device.name === disk.loop.name)!;
  assert.equal(state.mount.state, 'mounted');
  assert.ok(state.mount.state === 'mounted' && state.mount.options === 'ro,nodev,nosuid,noexec,noload');

  assert.deepEqual(await scan.close(), []);
  assert.ok(!readMountinfo().some((e) => e.mountPoint === part.root), 'unmounted');
  assert.ok(!existsSync(part.root), 'its folder removed');
  assert.equal(sys.isBlockDeviceReadOnly(disk.loop.device), false, 'the device is writable again, as it was found');
  disk.loop.detach();
  assert.equal(await sha256(disk.img), disk.hash, 'not one byte changed');

  // The control: the same image mounted the usual read-only way is written to (journal
  // replay), so the check above can fail.
  assert.notEqual(await plainMountHash(dir, disk.img, 'ext4'), disk.hash, 'a plain read-only mount replayed the journal');
});

test('a full scan of several file systems leaves every image unchanged; one the kernel cannot mount is reported and the rest still mount', { skip }, async (t) => {
  const { content, attach, ours } = setup(t);
  const disks = new Map<string, Disk>();
  disks.set('ext4', await attach('dirty.ext4', dirtyExt4(content)));
  needTool('mkfs.vfat');
  disks.set('vfat', await attach('esp.vfat', (img) => run('mkfs.vfat', ['-C', '-n', 'ESP', img, '8192'])));
  needTool('mkfs.xfs');
  disks.set('xfs', await attach('root.xfs', (img) => (run('truncate', ['-s', '300M', img]), run('mkfs.xfs', ['-q', '-f', '-L', 'xfsroot', img]))));
  needTool('mkfs.btrfs');
  disks.set('btrfs', await attach('root.btrfs', (img) => (run('truncate', ['-s', '128M', img]), run('mkfs.btrfs', ['-q', '-f', '-L', 'btrroot', '--rootdir', content, img]))));
  needTool('mksquashfs');
  disks.set('squashfs', await attach('live.squashfs', (img) => run('mksquashfs', [content, img, '-quiet', '-noappend', '-no-progress'])));

  const discovery = new DiskDiscovery(ours);
  const failed: [DeviceState, string][] = [];
  discovery.on('partition-failed', (s, reason) => failed.push([s, reason]));
  await discovery.scan();
  const states = new Map(discovery.states().map((s) => [s.device.name, s]));
  for (const [type, disk] of disks) {
    const s = states.get(disk.loop.name)!;
    assert.ok(s, `${type} was found`);
    assert.equal(s.identity.type, type);
    if (kernelHas(type)) {
      assert.equal(s.mount.state, 'mounted', `${type}: ${JSON.stringify(s.mount)}`);
      assert.ok(s.partition?.files.list('/'), `${type}: its root folder can be listed`);
      if (type !== 'xfs' && type !== 'vfat') assert.equal(s.partition?.files.readText('/boot/vmlinuz-linux'), 'a kernel\n', type);
      if (type === 'xfs') assert.ok(s.mount.state === 'mounted' && s.mount.options.endsWith(',norecovery'));
      if (type === 'btrfs') assert.ok(s.mount.state === 'mounted' && /,(rescue=)?nologreplay$/.test(s.mount.options));
    } else {
      assert.equal(s.mount.state, 'failed', `${type}: this kernel has no driver`);
      assert.ok(s.mount.state === 'failed' && s.mount.reason.startsWith(`not mounted: the running kernel has no ${type} driver`), JSON.stringify(s.mount));
      assert.ok(failed.some(([f]) => f.device.name === disk.loop.name), `${type}: partition-failed was emitted`);
      assert.equal(sys.isBlockDeviceReadOnly(disk.loop.device), false, `${type}: left writable as found after the failure`);
    }
  }
  assert.deepEqual(await discovery.close(), []);
  for (const [type, disk] of disks) {
    disk.loop.detach();
    assert.equal(await sha256(disk.img), disk.hash, `${type} image unchanged`);
  }
});

test('outside the image, without an explicit allowance, nothing is mounted and the reason says so', { skip }, async (t) => {
  const { content, attach, ours } = setup(t);
  const disk = await attach('plain.ext4', (img) => (run('truncate', ['-s', '8M', img]), run('mkfs.ext4', ['-q', '-F', '-L', 'plain', '-d', content, img])));
  const { allow: _, ...notAllowed } = ours;
  const scan = await scanDisks(notAllowed);
  const s = scan.states.find((x) => x.device.name === disk.loop.name)!;
  assert.equal(s.identity.type, 'ext4');
  assert.deepEqual(s.mount, { state: 'not-mounted', reason: 'not mounted: outside the kexec-menu image only file systems that are already mounted are read' });
  assert.equal(s.partition, undefined);
  assert.equal(sys.isBlockDeviceReadOnly(disk.loop.device), false, 'not touched');
  assert.deepEqual(scan.diagnostics.filter((d) => d.file === disk.loop.device).map((d) => d.severity), ['info']);

  // Mounted by someone else already: read where it is, and left mounted at the end.
  const mnt = join(ours.baseDir, '..', 'elsewhere');
  mkdirSync(mnt);
  sys.mount(disk.loop.device, mnt, 'ext4', sys.MS_RDONLY, null);
  try {
    const again = await scanDisks(notAllowed);
    const p = again.partitions.find((x) => x.info.name === disk.loop.name)!;
    assert.equal(p.root, mnt);
    assert.equal(p.files.readText('/boot/vmlinuz-linux'), 'a kernel\n');
    assert.deepEqual(await again.close(), []);
    assert.ok(readMountinfo().some((e) => e.mountPoint === mnt), 'still mounted: not ours to unmount');
  } finally {
    sys.umount2(mnt, 0);
  }
});

test('two menus (one per console port) on the same disks: the second reads the first one\'s mount and never unmounts it; a mount whose menu has ended is taken over', { skip }, async (t) => {
  const { content, attach, ours } = setup(t);
  const disk = await attach('shared.ext4', (img) => (run('truncate', ['-s', '8M', img]), run('mkfs.ext4', ['-q', '-F', '-L', 'shared', '-d', content, img])));
  const target = join(ours.baseDir, disk.loop.name);
  const mounted = () => readMountinfo().filter((e) => e.mountPoint === target).length;
  // Two live processes stand for the two menus: this one and its parent.
  const first = await scanDisks({ ...ours, pid: process.pid });
  const second = await scanDisks({ ...ours, pid: process.ppid, waitForOtherMs: 0 });
  const stateIn = (scan: typeof first) => scan.states.find((x) => x.device.name === disk.loop.name)!.mount;
  assert.equal(stateIn(first).state, 'mounted');
  assert.deepEqual(stateIn(second), { state: 'already-mounted', target });
  assert.equal(mounted(), 1, 'mounted once, not once per menu');
  assert.equal(second.partitions.find((p) => p.info.name === disk.loop.name)!.files.readText('/boot/vmlinuz-linux'), 'a kernel\n');
  assert.deepEqual(await second.close(), []);
  assert.equal(mounted(), 1, 'the second menu left the first one\'s mount alone');

  // The first menu "ends" without unmounting (a crash): its claim names a process that is gone.
  const gone = endedProcessId();
  writeFileSync(join(ours.baseDir, '.owners', disk.loop.name), `${gone} ${disk.loop.device}`);
  const respawned = await scanDisks({ ...ours, pid: process.ppid });
  assert.equal(stateIn(respawned).state, 'mounted', 'taken over');
  assert.deepEqual(await respawned.close(), []);
  assert.equal(mounted(), 0, 'and unmounted by the menu that took it over');
  assert.equal(existsSync(join(ours.baseDir, '.owners', disk.loop.name)), false, 'its claim is gone with it');
  assert.equal(await sha256(disk.img), disk.hash, 'nothing was written');
});

test('a device another menu is mounting right now: waited for, then read where that menu mounts it; if it never appears, the reason names that menu', { skip }, async (t) => {
  const { content, attach, ours } = setup(t);
  const disk = await attach('busy.ext4', (img) => (run('truncate', ['-s', '8M', img]), run('mkfs.ext4', ['-q', '-F', '-L', 'busy', '-d', content, img])));
  mkdirSync(join(ours.baseDir, '.owners'), { recursive: true });
  writeFileSync(join(ours.baseDir, '.owners', disk.loop.name), `${process.ppid} ${disk.loop.device}`);
  const scan = await scanDisks({ ...ours, pid: process.pid, waitForOtherMs: 100 });
  const s = scan.states.find((x) => x.device.name === disk.loop.name)!;
  assert.deepEqual(s.mount, { state: 'not-mounted', reason: `not mounted: the menu of process ${process.ppid} is mounting it and it did not appear within 0.1 s` });
  assert.equal(readMountinfo().filter((e) => e.mountPoint === join(ours.baseDir, disk.loop.name)).length, 0);
  assert.deepEqual(await scan.close(), []);
});
