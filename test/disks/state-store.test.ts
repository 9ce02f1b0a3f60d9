// The state partition (settings `state: { label }`), for real as root on loop devices: the
// one partition kexec-menu mounts read-write, only while it reads or replaces its one file,
// and the disk scan leaves it alone. Every other image must stay byte for byte as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskDiscovery } from '../../src/disks/discovery';
import { readMountinfo } from '../../src/disks/mountinfo';
import type { DeviceState } from '../../src/disks/discovery';
import type { BlockDevice } from '../../src/disks/enumerate';
import { STATE_FILE, choiceStoreFor, findStatePartition, formatStateFile, parseStateFile, stateChoiceStore, takeDevicesFrom } from '../../src/disks/state-store';
import { addDevice } from './fake-sysfs';
import * as sys from '../../src/sys';
import { needTool } from './images';
import { loopUnavailable, run } from './loop';
import { type Disk, kernelHas, setup, sha256 } from './mount-setup';

const skip = loopUnavailable();
const LABEL = 'KEXEC-STATE';

/** The state file as a plain mount of the image shows it (undefined: none), the image left unmounted. */
function stateFileOf(disk: Disk, fstype: string, dir: string): string | undefined {
  const mnt = mkdtempSync(join(dir, 'look-'));
  sys.mount(disk.loop.device, mnt, fstype, sys.MS_RDONLY, null);
  try {
    return existsSync(join(mnt, STATE_FILE)) ? readFileSync(join(mnt, STATE_FILE), 'utf8') : undefined;
  } finally {
    sys.umount2(mnt, 0);
    rmSync(mnt, { recursive: true });
  }
}

/** Writes the state file as a user would from the installed system (mount, edit, unmount). */
function putStateFile(disk: Disk, fstype: string, dir: string, text: string): void {
  const mnt = mkdtempSync(join(dir, 'edit-'));
  sys.mount(disk.loop.device, mnt, fstype, 0, null);
  try {
    writeFileSync(join(mnt, STATE_FILE), text);
  } finally {
    sys.umount2(mnt, 0);
    rmSync(mnt, { recursive: true });
  }
}

const MAKE = {
  vfat: (label: string) => (img: string) => (needTool('mkfs.vfat'), run('mkfs.vfat', ['-C', '-n', label, img, '8192'])),
  ext4: (label: string) => (img: string) => (run('truncate', ['-s', '16M', img]), run('mkfs.ext4', ['-q', '-F', '-L', label, img])),
};

