import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineContextFromSystem } from '../../../src/machine/context';
import { MemoryFiles } from '../../../src/fs/memory-files';
import type { Format, FormatParser, ParsedEntry, PartitionSelector } from '../../../src/entries/model';
import type { PartitionInfo, ReadablePartition } from '../../../src/fs/files';
import type { ParserRegistry } from '../../../src/entries/scan/parsers';
import { openImageMenus } from '../../../src/disks/roots';
import { buildMenu, parseImageMenus, parsePartition, scanPartitions, type ScanSettings } from '../../../src/entries/scan/scan';
import { yamlParser } from '../../../src/entries/yaml-menu';

const MACHINE = { efiArch: 'x64' } as const;
const SETTINGS: ScanSettings = { formats: ['yaml', 'bls', 'loose'], default: 'auto', timeout: 7, file: '/etc/kexec-menu/config.yaml' };

function part(info: PartitionInfo, tree: Record<string, string | { link: string }>): ReadablePartition {
  return { info, root: `/mnt/${info.name}`, files: new MemoryFiles(tree) };
}

function entry(format: Format, localId: string, kernel: string, more: Partial<ParsedEntry> = {}, partition: PartitionSelector = { by: 'self' }): ParsedEntry {
  return {
    localId,
    title: localId,
    kernel: { partition, path: kernel },
    initrds: [],
    overlays: [],
    cmdline: '',
    reuseCmdline: false,
    isDefault: false,
    notes: [],
    source: { format, file: `/${format}.cfg`, line: 1, partition: 'x' },
    ...more,
  };
}

/** A parser that returns fixed entries (per partition name), to test the scanner alone. */
function fixed(format: Format, byPartition: Record<string, ParsedEntry[]>): FormatParser {
  return { format, parse: (_files, partition) => ({ entries: byPartition[partition] ?? [], diagnostics: [] }) };
}

test('ids: partition key (uuid, else partuuid, else label, else name) + format + local id; twins get ~2', () => {
  const parts = [
    part({ name: 'sda1', uuid: 'U1', partuuid: 'P1', label: 'L1' }, { '/k': 'x' }),
    part({ name: 'sda2', partuuid: 'P2', label: 'L2' }, { '/k': 'x' }),
    part({ name: 'sda3', label: 'L3' }, { '/k': 'x' }),
    part({ name: 'sda4' }, { '/k': 'x' }),
    part({ name: 'sda4' }, { '/k': 'x' }),
  ];
  // Distinct command lines, so that the twin sample partitions are not deduplicated.
  let n = 0;
  const reg: ParserRegistry = { bls: { format: 'bls', parse: () => ({ entries: [entry('bls', 'a', '/k', { cmdline: String(n++) })], diagnostics: [] }) } };
  const menu = scanPartitions(parts, { ...SETTINGS, formats: ['bls'] }, MACHINE, reg);
  assert.deepEqual(
    menu.entries.map((e) => e.id),
    ['U1:bls:a', 'P2:bls:a', 'L3:bls:a', 'sda4:bls:a', 'sda4:bls:a~2'],
  );
});

