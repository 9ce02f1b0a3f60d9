import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferSource, withFileSource } from '../../src/disks/superblocks/byte-source';
import { listBlockDevices, naturalCompare, parseUevent } from '../../src/disks/enumerate';
import { readPartitionIds } from '../../src/disks/partition-ids';
import { addDevice, copyRealSysfs } from './fake-sysfs';
import { attachLoop, loopUnavailable, run } from './loop';
import { blkidExport, needTool } from './images';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-enum-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const uevent = (major: number, minor: number, name: string, type: 'disk' | 'partition', extra = '') =>
  `MAJOR=${major}\nMINOR=${minor}\nDEVNAME=${name}\nDEVTYPE=${type}\n${extra}`;

test('a sysfs tree: disks and partitions, sizes, parents, removable media, models, identities; skips explained', (t) => {
  const root = tempDir(t);
  const real = copyRealSysfs(root);
  // A USB stick with a GPT (Linux 6.13+ uevents carry PARTUUID), as on a real machine.
  const usb = 'pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host4/target4:0:0/4:0:0:0/block/sda';
  addDevice(root, { at: usb, name: 'sda', attrs: { size: '60062500', ro: '0', removable: '1', dev: '8:0', uevent: uevent(8, 0, 'sda', 'disk', 'DISKSEQ=31'), 'device/model': 'Cruzer Blade    ', 'queue/logical_block_size': '512' } });
  addDevice(root, { at: `${usb}/sda1`, name: 'sda1', attrs: { size: '1048576', ro: '0', dev: '8:1', partition: '1', start: '2048', uevent: uevent(8, 1, 'sda1', 'partition', 'DISKSEQ=31\nPARTN=1\nPARTNAME=EFI System Partition\nPARTUUID=5C8E2A1F-3B7D-4E6A-9F0C-1D2E3F4A5B6C') } });
  addDevice(root, { at: `${usb}/sda2`, name: 'sda2', attrs: { size: '40000000', ro: '0', dev: '8:2', partition: '2', start: '1050624', uevent: uevent(8, 2, 'sda2', 'partition', 'PARTN=2') }, holders: ['dm-0'] });
  addDevice(root, { at: 'virtual/block/dm-0', name: 'dm-0', attrs: { size: '39000000', ro: '0', removable: '0', dev: '254:0', uevent: uevent(254, 0, 'dm-0', 'disk'), 'dm/name': 'vg0-boot' } });
  // An SD card: ten partitions, to check sda2-before-sda10 ordering.
  const mmc = 'platform/fe340000.mmc/mmc_host/mmc0/mmc0:59b4/block/mmcblk0';
  addDevice(root, { at: mmc, name: 'mmcblk0', attrs: { size: '62333952', ro: '0', removable: '0', dev: '179:0', uevent: uevent(179, 0, 'mmcblk0', 'disk'), 'device/name': 'USD00' } });
  for (const n of [1, 2, 10]) addDevice(root, { at: `${mmc}/mmcblk0p${n}`, name: `mmcblk0p${n}`, attrs: { size: '524288', ro: '0', dev: `179:${n}`, partition: String(n), start: String(8192 * n), uevent: uevent(179, n, `mmcblk0p${n}`, 'partition', `PARTN=${n}`) } });
  addDevice(root, { at: 'pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sr0', name: 'sr0', attrs: { size: '0', ro: '0', removable: '1', dev: '11:0', uevent: uevent(11, 0, 'sr0', 'disk') } });
  addDevice(root, { at: 'virtual/block/ram0', name: 'ram0', attrs: { size: '8192', ro: '0', removable: '0', dev: '1:0', uevent: uevent(1, 0, 'ram0', 'disk') } });

  const { devices, skipped } = listBlockDevices({ sysRoot: root, devRoot: '/dev' });
  const byName = new Map(devices.map((d) => [d.name, d]));
  const reasons = new Map(skipped.map((s) => [s.name, s.reason]));

  const sda = byName.get('sda')!;
  assert.equal(sda.kind, 'disk');
  assert.equal(sda.removable, true);
  assert.equal(sda.model, 'Cruzer Blade');
  assert.equal(sda.hasPartitions, true);
  assert.equal(sda.size, 60062500 * 512);
  assert.equal(sda.diskseq, 31);
  assert.deepEqual(byName.get('sda1'), {
    name: 'sda1',
    path: '/dev/sda1',
    devno: '8:1',
    kind: 'partition',
    disk: 'sda',
    partition: 1,
    start: 2048,
    size: 1048576 * 512,
    removable: true,
    readOnly: false,
    model: 'Cruzer Blade',
    partuuid: '5c8e2a1f-3b7d-4e6a-9f0c-1d2e3f4a5b6c',
    partlabel: 'EFI System Partition',
    diskseq: 31,
    hasPartitions: false,
    logicalBlockSize: 512,
  });
  assert.match(reasons.get('sda2')!, /in use by dm-0/);
  assert.equal(byName.get('dm-0')!.model, 'vg0-boot');
  assert.equal(reasons.get('sr0'), 'no media (size 0)');
  assert.equal(reasons.get('ram0'), 'memory-backed (ram/zram)');
  assert.equal(byName.get('mmcblk0p10')!.disk, 'mmcblk0');
  assert.equal(byName.get('mmcblk0')!.model, 'USD00');
  const mmcOrder = devices.map((d) => d.name).filter((n) => n.startsWith('mmcblk0'));
  assert.deepEqual(mmcOrder, ['mmcblk0', 'mmcblk0p1', 'mmcblk0p2', 'mmcblk0p10']);

  // This machine's own devices came through the copy with the verdicts they get on /sys
  // itself (loop devices left out: other tests attach and detach them meanwhile).
  const live = listBlockDevices();
  for (const name of real.filter((n) => !n.startsWith('loop'))) {
    const a = live.devices.find((d) => d.name === name);
    const b = byName.get(name);
    if (a && b) assert.deepEqual({ ...b, path: a.path }, a, name);
    else assert.equal(reasons.get(name), live.skipped.find((s) => s.name === name)?.reason, name);
  }
  // Whole loop devices only: a loop device's partitions (loop0p1, attached by another test
  // meanwhile) have no loop/ folder of their own.
  for (const name of real.filter((n) => /^loop\d+$/.test(n))) {
    if (!existsSync(join(root, 'class/block', name, 'loop/backing_file'))) assert.equal(reasons.get(name), 'loop device without a backing file', name);
  }
});

