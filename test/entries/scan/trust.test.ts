// With a password, an entry boots by itself only with files of its config's own disk, unless
// the settings trust that config's partition (entries/scan/trust.ts); the rest need the password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFiles } from '../../../src/fs/memory-files';
import type { ParsedEntry, PartitionSelector } from '../../../src/entries/model';
import type { PartitionInfo, ReadablePartition } from '../../../src/fs/files';
import { PARSERS } from '../../../src/entries/scan/parsers';
import { buildMenu, parseImageMenus, parsePartition, scanPartitions, type ScanSettings } from '../../../src/entries/scan/scan';
import { type TrustedSource, diskOf, serverPasswordReason, withServerTrust } from '../../../src/entries/scan/trust';
import { SettingsError, parseSettings } from '../../../src/settings/load';
import { bootOrder } from '../../../src/entries/scan/default';
import { entry } from '../../ui/harness';

const MACHINE = { efiArch: 'x64' } as const;
const ROOT_UUID = '3f6a1c2e-8b4d-4e5f-9a7b-1c2d3e4f5a6b';
const OPEN: ScanSettings = { formats: ['yaml', 'grub', 'bls', 'extlinux', 'loose'], default: 'auto', timeout: 5 };
const LOCKED: ScanSettings = { ...OPEN, password: '$pbkdf2-sha256$1000$c2FsdA$aGFzaA' };

function part(info: PartitionInfo, tree: Record<string, string>): ReadablePartition {
  return { info, root: `/mnt/${info.name}`, files: new MemoryFiles(tree) };
}

/** The machine's disk: an ESP whose grub.cfg finds the root partition by UUID, and the root partition. */
const ESP = part({ name: 'sda1', uuid: '4B1D-5E7A', label: 'ESP' }, { '/EFI/debian/grub.cfg': `search --no-floppy --fs-uuid --set=root ${ROOT_UUID}\nmenuentry 'Debian' --id debian {\n  linux /vmlinuz root=UUID=${ROOT_UUID} ro\n  initrd /initrd.img\n}\n` });
const ROOT = part({ name: 'sda2', uuid: ROOT_UUID, label: 'root' }, { '/vmlinuz': 'k', '/initrd.img': 'i' });

const yamlStick = (info: PartitionInfo) =>
  part(info, {
    '/kexec-menu.yaml': `entries:
  - title: Root shell on the machine's kernel
    id: shell
    default: true
    partition: { uuid: ${ROOT_UUID} }
    kernel: /vmlinuz
    initrd: /initrd.img
    cmdline: root=UUID=${ROOT_UUID} init=/bin/sh
  - title: The stick's own rescue
    id: rescue
    kernel: /boot/vmlinuz
`,
    '/boot/vmlinuz': 'k',
  });
const STICK = yamlStick({ name: 'sdb1', uuid: '2C4F-81A0', label: 'KEXECUSB', partuuid: 'deadbeef-01' });

const needs = (menu: ReturnType<typeof scanPartitions>) => Object.fromEntries(menu.entries.map((e) => [e.id, e.needsPassword ?? null]));

test('without a password nothing changes: a stick may name the machine\'s kernel, as before', () => {
  const menu = scanPartitions([ESP, ROOT, STICK], OPEN, MACHINE, PARSERS);
  assert.ok(menu.entries.length >= 3);
  assert.ok(menu.entries.every((e) => e.needsPassword === undefined));
});