test('resolution: self, uuid (any case), label, partuuid, partlabel; host paths follow symlinks inside the partition', () => {
  const boot = part({ name: 'sda1', uuid: 'abcd-ef01' }, { '/vmlinuz': { link: 'boot/vmlinuz-6.1' }, '/boot/vmlinuz-6.1': 'k', '/boot/initrd': 'i', '/dtbs/a.dtb': 'd' });
  const other = part({ name: 'sdb1', label: 'data', partuuid: '0a0b-01', partlabel: 'esp' }, { '/k2': 'k', '/escape': { link: '../../../sda1/boot/vmlinuz-6.1' } });
  const reg: ParserRegistry = {
    bls: fixed('bls', {
      sda1: [
        entry('bls', 'self', '/vmlinuz', { initrds: [{ partition: { by: 'self' }, path: '/boot/initrd' }], devicetree: { kind: 'dir', resource: { partition: { by: 'self' }, path: '/dtbs' }, preferred: 'a.dtb' } }),
        entry('bls', 'uuid', '/boot/vmlinuz-6.1', { cmdline: 'u' }, { by: 'uuid', value: 'ABCD-EF01' }),
        entry('bls', 'label', '/k2', {}, { by: 'label', value: 'data' }),
        entry('bls', 'partuuid', '/k2', { cmdline: 'p' }, { by: 'partuuid', value: '0A0B-01' }),
        entry('bls', 'partlabel', '/k2', { cmdline: 'pl' }, { by: 'partlabel', value: 'esp' }),
        entry('bls', 'escape', '/escape', {}, { by: 'label', value: 'data' }),
        entry('bls', 'label-case', '/k2', { cmdline: 'lc' }, { by: 'label', value: 'DATA' }),
        entry('bls', 'gone', '/k', {}, { by: 'uuid', value: 'dead-beef' }),
        entry('bls', 'grubdev', '/k', {}, { by: 'unmappable', value: '(hd0,gpt2)' }),
        entry('bls', 'missing', '/boot/vmlinuz-6.2'),
        entry('bls', 'folder', '/boot'),
        entry('bls', 'noinitrd', '/vmlinuz', { initrds: [{ partition: { by: 'self' }, path: '/boot/initrd-x' }] }),
      ],
    }),
  };
  const menu = scanPartitions([boot, other], { ...SETTINGS, formats: ['bls'] }, MACHINE, reg);
  const byId = new Map(menu.entries.map((e) => [e.id.split(':')[2], e.resolution]));
  assert.deepEqual(byId.get('self'), {
    ok: true,
    files: { kernel: '/mnt/sda1/boot/vmlinuz-6.1', initrds: ['/mnt/sda1/boot/initrd'], devicetree: { kind: 'dir', path: '/mnt/sda1/dtbs', preferred: 'a.dtb' }, overlays: [] },
  });
  for (const [id, kernel] of [
    ['uuid', '/mnt/sda1/boot/vmlinuz-6.1'],
    ['label', '/mnt/sdb1/k2'],
    ['partuuid', '/mnt/sdb1/k2'],
    ['partlabel', '/mnt/sdb1/k2'],
  ]) {
    const r = byId.get(id);
    assert.ok(r?.ok, id);
    assert.equal(r.files.kernel, kernel, id);
  }
  const reason = (id: string): string | undefined => {
    const r = byId.get(id);
    return r && !r.ok ? r.reason : undefined;
  };
  // A symlink on sdb1 cannot reach sda1: '..' stops at sdb1's root.
  assert.equal(reason('escape'), 'kernel /escape is not on partition sdb1');
  assert.equal(reason('label-case'), 'kernel /k2: partition LABEL=DATA is not present', 'labels are matched exactly, as blkid does');
  assert.equal(reason('gone'), 'kernel /k: partition UUID=dead-beef is not present');
  assert.equal(reason('grubdev'), 'kernel /k: partition (hd0,gpt2) cannot be matched to a disk here');
  assert.equal(reason('missing'), 'kernel /boot/vmlinuz-6.2 is not on partition sda1');
  assert.equal(reason('folder'), 'kernel /boot on partition sda1 is not a file');
  assert.equal(reason('noinitrd'), 'initrd /boot/initrd-x is not on partition sda1');
  assert.equal(menu.entries.length, 12, 'unresolved entries stay listed');
});

test('a reader that throws costs its own entries only; diagnostics get host paths', () => {
  const p = part({ name: 'sda1' }, { '/k': 'x' });
  const reg: ParserRegistry = {
    yaml: {
      format: 'yaml',
      parse: () => ({ entries: [entry('yaml', 'y', '/k')], diagnostics: [{ severity: 'warning', file: '/boot/kexec-menu.yaml', line: 3, message: 'w' }] }),
    },
    bls: {
      format: 'bls',
      parse: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    },
    loose: fixed('loose', { sda1: [entry('loose', 'l', '/k', { cmdline: 'other' })] }),
  };
  const scan = parsePartition(p, SETTINGS, MACHINE, reg);
  assert.deepEqual(
    scan.entries.map((e) => e.localId),
    ['y', 'l'],
  );
  assert.deepEqual(scan.diagnostics, [
    { severity: 'warning', file: '/mnt/sda1/boot/kexec-menu.yaml', line: 3, message: 'w' },
    { severity: 'error', file: '/mnt/sda1', message: 'the bls reader failed on partition sda1: Maximum call stack size exceeded' },
  ]);
});

test('formats run in the settings order, and only the enabled ones', () => {
  const p = part({ name: 'sda1' }, { '/k': 'x' });
  const reg: ParserRegistry = {
    yaml: fixed('yaml', { sda1: [entry('yaml', 'y', '/k', { cmdline: '1' })] }),
    bls: fixed('bls', { sda1: [entry('bls', 'b', '/k', { cmdline: '2' })] }),
    loose: fixed('loose', { sda1: [entry('loose', 'l', '/k', { cmdline: '3' })] }),
  };
  const ids = (formats: Format[]): string[] => parsePartition(p, { formats }, MACHINE, reg).entries.map((e) => e.localId);
  assert.deepEqual(ids(['loose', 'bls']), ['l', 'b']);
  assert.deepEqual(ids(['bls', 'yaml', 'loose']), ['b', 'y', 'l']);
});

