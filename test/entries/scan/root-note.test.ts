// root=UUID=/PARTUUID=/LABEL=/PARTLABEL= on an entry's command line, checked against the
// partitions found: a note (never a refusal) when none is that partition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFiles } from '../../../src/fs/memory-files';
import type { ReadablePartition } from '../../../src/fs/files';
import { rootSelector } from '../../../src/entries/scan/resolve';
import { scanPartitions, type ScanSettings } from '../../../src/entries/scan/scan';
import { yamlParser } from '../../../src/entries/yaml-menu';

test('rootSelector reads the last root= as the kernel splits words; variables and PARTNROFF are not checked', () => {
  assert.deepEqual(rootSelector('ro root=/dev/sda1 quiet root=UUID=3F6A-1C2E'), { by: 'uuid', value: '3F6A-1C2E' });
  assert.deepEqual(rootSelector('root=PARTUUID=0b1d5e7a-02 rw'), { by: 'partuuid', value: '0b1d5e7a-02' });
  assert.deepEqual(rootSelector('root="LABEL=my root" ro'), { by: 'label', value: 'my root' });
  assert.deepEqual(rootSelector('root=PARTLABEL=rootfs'), { by: 'partlabel', value: 'rootfs' });
  assert.equal(rootSelector('root=/dev/mapper/vg-root'), undefined);
  assert.equal(rootSelector('root=UUID=$root_uuid ro'), undefined);
  assert.equal(rootSelector('root=PARTUUID=0b1d5e7a-01/PARTNROFF=1'), undefined);
  assert.equal(rootSelector('root=UUID= ro'), undefined);
  assert.equal(rootSelector('quiet splash'), undefined);
  assert.equal(rootSelector('myroot=UUID=x'), undefined);
});

test('an entry whose root= names no partition found gets a note and stays bootable; one whose root is present, in any case of its UUID, gets none', () => {
  const menu = [
    ['here-uuid', 'root=UUID=3F6A1C2E-8B4D-4E5F-9A7B-1C2D3E4F5A6B ro'],
    ['here-label', 'root=LABEL=debian-root'],
    ['here-partuuid', 'root=PARTUUID=0b1d5e7a-02'],
    ['gone-uuid', 'root=UUID=0000aaaa-0000-0000-0000-000000000000 ro quiet'],
    ['gone-partlabel', 'root=PARTLABEL=nowhere'],
    ['device', 'root=/dev/vda2'],
  ]
    .map(([id, cmdline]) => `  - {id: ${id}, title: ${id}, kernel: /vmlinuz, cmdline: "${cmdline}"}\n`)
    .join('');
  const esp: ReadablePartition = { info: { name: 'vda1', uuid: 'AB12-CD34' }, root: '/mnt/vda1', files: new MemoryFiles({ '/vmlinuz': 'k', '/boot/kexec-menu.yaml': 'entries:\n' + menu }) };
  const root: ReadablePartition = { info: { name: 'vda2', uuid: '3f6a1c2e-8b4d-4e5f-9a7b-1c2d3e4f5a6b', partuuid: '0b1d5e7a-02', label: 'debian-root' }, root: '/mnt/vda2', files: new MemoryFiles() };
  const settings: ScanSettings = { formats: ['yaml'], default: 'auto', timeout: 5 } as ScanSettings;
  const m = scanPartitions([esp, root], settings, { efiArch: 'x64' }, { yaml: yamlParser });
  const notes = Object.fromEntries(m.entries.map((e) => [e.localId, e.notes]));
  const gone = (sel: string) => [`root=${sel} names no partition found here: unless the kernel's initramfs makes it (an encrypted or LVM volume), the kernel will not find its root file system`];
  assert.deepEqual(notes, {
    'here-uuid': [],
    'here-label': [],
    'here-partuuid': [],
    'gone-uuid': gone('UUID=0000aaaa-0000-0000-0000-000000000000'),
    'gone-partlabel': gone('PARTLABEL=nowhere'),
    device: [],
  });
  assert.ok(m.entries.every((e) => e.resolution.ok), 'a note, not a refusal');
});
