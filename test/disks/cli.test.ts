// `kexec-menu inspect`, `disks` and `list` without --root, run as the real command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisksJson } from '../../src/cli/disks';
import type { ListJson } from '../../src/cli/list';
import * as sys from '../../src/sys';
import { blkidExport, needTool } from './images';
import { attachLoop, loopUnavailable, run } from './loop';

const cli = join(__dirname, '../../src/cli.js');
const fixtures = join(__dirname, '../../../test/fixtures');

function kexecMenu(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('inspect FILE --json: type, label, UUID and size of file-system images, as blkid sees them', (t) => {
  needTool('blkid');
  const dir = tempDir(t);
  const images: [string, () => void][] = [
    ['root.ext4', () => (run('truncate', ['-s', '8M', join(dir, 'root.ext4')]), run('mkfs.ext4', ['-q', '-F', '-L', 'Debian root', join(dir, 'root.ext4')]))],
    ['esp.vfat', () => run('mkfs.vfat', ['-C', '-n', 'ESP', '-i', '4B1D5E7A', join(dir, 'esp.vfat'), '8192'])],
  ];
  needTool('xorriso');
  images.push(['cd.iso', () => run('xorriso', ['-as', 'mkisofs', '-quiet', '-J', '-R', '-V', 'Install CD', '-o', join(dir, 'cd.iso'), join(fixtures, 'bls/fedora39-boot/loader')])]);
  for (const [name, make] of images) {
    make();
    const img = join(dir, name);
    const r = kexecMenu('inspect', img, '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    const blkid = blkidExport(img);
    assert.equal(j['kind'], 'filesystem');
    assert.equal(j['file'], img);
    assert.equal(j['type'], blkid.get('TYPE'));
    assert.equal(j['label'], blkid.get('LABEL'));
    assert.equal(j['uuid'], blkid.get('UUID'));
    assert.equal(j['size'], Number(run('stat', ['-c', '%s', img]).trim()));
    const text = kexecMenu('inspect', img);
    assert.match(text.stdout, new RegExp(`^${img}: ${blkid.get('TYPE')} file system.*label "${blkid.get('LABEL')}", UUID ${blkid.get('UUID')}, `));
  }
  const plain = join(dir, 'notes.txt');
  writeFileSync(plain, 'just text\n');
  // Neither a file system nor a kernel or device tree: the kernel detector's sentence says why.
  assert.deepEqual(JSON.parse(kexecMenu('inspect', plain, '--json').stdout), {
    kind: 'unknown',
    file: plain,
    size: 10,
    reason: `${plain}: 10 bytes is too short to be a kernel image.`,
  });
  const missing = kexecMenu('inspect', join(dir, 'nope'));
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, `kexec-menu inspect: ${join(dir, 'nope')}: no such file or device\n`);
  assert.equal(kexecMenu('inspect').code, 2, 'no FILE is a usage error');
});

test('disks --json: a loop device with its file system, label, UUID, size and mount state; list without --root reads what is mounted', { skip: loopUnavailable() }, (t) => {
  const dir = tempDir(t);
  const img = join(dir, 'boot.ext4');
  run('truncate', ['-s', '16M', img]);
  run('mkfs.ext4', ['-q', '-F', '-L', 'fedora-boot', '-d', join(fixtures, 'bls/fedora39-boot'), img]);
  const loop = attachLoop(img);
  t.after(() => loop.detach());
  const blkid = blkidExport(img);

  const find = (j: DisksJson) => j.devices.find((d) => d.name === loop.name)!;
  const before = kexecMenu('disks', '--json');
  assert.equal(before.code, 0, before.stderr);
  const d = find(JSON.parse(before.stdout) as DisksJson);
  assert.ok(d, `${loop.name} is listed`);
  assert.deepEqual(
    { fstype: d.fstype, label: d.label, uuid: d.uuid, size: d.size, kind: d.kind, state: d.state, mountpoint: d.mountpoint, reason: d.reason },
    { fstype: 'ext4', label: 'fedora-boot', uuid: blkid.get('UUID')!, size: 16 << 20, kind: 'disk', state: 'not-mounted', mountpoint: null, reason: 'not mounted (identification only)' },
  );
  // --mount outside the image: refused, with the reason, and the device left untouched.
  const refused = find(JSON.parse(kexecMenu('disks', '--json', '--mount').stdout) as DisksJson);
  assert.equal(refused.state, 'not-mounted');
  assert.match(refused.reason!, /outside the kexec-menu image/);
  assert.equal(sys.isBlockDeviceReadOnly(loop.device), false);

  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  sys.mount(loop.device, mnt, 'ext4', sys.MS_RDONLY, null);
  try {
    const mounted = find(JSON.parse(kexecMenu('disks', '--json').stdout) as DisksJson);
    assert.equal(mounted.state, 'already-mounted');
    assert.equal(mounted.mountpoint, mnt);
    const text = kexecMenu('disks').stdout;
    assert.match(text, new RegExp(`^${loop.name} +16\\.0 MiB +ext4 +fedora-boot +${blkid.get('UUID')} +- +mounted at ${mnt}$`, 'm'));

    const list = kexecMenu('list', '--json', '--cmdline', '');
    assert.equal(list.code, 0, list.stderr);
    const entries = (JSON.parse(list.stdout) as ListJson).entries.filter((e) => e.source.partition === loop.name);
    assert.deepEqual(entries.map((e) => e.title).sort(), [
      'Fedora Linux (0-rescue-6a9857a393724b7a981ebb5b8495b9ea) 39 (Workstation Edition)',
      'Fedora Linux (6.5.6-300.fc39.x86_64) 39 (Workstation Edition)',
      'Fedora Linux (6.6.13-200.fc39.x86_64) 39 (Workstation Edition)',
      'Fedora Linux (6.6.9-200.fc39.x86_64) 39 (Workstation Edition)',
    ]);
    const newest = entries.find((e) => e.version === '6.6.13-200.fc39.x86_64')!;
    assert.equal(newest.kernel, join(mnt, 'vmlinuz-6.6.13-200.fc39.x86_64'));
  } finally {
    sys.umount2(mnt, 0);
  }
});
