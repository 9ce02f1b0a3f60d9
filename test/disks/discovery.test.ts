// Hot-plug with real loop devices in the real /dev: a disk that arrives while discovery
// watches is mounted and announced with its label; media that goes away is unmounted and
// announced. Waits are bounded; nothing is timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeviceState, DiskDiscovery, type DiscoveryEvents } from '../../src/disks/discovery';
import type { ReadablePartition } from '../../src/fs/files';
import { readMountinfo } from '../../src/disks/mountinfo';
import * as sys from '../../src/sys';
import { needTool } from './images';
import { attachLoop, type Loop, loopUnavailable, run } from './loop';

needTool('sfdisk');
needTool('partx');
const skip = loopUnavailable();

/** Resolves with the first `event` whose arguments satisfy `match`; rejects after `seconds`. */
function waitFor<E extends keyof DiscoveryEvents>(d: DiskDiscovery, event: E, match: (...args: DiscoveryEvents[E]) => boolean, seconds: number, what: string): Promise<DiscoveryEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      d.off(event, listener as never);
      reject(new Error(`no ${event} for ${what} within ${seconds} s`));
    }, seconds * 1000);
    const listener = (...args: DiscoveryEvents[E]) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      d.off(event, listener as never);
      resolve(args);
    };
    d.on(event, listener as never);
  });
}

function setup(t: { after(fn: () => void | Promise<void>): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-hotplug-'));
  const loops: Loop[] = [];
  const cleanups: (() => Promise<unknown> | void)[] = [];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c();
    for (const l of loops) l.detach();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    loops,
    cleanups,
    ours: {
      baseDir: join(dir, 'run'),
      accept: (d: { backingFile?: string }) => d.backingFile?.startsWith(dir + '/') === true,
      allow: () => undefined,
    },
  };
}

test('a partitioned disk plugged in while discovery watches /dev: its partition is mounted and announced with label, PARTUUID and PARTLABEL', { skip, timeout: 60_000 }, async (t) => {
  const { dir, loops, cleanups, ours } = setup(t);
  // A GPT disk whose first partition holds an ext4 labelled HOTPLUG.
  const img = join(dir, 'stick.img');
  run('truncate', ['-s', '20M', img]);
  run('sfdisk', ['-q', img], 'label: gpt\nstart=2048, size=8M, type=linux, name="hotplug-part"\n');
  const fs = join(dir, 'part.ext4');
  run('truncate', ['-s', '8M', fs]);
  run('mkfs.ext4', ['-q', '-F', '-L', 'HOTPLUG', fs]);
  run('dd', [`if=${fs}`, `of=${img}`, 'bs=1M', 'seek=1', 'conv=notrunc', 'status=none']);
  const partuuid = (JSON.parse(run('sfdisk', ['-J', img])) as { partitiontable: { partitions: { uuid: string }[] } }).partitiontable.partitions[0]!.uuid.toLowerCase();

  // Polling /proc/partitions is slowed to an hour: only the /dev watch can see this.
  const discovery = new DiskDiscovery({ ...ours, pollMs: 3_600_000, debounceMs: 100 });
  cleanups.push(() => discovery.close());
  await discovery.start();
  assert.deepEqual(discovery.partitions(), [], 'nothing of ours before');
  const added = waitFor(discovery, 'partition-added', (p) => p.info.label === 'HOTPLUG', 30, 'the plugged-in partition');

  const loop = attachLoop(img, { partscan: true });
  loops.push(loop);
  cleanups.push(() => void run('partx', ['-d', loop.device]));
  // Kernels without GPT support (this sandbox's) need userspace to add the partition node.
  if (!readFileSync('/proc/partitions', 'utf8').includes(`${loop.name}p1`)) run('partx', ['-a', loop.device]);

  const [part, state] = await added;
  assert.equal(part.info.name, `${loop.name}p1`);
  assert.equal(part.info.device, `/dev/${loop.name}p1`);
  assert.equal(part.info.fstype, 'ext4');
  assert.equal(part.info.partuuid, partuuid);
  assert.equal(part.info.partlabel, 'hotplug-part');
  assert.equal((state as DeviceState).mount.state, 'mounted');
  assert.ok(part.files.isDir('/lost+found'));
  assert.ok(discovery.partitions().some((p) => p.info.name === part.info.name));
  assert.deepEqual(await discovery.close(), []);
  assert.ok(!readMountinfo().some((m) => m.mountPoint === part.root), 'close() unmounted it');
});

test('with polling only (no inotify): a disk that arrives is added, and when its media goes away it is unmounted and removed', { skip, timeout: 60_000 }, async (t) => {
  const { dir, loops, cleanups, ours } = setup(t);
  const img = join(dir, 'card.ext4');
  run('truncate', ['-s', '8M', img]);
  run('mkfs.ext4', ['-q', '-F', '-L', 'HOTDISK', img]);

  const discovery = new DiskDiscovery({ ...ours, pollOnly: true, pollMs: 100, debounceMs: 50 });
  cleanups.push(() => discovery.close());
  await discovery.start();
  const added = waitFor(discovery, 'partition-added', (p) => p.info.label === 'HOTDISK', 30, 'the inserted card');
  const loop = attachLoop(img);
  loops.push(loop);
  const [part] = await added;
  assert.equal(part.info.name, loop.name);
  assert.ok(readMountinfo().some((m) => m.mountPoint === part.root), 'mounted');

  // The card is taken out: the device stays, its size drops to 0 (as in a card reader).
  const removed = waitFor(discovery, 'partition-removed', (p: ReadablePartition) => p.info.name === loop.name, 30, 'the removed card');
  run('truncate', ['-s', '0', img]);
  run('losetup', ['-c', loop.device]);
  const [gone] = await removed;
  assert.equal(gone.root, part.root);
  assert.ok(!readMountinfo().some((m) => m.mountPoint === part.root), 'unmounted when the media left');
  assert.equal(sys.isBlockDeviceReadOnly(loop.device), false, 'the next card in the slot is not left read-only');
  assert.deepEqual(discovery.partitions(), []);
  assert.deepEqual(await discovery.close(), []);
});