for (const fstype of ['vfat', 'ext4'] as const) {
  const title = kernelHas(fstype)
    ? `a ${fstype} state partition: read, then LastBooted written and the one-shot consumed by an atomic replace; the scan never mounts it; every other image unchanged`
    : `a ${fstype} state partition where the kernel has no ${fstype} driver: a note with the reason, a failed write, the image unchanged`;
  test(title, { skip }, async (t) => {
    const { dir, content, attach, ours } = setup(t);
    const state = await attach(`state.${fstype}`, MAKE[fstype](LABEL));
    if (!kernelHas(fstype)) {
      // Some kernels (this project's CI machines among them) have no FAT driver: then the store
      // says why in its note, a write fails with the reason, and the image stays as it was.
      const store = stateChoiceStore({ label: LABEL, baseDir: ours.baseDir, accept: ours.accept, allow: ours.allow });
      assert.match(store.read().notes?.[0] ?? '', new RegExp(`^${state.loop.device} could not be mounted read-only: .*ENODEV`));
      assert.throws(() => store.booted('x'), /could not be mounted read-write: .*ENODEV/);
      state.loop.detach();
      assert.equal(await sha256(state.img), state.hash);
      return;
    }
    const others = [
      await attach('root.ext4', (img) => (run('truncate', ['-s', '16M', img]), run('mkfs.ext4', ['-q', '-F', '-L', 'root', '-d', content, img]))),
      await attach('boot.ext4', MAKE.ext4('boot')),
    ];
    const o = { label: LABEL, baseDir: ours.baseDir, accept: ours.accept, allow: ours.allow };

    // The disk scan, told the label, mounts the others read-only and leaves this one alone.
    const discovery = new DiskDiscovery({ ...ours, stateLabel: LABEL });
    await discovery.scan();
    const s = discovery.states().find((x) => x.device.name === state.loop.name)!;
    assert.equal(s.mount.state, 'not-mounted');
    assert.match(s.mount.state === 'not-mounted' ? s.mount.reason : '', /the menu's own state store/);
    assert.equal(sys.isBlockDeviceReadOnly(state.loop.device), false, 'not made read-only either: it is not the scan’s');
    assert.equal(discovery.partitions().length, 2, `the two others are listed: ${JSON.stringify(discovery.states().map((x) => [x.device.name, x.mount]))}`);
    assert.deepEqual(discovery.mounter.unmountAll(), []);

    const found = findStatePartition(o);
    assert.ok(typeof found !== 'string' && found.device.path === state.loop.device && found.fstype === fstype);

    // Nothing remembered yet: read() mounts, finds no file, unmounts.
    const store = stateChoiceStore(o);
    const first = store.read();
    assert.deepEqual(first.values, {});
    assert.equal(first.notes, undefined);
    assert.match(first.where, new RegExp(`${state.loop.device}, ${STATE_FILE}`));
    assert.equal(stateFileOf(state, fstype, dir), undefined, 'reading wrote nothing');

    store.booted('uuid-1:extlinux:main');
    assert.equal(stateFileOf(state, fstype, dir), formatStateFile({ LoaderEntryLastBooted: 'uuid-1:extlinux:main' }));
    const written = await sha256(state.img);
    store.booted('uuid-1:extlinux:main');
    assert.equal(await sha256(state.img), written, 'unchanged value: the partition is not even mounted');

    // A one-shot put there by hand, read by a new menu (a new store), booted once and consumed.
    putStateFile(state, fstype, dir, JSON.stringify({ LoaderEntryOneShot: 'uuid-2:grub:debian', LoaderEntryLastBooted: 'uuid-1:extlinux:main', Other: 'kept out' }));
    const next = stateChoiceStore(o);
    assert.deepEqual(next.read().values, { LoaderEntryOneShot: 'uuid-2:grub:debian', LoaderEntryLastBooted: 'uuid-1:extlinux:main' });
    next.booted('uuid-2:grub:debian');
    assert.equal(stateFileOf(state, fstype, dir), formatStateFile({ LoaderEntryLastBooted: 'uuid-2:grub:debian' }));
    assert.deepEqual(next.read().values, { LoaderEntryLastBooted: 'uuid-2:grub:debian' });

    assert.ok(!readMountinfo().some((m) => m.mountPoint.startsWith(ours.baseDir)), 'nothing left mounted');
    assert.deepEqual(existsSync(ours.baseDir) ? readdirSync(ours.baseDir).filter((n) => n.startsWith('.state-')) : [], [], 'its folder removed');
    for (const d of others) {
      d.loop.detach();
      assert.equal(await sha256(d.img), d.hash, `${d.img}: not one byte changed`);
    }
  });
}

test('two partitions with the label: neither is used (a note, a failed write), and neither changes', { skip }, async (t) => {
  const { attach, ours } = setup(t);
  const a = await attach('a.vfat', MAKE.vfat(LABEL));
  const b = await attach('b.ext4', MAKE.ext4(LABEL));
  const store = stateChoiceStore({ label: LABEL, baseDir: ours.baseDir, accept: ours.accept, allow: ours.allow });
  const r = store.read();
  assert.deepEqual(r.values, {});
  assert.match(r.notes?.[0] ?? '', /^2 partitions carry the label "KEXEC-STATE" \(.*\); the state store must be one, so none is used$/);
  assert.throws(() => store.booted('x'), /2 partitions carry the label/);
  for (const d of [a, b]) {
    d.loop.detach();
    assert.equal(await sha256(d.img), d.hash);
  }
});

test('no partition with the label, a label on a file system a store cannot be, and outside the image: notes, nothing mounted', { skip }, async (t) => {
  const { attach, ours } = setup(t);
  const o = { label: LABEL, baseDir: ours.baseDir, accept: ours.accept, allow: ours.allow };
  assert.deepEqual(stateChoiceStore(o).read().notes, ['the state partition (label "KEXEC-STATE") is not present']);
  const ext = await attach('other.ext4', MAKE.ext4('SOMETHING'));
  assert.match(stateChoiceStore(o).read().notes?.[0] ?? '', /is not present/);
  needTool('mkfs.exfat');
  const exfat = await attach('state.exfat', (img) => (run('truncate', ['-s', '8M', img]), run('mkfs.exfat', ['-L', LABEL, img])));
  assert.deepEqual(stateChoiceStore(o).read().notes, [`the state partition (label "KEXEC-STATE") on ${exfat.loop.device} is exfat; a state partition must be vfat or ext2/3/4`]);
  // The default rule outside the image: never mounted.
  const outside = stateChoiceStore({ label: 'SOMETHING', baseDir: ours.baseDir, accept: ours.accept, sys: { ...sys.system, insideImage: () => false } });
  assert.deepEqual(outside.read().notes, ['outside the kexec-menu image the state partition is not mounted']);
  for (const d of [ext, exfat]) {
    d.loop.detach();
    assert.equal(await sha256(d.img), d.hash);
  }
});

test('the state file: JSON of the three values only; anything else is refused with the reason', () => {
  assert.deepEqual(parseStateFile('{"LoaderEntryDefault":"a","LoaderEntryOneShot":"","x":1}'), { LoaderEntryDefault: 'a' });
  assert.equal(parseStateFile('[1]'), 'it is not a JSON object');
  assert.match(parseStateFile('LoaderEntryDefault=a') as string, /^it is not JSON/);
  assert.equal(formatStateFile({ LoaderEntryLastBooted: 'b', LoaderEntryOneShot: 'a' }), '{\n "LoaderEntryOneShot": "a",\n "LoaderEntryLastBooted": "b"\n}\n');
});

test('choiceStoreFor: the EFI variables when efivarfs has any, else the settings’ state partition, else none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-efivars-'));
  try {
    assert.equal(choiceStoreFor({}, dir), undefined, 'an empty folder is sysfs’s mount point without efivarfs');
    assert.match(choiceStoreFor({ state: { label: LABEL } }, dir)!.read().where, /^the state partition "KEXEC-STATE"/);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'Boot0000-8be4df61-93ca-11d2-aa0d-00e098032b8c'), Buffer.alloc(8));
    assert.match(choiceStoreFor({ state: { label: LABEL } }, dir)!.read().where, /^EFI variables/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A device as the disk discovery reports it, identified as `type` labelled LABEL, left unmounted as the state store. */
function stateDevice(path: string, type: 'vfat' | 'ext4' = 'vfat'): DeviceState {
  const device: BlockDevice = { name: 'vdz', path, devno: '253:99', kind: 'disk', disk: 'vdz', size: 8 << 20, removable: false, readOnly: false, hasPartitions: false, logicalBlockSize: 512 };
  return { device, identity: { type, label: LABEL }, mount: { state: 'not-mounted', reason: "not mounted: it is the menu's own state store" } };
}

/** mount(2) and umount2(2) standing in for the kernel's: each call recorded, mount answering with `mountError`'s code when given. */
function fakeSys(mountError?: string) {
  const mounts: { fstype: string; flags: number }[] = [];
  return {
    mounts,
    sys: {
      mount(_source: string, _target: string, fstype: string, flags: number) {
        mounts.push({ fstype, flags });
        if (mountError) throw Object.assign(new Error(`mount: ${mountError}`), { code: mountError });
      },
      umount2() {},
      insideImage: () => true,
    },
  };
}

test('a read never mounts the state partition read-write: on EBUSY (mounted read-write elsewhere) it says so in a note', () => {
  const baseDir = mkdtempSync(join(tmpdir(), 'kexec-state-'));
  try {
    const { mounts, sys: fake } = fakeSys('EBUSY');
    const store = stateChoiceStore({ label: LABEL, baseDir, sys: fake, allow: () => undefined });
    takeDevicesFrom(store, { states: () => [stateDevice('/dev/vdz')] });
    const r = store.read();
    assert.deepEqual(r.values, {});
    assert.match(r.notes?.[0] ?? '', /^\/dev\/vdz could not be mounted read-only: it is mounted read-write elsewhere \(EBUSY\)/);
    assert.ok(mounts.length > 0 && mounts.every((m) => (m.flags & sys.MS_RDONLY) !== 0), `every mount read-only: ${JSON.stringify(mounts)}`);
  } finally {
    rmSync(baseDir, { recursive: true, force: true });
  }
});

test('in the menu the state partition comes from the disk discovery: no device is read at a rebuild, only the discovery’s devices are looked at', () => {
  const root = mkdtempSync(join(tmpdir(), 'kexec-state-'));
  try {
    const sysRoot = join(root, 'sys');
    addDevice(sysRoot, { at: 'virtual/block/vdz', name: 'vdz', attrs: { size: '16384', dev: '253:99', ro: '0', removable: '0', uevent: 'MAJOR=253\nMINOR=99\nDEVNAME=vdz\nDEVTYPE=disk' } });
    let enumerated = 0;
    const accept = () => (enumerated++, false);
    const o = { label: LABEL, baseDir: join(root, 'run'), sysRoot, devRoot: join(root, 'dev'), accept, allow: () => undefined };
    // On its own (a command that reads the disks once) the store enumerates the devices itself.
    assert.match(stateChoiceStore({ ...o, sys: fakeSys().sys }).read().notes?.[0] ?? '', /is not present/);
    assert.ok(enumerated > 0, 'the tripwire works: the fake sysfs lists a device');

    enumerated = 0;
    const { mounts, sys: fake } = fakeSys();
    const states: DeviceState[] = [];
    const store = stateChoiceStore({ ...o, sys: fake });
    takeDevicesFrom(store, { states: () => states });
    for (let i = 0; i < 3; i++) assert.deepEqual(store.read().notes, ['the state partition (label "KEXEC-STATE") is not present'], 'each rebuild before the discovery has it');
    // The discovery reports the device (identified by it, at a path no one could read).
    states.push(stateDevice(join(root, 'dev', 'vdz')));
    const found = store.read();
    assert.equal(found.notes, undefined);
    assert.deepEqual(found.values, {});
    assert.match(found.where, /dev\/vdz, kexec-menu-state\.json\)$/);
    assert.deepEqual(mounts, [{ fstype: 'vfat', flags: mounts[0]!.flags }]);
    assert.notEqual(mounts[0]!.flags & sys.MS_RDONLY, 0, 'mounted read-only to read');
    store.read();
    assert.equal(mounts.length, 1, 'kept: not mounted again at the next rebuild');
    assert.equal(enumerated, 0, 'no device was enumerated or read by the store');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