test('with a password: the stick\'s entry on the machine\'s kernel needs it (with the reason, also as a note); its own files and the machine\'s own disk do not', () => {
  const menu = scanPartitions([ESP, ROOT, STICK], LOCKED, MACHINE, PARSERS);
  const why = "kernel /vmlinuz is on sda2, another disk than its config's partition sdb1; the settings do not trust sdb1 (trusted:)";
  assert.deepEqual(needs(menu), {
    '4B1D-5E7A:grub:debian': null, // sda1's config names sda2: the same disk
    '2C4F-81A0:yaml:shell': why,
    '2C4F-81A0:yaml:rescue': null,
  });
  const shell = menu.entries.find((e) => e.id === '2C4F-81A0:yaml:shell')!;
  assert.ok(shell.resolution.ok, 'it is listed, and can boot with the password');
  assert.deepEqual(shell.notes, [`Boots only with the password: ${why}.`]);
  assert.equal(menu.defaultId, '4B1D-5E7A:grub:debian', 'its `default: true` does not make it the default');
  assert.ok(!bootOrder(menu.entries, 'auto', menu.defaultId).includes(shell.id), 'no timeout ever boots it');
});

test('a default rule naming such an entry falls back to the automatic default, saying why', () => {
  const menu = scanPartitions([ESP, ROOT, STICK], { ...LOCKED, default: 'Root shell*' }, MACHINE, PARSERS);
  assert.equal(menu.defaultId, '4B1D-5E7A:grub:debian');
  assert.match(menu.diagnostics.map((d) => d.message).join('\n'), /default 'Root shell\*' picks 'Root shell on the machine's kernel', which boots only with the password \(kernel \/vmlinuz is on sda2/);
});

test('every format: a GRUB search, a BLS or extlinux file by UUID, an initrd or device tree of another disk', () => {
  const grubStick = part({ name: 'sdc1', uuid: 'C0FFEE' }, { '/boot/grub/grub.cfg': `menuentry 'Hijack' --id hijack {\n  search --fs-uuid --set=root ${ROOT_UUID}\n  linux /vmlinuz init=/bin/sh\n}\n` });
  const menu = scanPartitions([ESP, ROOT, grubStick], LOCKED, MACHINE, PARSERS);
  assert.match(needs(menu)['C0FFEE:grub:hijack'] ?? '', /^kernel \/vmlinuz is on sda2, another disk than its config's partition sdc1/);
  // Whatever the format, the rule sees the resources: one parsed entry per format, an initrd or a device tree elsewhere.
  const other: PartitionSelector = { by: 'label', value: 'root' };
  const stick = part({ name: 'nvme1n1p1', uuid: 'N1' }, { '/vmlinuz': 'k', '/vmlinuz-6.1': 'k' });
  // A parsed entry as any reader makes it (the harness's, whose resolution buildMenu replaces).
  const made = (format: ParsedEntry['source']['format'], more: Partial<ParsedEntry>): ParsedEntry =>
    entry(format, format, stick.info, { kernel: { partition: { by: 'self' }, path: '/vmlinuz' }, initrds: [], source: { format, file: '/x', line: 1, partition: 'nvme1n1p1' }, ...more });
  const entries = [
    made('bls', { kernel: { partition: other, path: '/vmlinuz' } }),
    made('extlinux', { initrds: [{ partition: other, path: '/initrd.img' }] }),
    made('rpi', { devicetree: { kind: 'dir', resource: { partition: other, path: '/' } } }),
    made('loose', { kernel: { partition: { by: 'self' }, path: '/vmlinuz-6.1' } }),
  ];
  const scan = { ...parsePartition(stick, LOCKED, MACHINE, {}), entries };
  const built = buildMenu([scan], [ESP, ROOT, stick], LOCKED);
  assert.deepEqual(
    built.entries.map((e) => [e.source.format, e.needsPassword?.replace(/,.*/, '') ?? null]),
    [
      ['bls', 'kernel /vmlinuz is on sda2'],
      ['extlinux', 'initrd /initrd.img is on sda2'],
      ['rpi', 'device tree folder / is on sda2'],
      ['loose', null],
    ],
  );
});

test('trusted: by UUID, PARTUUID or label the stick may name other disks; the settings alone say so', () => {
  for (const t of [{ by: 'uuid', value: '2c4f-81a0' }, { by: 'partuuid', value: 'DEADBEEF-01' }, { by: 'label', value: 'KEXECUSB' }] as const) {
    const menu = scanPartitions([ESP, ROOT, STICK], { ...LOCKED, trusted: [t] }, MACHINE, PARSERS);
    assert.equal(needs(menu)['2C4F-81A0:yaml:shell'], null, `trusted by ${t.by}`);
  }
  const elsewhere = scanPartitions([ESP, ROOT, STICK], { ...LOCKED, trusted: [{ by: 'label', value: 'OTHER' }] }, MACHINE, PARSERS);
  assert.notEqual(needs(elsewhere)['2C4F-81A0:yaml:shell'], null, 'trusting another partition trusts not this one');
});

test('a copied identifier trusts nothing: a twin of the trusted stick, or a partition carrying the UUID a file is named by', () => {
  const twin = yamlStick({ name: 'sdc1', uuid: '9999-0000', label: 'KEXECUSB' });
  const menu = scanPartitions([ESP, ROOT, STICK, twin], { ...LOCKED, trusted: [{ by: 'label', value: 'KEXECUSB' }] }, MACHINE, PARSERS);
  assert.match(needs(menu)['2C4F-81A0:yaml:shell'] ?? '', /the trusted LABEL=KEXECUSB is also on sdc1, so neither is trusted while both are present$/);
  // A stick that carries the machine's root UUID: the ESP's own (same-disk, trusted) entry must not boot its files unasked.
  const clone = part({ name: 'sdd1', uuid: ROOT_UUID }, { '/vmlinuz': 'evil', '/initrd.img': 'evil' });
  for (const present of [[ESP, ROOT, clone], [ESP, clone, ROOT]]) {
    const cloned = scanPartitions(present, { ...LOCKED, trusted: [{ by: 'label', value: 'ESP' }] }, MACHINE, PARSERS);
    assert.match(needs(cloned)['4B1D-5E7A:grub:debian'] ?? '', /^kernel \/vmlinuz: UUID=3f6a1c2e-8b4d-4e5f-9a7b-1c2d3e4f5a6b names more than one partition here \((sda2, sdd1|sdd1, sda2)\)/);
  }
});

test('the image\'s own menus are trusted as the settings are, but not past a copied identifier', () => {
  const image = part({ name: 'image' }, { '/rescue.yaml': `entries:\n  - { title: Machine, id: machine, partition: { uuid: ${ROOT_UUID} }, kernel: /vmlinuz }\n` });
  const scans = [...[ESP, ROOT].map((p) => parsePartition(p, LOCKED, MACHINE, PARSERS)), ...parseImageMenus([image], MACHINE)];
  assert.equal(needs(buildMenu(scans, [ESP, ROOT], LOCKED))['image:yaml:machine'], null);
  const clone = part({ name: 'sdd1', uuid: ROOT_UUID }, { '/vmlinuz': 'evil' });
  assert.match(needs(buildMenu(scans, [ESP, ROOT, clone], LOCKED))['image:yaml:machine'] ?? '', /names more than one partition here/);
  // The same file from a disk's partition that calls itself "image" is no image menu.
  const impostor = part({ name: 'image' }, { '/kexec-menu.yaml': `entries:\n  - { title: Machine, id: machine, partition: { uuid: ${ROOT_UUID} }, kernel: /vmlinuz }\n` });
  assert.notEqual(needs(scanPartitions([ESP, ROOT, impostor], LOCKED, MACHINE, PARSERS))['image:yaml:machine'], null);
});

test('diskOf follows the kernel\'s partition names', () => {
  const cases: [string, string][] = [
    ['sda1', 'sda'],
    ['sdab12', 'sdab'],
    ['vdb', 'vdb'],
    ['vda2', 'vda'],
    ['xvda1', 'xvda'],
    ['nvme0n1p2', 'nvme0n1'],
    ['nvme0n1', 'nvme0n1'],
    ['mmcblk0p1', 'mmcblk0'],
    ['mmcblk1', 'mmcblk1'],
    ['loop0p1', 'loop0'],
    ['loop0', 'loop0'],
    ['loop1', 'loop1'],
    ['sr0', 'sr0'],
    ['md127', 'md127'],
    ['KEXECUSB', 'KEXECUSB'],
  ];
  assert.deepEqual(cases.map(([name]) => [name, diskOf(name)]), cases);
});

// A boot server's entries (src/net): anyone on the network can answer DHCP, so with a password
// they boot by themselves only from a server the settings trust.
const SERVER: PartitionInfo = { name: 'tftp://10.0.0.5', fstype: 'tftp', partlabel: 'network eth0' };
const CONFIG = 'tftp://10.0.0.5/pxelinux.cfg/01-52-54-00-12-34-56';
const fromServer = (files: { kernel: string; initrds?: string[]; dtb?: string }, file = CONFIG) =>
  entry('tftp://10.0.0.5:extlinux:net', 'Net', SERVER, {
    source: { format: 'extlinux', file, line: 2, partition: SERVER.name },
    resolution: { ok: true, files: { kernel: files.kernel, initrds: files.initrds ?? [], overlays: [], ...(files.dtb ? { devicetree: { kind: 'file' as const, path: files.dtb } } : {}) } },
  });
const onServer = fromServer({ kernel: 'tftp://10.0.0.5/vmlinuz', initrds: ['http://10.0.0.5:8080/fleet/initrd.img'] });
const locked = (...trusted: TrustedSource[]) => ({ password: LOCKED.password, trusted });

test('a boot server\'s entry: free without a password; with one it needs it unless the server is trusted, by address or by a folder', () => {
  assert.equal(serverPasswordReason(onServer, CONFIG, { trusted: [] }), undefined, 'no password: as its config says');
  assert.equal(
    serverPasswordReason(onServer, CONFIG, locked()),
    `config ${CONFIG} is on a boot server the settings do not trust (trusted: { server: 10.0.0.5 } or a url: folder); anyone on the network can answer DHCP`,
  );
  assert.equal(serverPasswordReason(onServer, CONFIG, locked({ by: 'server', value: '10.0.0.5' })), undefined, 'any protocol and port of that address');
  assert.match(serverPasswordReason(onServer, CONFIG, locked({ by: 'server', value: '10.0.0.6' })) ?? '', /^config /);
  assert.match(serverPasswordReason(onServer, CONFIG, locked({ by: 'label', value: 'network eth0' })) ?? '', /^config /, 'a partition rule trusts no server');
  // Folders: the config's and each download's, protocol, host and port included.
  const folders = [{ by: 'url', value: 'tftp://10.0.0.5/' }, { by: 'url', value: 'http://10.0.0.5:8080/fleet' }] as const;
  assert.equal(serverPasswordReason(onServer, CONFIG, locked(...folders)), undefined);
  assert.match(serverPasswordReason(onServer, CONFIG, locked(folders[0])) ?? '', /^initrd http:\/\/10\.0\.0\.5:8080\/fleet\/initrd\.img is on a boot server/);
  assert.match(serverPasswordReason(onServer, CONFIG, locked(folders[0], { by: 'url', value: 'http://10.0.0.5/fleet' })) ?? '', /^initrd /, 'port 80 is not 8080');
  assert.equal(serverPasswordReason(onServer, CONFIG, locked(folders[0], { by: 'url', value: 'http://10.0.0.5:8080/fleet/initrd.img' })), undefined, 'a file is a folder of one');
  const tftpDefaultPort = fromServer({ kernel: 'tftp://10.0.0.5:69/vmlinuz' });
  assert.equal(serverPasswordReason(tftpDefaultPort, CONFIG, locked(folders[0])), undefined, 'tftp port 69 is the default');
  assert.equal(withServerTrust(onServer, CONFIG, locked(...folders)), onServer, 'unchanged when trusted');
  assert.deepEqual(withServerTrust(onServer, CONFIG, locked()).notes, [`Boots only with the password: ${serverPasswordReason(onServer, CONFIG, locked())}.`], 'marked as a disk entry is');
});

test('a trusted folder vouches only for what is under it: not a neighbour, not a way out by .. or its encodings, not an untrusted top config or include', () => {
  const fleet = { by: 'url', value: 'tftp://10.0.0.5/fleet/' } as const;
  const config = 'tftp://10.0.0.5/fleet/pxelinux.cfg/default';
  const inFleet = (kernel: string) => serverPasswordReason(fromServer({ kernel }, config), config, locked(fleet));
  assert.equal(inFleet('tftp://10.0.0.5/fleet/vmlinuz'), undefined);
  assert.match(inFleet('tftp://10.0.0.5/fleetwood/vmlinuz') ?? '', /^kernel /, 'a folder is not a string prefix');
  assert.match(inFleet('tftp://10.0.0.5/fleet/..%2F..%2Fother/vmlinuz') ?? '', /^kernel /, '.. as the TFTP server gets it after decoding');
  assert.match(inFleet('tftp://10.0.0.5/fleet/..\\other/vmlinuz') ?? '', /^kernel /, 'a backslash is a separator to some servers');
  assert.match(inFleet('tftp://10.0.0.50/fleet/vmlinuz') ?? '', /^kernel /);
  assert.equal(serverPasswordReason(fromServer({ kernel: 'tftp://10.0.0.5/fleet/x/../vmlinuz' }, config), config, locked({ by: 'server', value: '10.0.0.5' })), undefined, 'a trusted server is trusted whole');
  // The lookup's own config decides globals (APPEND) for the entries of the files it includes.
  const included = fromServer({ kernel: 'tftp://10.0.0.5/fleet/vmlinuz' }, 'tftp://10.0.0.5/fleet/menu.cfg');
  assert.match(serverPasswordReason(included, 'tftp://10.66.6.6/pxelinux.cfg/default', locked(fleet)) ?? '', /^config tftp:\/\/10\.66\.6\.6\/pxelinux\.cfg\/default is on a boot server/);
  // IPv6, with or without brackets; names ignoring case.
  const v6 = fromServer({ kernel: 'http://[fd00::5]/vmlinuz' }, 'http://[fd00::5]/pxelinux.cfg/default');
  for (const value of ['fd00::5', '[FD00::5]']) assert.equal(serverPasswordReason(v6, v6.source.file, locked({ by: 'server', value })), undefined, value);
  const named = fromServer({ kernel: 'http://Boot.Example/vmlinuz' }, 'http://boot.example/cfg');
  assert.equal(serverPasswordReason(named, named.source.file, locked({ by: 'server', value: 'BOOT.example' })), undefined);
});

test('trusted: server and url in the settings, checked like the rest', () => {
  const s = parseSettings('password: "x"\ntrusted:\n  - { server: 10.0.0.5 }\n  - { url: "http://10.0.0.9/fleet/" }\n  - { label: ESP }\n', '/etc/kexec-menu/config.yaml');
  assert.deepEqual(s.trusted, [
    { by: 'server', value: '10.0.0.5' },
    { by: 'url', value: 'http://10.0.0.9/fleet/' },
    { by: 'label', value: 'ESP' },
  ]);
  const bad = (yaml: string) => assert.throws(() => parseSettings(`trusted:\n  - ${yaml}\n`, 'c.yaml'), SettingsError, yaml);
  bad('{ server: "tftp://10.0.0.5" }');
  bad('{ server: "10.0.0.5:69" }');
  bad('{ server: "10.0.0.5/boot" }');
  bad('{ url: "https://10.0.0.5/" }');
  bad('{ url: "10.0.0.5/fleet" }');
  bad('{ url: "http://10.0.0.5/fleet?x=1" }');
  bad('{ host: 10.0.0.5 }');
  assert.throws(() => parseSettings('trusted:\n  - { server: "10.0.0.5:69" }\n', 'c.yaml'), /c\.yaml:2: in 'trusted': '10\.0\.0\.5:69' is not a server address/);
});