test('watchDisks: settles after the first scan, then reports arrivals and departures as changes and log lines; a device being scanned is listed, and the event loop turns before it is read', { skip, timeout: 60_000 }, async (t) => {
  const { dir, loops, cleanups, ours } = setup(t);
  const { watchDisks } = await import('../../src/disks/provider');
  const img = join(dir, 'usb.ext4');
  run('truncate', ['-s', '8M', img]);
  run('mkfs.ext4', ['-q', '-F', '-L', 'USBSTICK', img]);
  const provider = watchDisks({ ...ours, pollOnly: true, pollMs: 100, debounceMs: 50 });
  cleanups.push(() => provider.close());
  const lines: string[] = [];
  provider.onLog((l) => lines.push(l));
  const changes: [string[], string[]][] = [];
  // Called after every device and at each scan's start and end; only real changes are kept.
  provider.onChange((a, r) => (a.length || r.length ? changes.push([a.map((p) => p.info.label ?? ''), r.map((p) => p.info.label ?? '')]) : undefined));
  const order: string[] = [];
  provider.discovery.on('scan-started', () => {
    if (provider.scanning().length === 0) return;
    order.push(`started: ${provider.scanning().join(' ')}`);
    setImmediate(() => order.push('event loop turned'));
  });
  provider.discovery.on('device-probed', (s) => order.push(`probed ${s.device.name}; still scanning: ${provider.scanning().join(' ') || 'none'}`));
  await new Promise<void>((resolve) => provider.onSettled(resolve));
  assert.equal(provider.isSettled(), true);
  assert.deepEqual(provider.partitions(), []);

  const arrived = waitFor(provider.discovery, 'scan-finished', (ps) => ps.length === 1, 30, 'the stick');
  const loop = attachLoop(img);
  loops.push(loop);
  await arrived;
  assert.deepEqual(changes, [[['USBSTICK'], []]]);
  assert.deepEqual(order, [`started: ${loop.name}`, 'event loop turned', `probed ${loop.name}; still scanning: none`]);
  assert.ok(lines.some((l) => l === `${loop.device} (ext4, label "USBSTICK") mounted read-only at ${join(ours.baseDir, loop.name)}`), lines.join('\n'));

  const left = waitFor(provider.discovery, 'scan-finished', (ps) => ps.length === 0, 30, 'the stick leaving');
  run('truncate', ['-s', '0', img]);
  run('losetup', ['-c', loop.device]);
  await left;
  assert.deepEqual(changes, [[['USBSTICK'], []], [[], ['USBSTICK']]]);
  assert.ok(lines.includes(`${loop.device} left`), lines.join('\n'));
  assert.deepEqual(await provider.close(), []);
});

test('a file system whose driver is not loaded yet (ENODEV, as while the image loads modules beside the menu) is tried again by the next scan and then listed', { skip, timeout: 60_000 }, async (t) => {
  const { dir, loops, cleanups, ours } = setup(t);
  const img = join(dir, 'early.ext4');
  run('truncate', ['-s', '8M', img]);
  run('mkfs.ext4', ['-q', '-F', '-L', 'EARLY', img]);
  const loop = attachLoop(img);
  loops.push(loop);
  // The real system calls, but the kernel "has no ext4 driver" until the modules have loaded.
  let driverLoaded = false;
  const early = {
    ...sys.system,
    mount: (source: string, target: string, fstype: string, flags: number, data: string | null) => {
      if (!driverLoaded) throw Object.assign(new Error('No such device'), { code: 'ENODEV' });
      sys.system.mount(source, target, fstype, flags, data);
    },
    umount2: (target: string, flags: number) => sys.system.umount2(target, flags),
    setBlockDeviceReadOnly: (device: string, readOnly?: boolean) => sys.system.setBlockDeviceReadOnly(device, readOnly),
    isBlockDeviceReadOnly: (device: string) => sys.system.isBlockDeviceReadOnly(device),
    insideImage: () => true,
  };
  const discovery = new DiskDiscovery({ ...ours, sys: early, pollOnly: true, pollMs: 3_600_000, debounceMs: 50 });
  cleanups.push(() => discovery.close());
  await discovery.start();
  assert.deepEqual(discovery.partitions(), []);
  const failed = discovery.states().find((s) => s.device.name === loop.name);
  assert.deepEqual(failed?.mount, { state: 'failed', reason: 'not mounted: the running kernel has no ext4 driver (No such device)', noDriver: true });
  driverLoaded = true;
  await discovery.scan();
  assert.deepEqual(discovery.partitions().map((p) => p.info.label), ['EARLY']);
  assert.ok(readMountinfo().some((m) => m.mountPoint === discovery.partitions()[0]!.root), 'mounted on the second scan');
});