test('dedupe: a loose kernel another entry boots is dropped; exact twins are kept once and keep the default', () => {
  const a = part({ name: 'sda1', uuid: 'A' }, { '/boot/vmlinuz-6.1': 'k', '/vmlinuz': { link: 'boot/vmlinuz-6.1' }, '/boot/initrd': 'i', '/boot/vmlinuz-5.10': 'k' });
  const b = part({ name: 'sdb1', uuid: 'B' }, {});
  const init = [{ partition: { by: 'self' } as const, path: '/boot/initrd' }];
  const reg: ParserRegistry = {
    bls: fixed('bls', { sda1: [entry('bls', 'fedora', '/boot/vmlinuz-6.1', { initrds: init, cmdline: 'ro' })] }),
    grub: fixed('grub', {
      sda1: [
        entry('grub', 'blscfg-twin', '/vmlinuz', { initrds: init, cmdline: 'ro', isDefault: true }),
        entry('grub', 'other-cmdline', '/boot/vmlinuz-6.1', { initrds: init, cmdline: 'ro single' }),
      ],
    }),
    loose: fixed('loose', {
      sda1: [entry('loose', 'vmlinuz-6.1', '/vmlinuz'), entry('loose', 'vmlinuz-5.10', '/boot/vmlinuz-5.10')],
      // another partition's YAML boots sda1's 5.10: that still makes the loose one redundant
    }),
    yaml: fixed('yaml', { sdb1: [entry('yaml', 'usb', '/boot/vmlinuz-5.10', {}, { by: 'uuid', value: 'A' })] }),
  };
  const menu = scanPartitions([a, b], { ...SETTINGS, formats: ['bls', 'grub', 'loose', 'yaml'] }, MACHINE, reg);
  assert.deepEqual(
    menu.entries.map((e) => [e.id, e.isDefault]),
    [
      ['A:bls:fedora', true],
      ['A:grub:other-cmdline', false],
      ['B:yaml:usb', false],
    ],
  );
  assert.equal(menu.defaultId, 'A:bls:fedora', 'the kept twin inherits the dropped one’s default mark');
  // Without the YAML entry, the 5.10 loose kernel is the only way to boot it: kept.
  const menu2 = scanPartitions([a], { ...SETTINGS, formats: ['bls', 'grub', 'loose'] }, MACHINE, reg);
  assert.deepEqual(
    menu2.entries.map((e) => e.id),
    ['A:bls:fedora', 'A:grub:other-cmdline', 'A:loose:vmlinuz-5.10'],
  );
});

test('dedupe: an entry whose command line still holds a GRUB variable gives way to its expanded twin, default included', () => {
  const a = part({ name: 'sda1', uuid: 'A' }, { '/vmlinuz-rescue': 'k', '/initramfs-rescue.img': 'i' });
  const init = [{ partition: { by: 'self' } as const, path: '/initramfs-rescue.img' }];
  const reg: ParserRegistry = {
    bls: fixed('bls', { sda1: [entry('bls', 'rescue', '/vmlinuz-rescue', { initrds: init, cmdline: '$kernelopts', isDefault: true })] }),
    grub: fixed('grub', {
      sda1: [
        entry('grub', 'rescue', '/vmlinuz-rescue', { initrds: init, cmdline: 'root=UUID=R ro' }),
        // Same files, but no expanded twin for this one's literal ${extra}: kept as it is.
        entry('grub', 'lonely', '/vmlinuz-rescue', { cmdline: 'ro ${extra}' }),
      ],
    }),
  };
  const menu = scanPartitions([a], { ...SETTINGS, formats: ['bls', 'grub'] }, MACHINE, reg);
  assert.deepEqual(
    menu.entries.map((e) => [e.id, e.cmdline, e.isDefault]),
    [
      ['A:grub:rescue', 'root=UUID=R ro', true],
      ['A:grub:lonely', 'ro ${extra}', false],
    ],
  );
  assert.equal(menu.defaultId, 'A:grub:rescue');
});