test('naturalCompare and parseUevent', () => {
  assert.deepEqual(['sda10', 'sda2', 'sda1', 'nvme0n1p2', 'nvme0n1', 'nvme0n1p10'].sort(naturalCompare), ['nvme0n1', 'nvme0n1p2', 'nvme0n1p10', 'sda1', 'sda2', 'sda10']);
  assert.deepEqual([...parseUevent('MAJOR=8\nPARTNAME=a=b\n\nbad\n')], [['MAJOR', '8'], ['PARTNAME', 'a=b']]);
});

needTool('sfdisk');
needTool('partx');
const noLoop = loopUnavailable();

test('the real /sys: loop devices attached here appear, with their partitions and the partition table identities blkid reads', { skip: noLoop }, (t) => {
  const dir = tempDir(t);
  const plain = join(dir, 'plain.img');
  run('truncate', ['-s', '6M', plain]);
  run('mkfs.ext4', ['-q', '-F', '-L', 'plain', plain]);
  const gpt = join(dir, 'gpt.img');
  run('truncate', ['-s', '24M', gpt]);
  run('sfdisk', ['-q', gpt], 'label: gpt\nsize=4M, type=uefi, name="EFI system"\nsize=8M, type=linux, name="root fs"\n');
  const mbr = join(dir, 'mbr.img');
  run('truncate', ['-s', '12M', mbr]);
  run('sfdisk', ['-q', mbr], 'label: dos\nlabel-id: 0x4b1d5e7a\nsize=4M, type=c\nsize=4M, type=83\n');
  const l1 = attachLoop(plain);
  t.after(() => l1.detach());
  const l2 = attachLoop(gpt, { partscan: true });
  t.after(() => l2.detach());
  const l3 = attachLoop(mbr, { partscan: true });
  t.after(() => l3.detach());
  // Kernels built without partition table support (this sandbox's) need userspace to add them.
  for (const l of [l2, l3]) if (!readFileSync('/proc/partitions', 'utf8').includes(`${l.name}p1`)) run('partx', ['-a', l.device]);

  const { devices } = listBlockDevices();
  const byName = new Map(devices.map((d) => [d.name, d]));
  const d1 = byName.get(l1.name)!;
  assert.ok(d1, `${l1.name} is listed`);
  assert.equal(d1.kind, 'disk');
  assert.equal(d1.backingFile, plain);
  assert.equal(d1.size, 6 * 1024 * 1024);
  assert.equal(d1.path, l1.device);
  assert.equal(d1.hasPartitions, false);
  assert.equal(byName.get(l2.name)!.hasPartitions, true);
  for (const [loop, n] of [[l2, 2], [l3, 2]] as const) {
    for (let i = 1; i <= n; i++) {
      const p = byName.get(`${loop.name}p${i}`)!;
      assert.ok(p, `${loop.name}p${i} is listed`);
      assert.equal(p.kind, 'partition');
      assert.equal(p.disk, loop.name);
      assert.equal(p.partition, i);
      // PARTUUID/PARTLABEL: from the uevent when the kernel gives them, else from the table;
      // either way what blkid reads from the partition table.
      const ids = withFileSource(loop.device, (src) => readPartitionIds(src, i, p.start!, p.logicalBlockSize));
      const blkid = blkidExport(p.path);
      assert.equal(p.partuuid ?? ids.partuuid, blkid.get('PART_ENTRY_UUID'), `${p.name} PARTUUID`);
      assert.equal(p.partlabel ?? ids.partlabel, blkid.get('PART_ENTRY_NAME'), `${p.name} PARTLABEL`);
    }
  }
  assert.equal(blkidExport(`${l3.device}p2`).get('PART_ENTRY_UUID'), '4b1d5e7a-02');
  assert.equal(blkidExport(`${l2.device}p2`).get('PART_ENTRY_NAME'), 'root fs');
});

test('a partition table entry that does not start where sysfs says gives no identity', () => {
  const disk = new Uint8Array(1 << 16);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  disk.set([0x7a, 0x5e, 0x1d, 0x4b], 440);
  disk[446 + 4] = 0x83;
  disk.set([0x00, 0x08, 0, 0], 446 + 8); // starts at 2048
  assert.deepEqual(readPartitionIds(bufferSource(disk), 1, 2048), { partuuid: '4b1d5e7a-01' });
  assert.deepEqual(readPartitionIds(bufferSource(disk), 1, 4096), {});
  assert.deepEqual(readPartitionIds(bufferSource(disk.slice(0, 100)), 1, 2048), {});
});