test('default: auto prefers a bootable entry its config marks; else the first bootable one', () => {
  const p = part({ name: 'sda1' }, { '/k': 'x', '/k2': 'x' });
  const menuOf = (entries: ParsedEntry[], def = 'auto') =>
    scanPartitions([p], { ...SETTINGS, default: def, formats: ['bls'] }, MACHINE, { bls: fixed('bls', { sda1: entries }) });
  const list = [
    entry('bls', 'broken-default', '/missing', { isDefault: true }),
    entry('bls', 'first', '/k', { title: 'Debian GNU/Linux' }),
    entry('bls', 'marked', '/k2', { isDefault: true, title: 'Fedora Linux 39' }),
  ];
  assert.equal(menuOf(list).defaultId, 'sda1:bls:marked');
  assert.equal(menuOf(list.slice(0, 2)).defaultId, 'sda1:bls:first');
  assert.equal(menuOf(list.slice(0, 1)).defaultId, undefined, 'nothing bootable: no default');
  assert.equal(menuOf(list, 'sda1:bls:fir*').defaultId, 'sda1:bls:first', 'glob on ids');
  assert.equal(menuOf(list, 'debian*').defaultId, 'sda1:bls:first', 'glob on titles, case ignored');
  assert.equal(menuOf(list, 'Fedora Linux ??').defaultId, 'sda1:bls:marked');
  const none = menuOf(list, 'windows*');
  assert.equal(none.defaultId, 'sda1:bls:marked');
  assert.deepEqual(none.diagnostics, [
    { severity: 'warning', file: '/etc/kexec-menu/config.yaml', message: "default 'windows*' matches no entry's id or title; using the automatic default" },
  ]);
  const broken = menuOf(list, '*broken*');
  assert.equal(broken.defaultId, 'sda1:bls:marked');
  assert.match(broken.diagnostics[0]!.message, /^default '\*broken\*' picks 'broken-default', which cannot boot \(kernel \/missing is not on partition sda1\)/);
  assert.equal(menuOf(list).timeout, 7);
});

test('buildMenu re-resolves cached scans when a partition appears', () => {
  const usb = part({ name: 'sdb1', label: 'KEXECUSB' }, { '/kexec-menu.yaml': 'entries:\n  - {title: Debian, partition: {uuid: 5B1C}, kernel: /vmlinuz}\n' });
  const disk = part({ name: 'sda2', uuid: '5b1c' }, { '/vmlinuz': 'k' });
  const scan = parsePartition(usb, { formats: ['yaml'] }, MACHINE, { yaml: yamlParser });
  const before = buildMenu([scan], [usb], SETTINGS);
  assert.deepEqual(before.entries[0]?.resolution, { ok: false, reason: 'kernel /vmlinuz: partition UUID=5B1C is not present' });
  assert.equal(before.defaultId, undefined);
  const after = buildMenu([scan], [usb, disk], SETTINGS);
  assert.deepEqual(after.entries[0]?.resolution, { ok: true, files: { kernel: '/mnt/sda2/vmlinuz', initrds: [], overlays: [] } });
  assert.equal(after.entries[0]?.id, before.entries[0]?.id, 'ids do not change with resolution');
  assert.equal(after.defaultId, 'KEXECUSB:yaml:debian');
});

test('image menus: each folder is read as its own partition; paths without partition are inside it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menus-'));
  try {
    mkdirSync(join(dir, 'rescue'));
    writeFileSync(join(dir, 'rescue', 'vmlinuz'), 'k');
    writeFileSync(join(dir, 'rescue.yaml'), 'entries:\n  - {title: Rescue, kernel: rescue/vmlinuz}\n  - {title: Bad, kernal: x}\n');
    const disk = part({ name: 'sda2', uuid: 'U' }, {});
    const menu = scanPartitions([disk], SETTINGS, MACHINE, {}, openImageMenus([dir, join(dir, 'nothing-here')]));
    assert.deepEqual(
      menu.entries.map((e) => [e.id, e.partition.name, e.resolution.ok && e.resolution.files.kernel]),
      [['image:yaml:rescue', 'image', join(dir, 'rescue', 'vmlinuz')]],
    );
    assert.deepEqual(
      menu.diagnostics.map((d) => [d.file, d.line, d.message]),
      [
        [join(dir, 'rescue.yaml'), 3, "key 'kernal' is not known (did you mean 'kernel'?)"],
        [join(dir, 'rescue.yaml'), 3, "entry 2 ('Bad') has no 'kernel'"],
        [join(dir, 'nothing-here'), undefined, 'menus folder is not there'],
      ],
    );
    assert.equal(parseImageMenus([], MACHINE).length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('machineContextFromSystem reads the device tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-dt-'));
  try {
    assert.deepEqual(machineContextFromSystem(dir, 'x86_64'), { efiArch: 'x64' });
    writeFileSync(join(dir, 'model'), 'Raspberry Pi 4 Model B Rev 1.4\0');
    writeFileSync(join(dir, 'compatible'), 'raspberrypi,4-model-b\0brcm,bcm2711\0');
    assert.deepEqual(machineContextFromSystem(dir, 'arm64'), {
      efiArch: 'aa64',
      piModel: 'Raspberry Pi 4 Model B Rev 1.4',
      compatible: ['raspberrypi,4-model-b', 'brcm,bcm2711'],
    });
    writeFileSync(join(dir, 'model'), 'Radxa ROCK Pi 4B\0');
    assert.equal(machineContextFromSystem(dir, 'arm64').piModel, undefined);
    assert.equal(machineContextFromSystem(dir, 'arm').efiArch, 'arm');
    assert.equal(machineContextFromSystem(dir, 'riscv64').efiArch, 'riscv64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
