import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rpiParser } from '../../src/entries/rpi';
import { boardOf } from '../../src/entries/rpi-board';
import { MemoryFiles } from '../../src/fs/memory-files';
import { DirectoryFiles } from '../../src/fs/directory-files';
import type { MachineContext } from '../../src/machine/context';
import type { ParsedEntry } from '../../src/entries/model';
import type { PartitionFiles } from '../../src/fs/files';
import type { EfiArch } from '../../src/machine/arch';

const FIXTURES = join(__dirname, '../../../test/fixtures/rpi');
const self = (path: string) => ({ partition: { by: 'self' as const }, path });
const PI3BPLUS = 'Raspberry Pi 3 Model B Plus Rev 1.3';

function parse(files: PartitionFiles, piModel?: string, efiArch: EfiArch = 'aa64') {
  const machine: MachineContext = piModel === undefined ? { efiArch } : { efiArch, piModel };
  return rpiParser.parse(files, 'mmcblk0p1', machine);
}

const BOOKWORM_CMDLINE =
  'console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait quiet init=/usr/lib/raspberrypi-sys-mods/firstboot';

function bookworm(e: { kernel: string; initrd: string; preferred?: string; overlays: string[]; notes: string[] }): ParsedEntry {
  return {
    localId: 'config.txt',
    title: 'Raspberry Pi OS (config.txt)',
    kernel: self(e.kernel),
    initrds: [self(e.initrd)],
    devicetree: e.preferred ? { kind: 'dir', resource: self('/'), preferred: e.preferred } : { kind: 'dir', resource: self('/') },
    overlays: e.overlays.map(self),
    cmdline: BOOKWORM_CMDLINE,
    reuseCmdline: false,
    isDefault: true,
    notes: e.notes,
    source: { format: 'rpi', file: '/config.txt', line: 1, partition: 'mmcblk0p1' },
  };
}

test('model strings: the firmware\'s and upstream Linux\'s name the same board', () => {
  assert.deepEqual(boardOf(PI3BPLUS), boardOf('Raspberry Pi 3 Model B+'));
  assert.equal(boardOf(PI3BPLUS)?.type, 0x0d);
  assert.deepEqual(boardOf(PI3BPLUS)?.filters, ['pi3', 'pi3+']);
  assert.equal(boardOf(PI3BPLUS)?.dtb, 'bcm2710-rpi-3-b-plus.dtb');
  assert.equal(boardOf(PI3BPLUS)?.upstreamDtb, 'bcm2837-rpi-3-b-plus.dtb');
  assert.deepEqual(boardOf('Raspberry Pi 400 Rev 1.0')?.filters, ['pi4', 'pi400']);
  assert.deepEqual(boardOf('Raspberry Pi Zero W Rev 1.1')?.filters, ['pi0', 'pi0w']);
  assert.deepEqual(boardOf('Raspberry Pi Zero 2 W Rev 1.0')?.filters, ['pi0', 'pi02']);
  assert.equal(boardOf('Raspberry Pi 5 Model B Rev 1.0')?.type, 0x17);
  assert.equal(boardOf('Raspberry Pi 500 Rev 1.0')?.type, 0x19);
  assert.equal(boardOf('Raspberry Pi Compute Module 4 Rev 1.0')?.type, 0x14);
  assert.equal(boardOf('Raspberry Pi Model B Rev 2')?.family, 'pi1');
  assert.equal(boardOf('QEMU virt machine'), undefined);
});

// Raspberry Pi OS Bookworm (pi-gen's own config.txt and cmdline.txt): a Pi 3B+ with
// arm_64bit=1 loads kernel8.img, auto_initramfs finds initramfs8, [cm4]/[cm5] are skipped.
test('Raspberry Pi OS Bookworm on a Pi 3B+', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'bookworm-arm64')), PI3BPLUS);
  assert.deepEqual(r.entries, [
    bookworm({
      kernel: '/kernel8.img',
      initrd: '/initramfs8',
      preferred: 'bcm2710-rpi-3-b-plus.dtb',
      overlays: ['/overlays/vc4-kms-v3d.dtbo'],
      notes: ['dtparam settings are not applied: audio=on'],
    }),
  ]);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.configTimeout, undefined);
});

test('Raspberry Pi OS Bookworm on a Compute Module 5: kernel_2712.img and the [cm5] overlay', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'bookworm-arm64')), 'Raspberry Pi Compute Module 5 Rev 1.0');
  assert.deepEqual(r.entries, [
    bookworm({
      kernel: '/kernel_2712.img',
      initrd: '/initramfs_2712',
      preferred: 'bcm2712-rpi-cm5-cm5io.dtb',
      overlays: ['/overlays/vc4-kms-v3d.dtbo', '/overlays/dwc2.dtbo'],
      notes: ['overlay parameters are not applied: dwc2 (dr_mode=host)', 'dtparam settings are not applied: audio=on'],
    }),
  ]);
  assert.deepEqual(r.diagnostics, []);
});

test('Raspberry Pi OS Bookworm with no model known: [all] only, said so', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'bookworm-arm64')));
  assert.deepEqual(r.entries, [
    bookworm({ kernel: '/kernel8.img', initrd: '/initramfs8', overlays: ['/overlays/vc4-kms-v3d.dtbo'], notes: ['dtparam settings are not applied: audio=on'] }),
  ]);
  assert.deepEqual(r.diagnostics, [
    { severity: 'info', file: '/config.txt', message: 'no Raspberry Pi model is known for this machine: only the sections every board reads are used' },
    { severity: 'info', file: '/config.txt', line: 42, message: 'section [cm4] skipped: the Raspberry Pi model is not known' },
    { severity: 'info', file: '/config.txt', line: 48, message: 'section [cm5] skipped: the Raspberry Pi model is not known' },
    { severity: 'info', file: '/config.txt', message: 'config.txt names no kernel and the board is unknown: the first of kernel8.img, kernel_2712.img present is used' },
  ]);
});

// Ubuntu's layout: kernel=vmlinuz, `initramfs initrd.img followkernel`, cmdline=,
// include syscfg.txt and usercfg.txt (whose [pi3] section adds an overlay).
function ubuntu(preferred: string, overlays: string[]): ParsedEntry {
  return {
    localId: 'config.txt',
    title: 'Raspberry Pi firmware boot: vmlinuz (config.txt)',
    kernel: self('/vmlinuz'),
    initrds: [self('/initrd.img')],
    devicetree: { kind: 'dir', resource: self('/'), preferred },
    overlays: overlays.map(self),
    cmdline: 'console=serial0,115200 dwc_otg.lpm_enable=0 console=tty1 root=LABEL=writable rootfstype=ext4 rootwait fixrtc quiet splash',
    reuseCmdline: false,
    isDefault: true,
    notes: ['dtparam settings are not applied: audio=on, i2c_arm=on, spi=on'],
    source: { format: 'rpi', file: '/config.txt', line: 17, partition: 'mmcblk0p1' },
  };
}

test('Ubuntu for Raspberry Pi on a Pi 4 and on a Pi 3B+ (upstream model string)', () => {
  const files = new DirectoryFiles(join(FIXTURES, 'ubuntu-21.04'));
  const pi4 = parse(files, 'Raspberry Pi 4 Model B Rev 1.4');
  assert.deepEqual(pi4.entries, [ubuntu('bcm2711-rpi-4-b.dtb', ['/overlays/dwc2.dtbo'])]);
  assert.deepEqual(pi4.diagnostics, []);
  const pi3 = parse(files, 'Raspberry Pi 3 Model B+');
  assert.deepEqual(pi3.entries, [ubuntu('bcm2710-rpi-3-b-plus.dtb', ['/overlays/dwc2.dtbo', '/overlays/disable-bt.dtbo'])]);
  const cm4 = parse(files, 'Raspberry Pi Compute Module 4 Rev 1.0');
  assert.deepEqual(cm4.entries[0]?.overlays, [self('/overlays/dwc2.dtbo'), self('/overlays/dwc2.dtbo')], 'dtoverlay=dwc2 and [cm4] dtoverlay=dwc2,dr_mode=host both load');
  assert.deepEqual(cm4.entries[0]?.devicetree, { kind: 'dir', resource: self('/'), preferred: 'bcm2711-rpi-cm4.dtb' });
});

test('filters: kinds combine, same kinds replace, [all] resets, [none] and undecidable sections are skipped', () => {
  const files = new MemoryFiles({
    '/config.txt': [
      'kernel=a.img',
      '[pi4]',
      'kernel=pi4.img',
      '[pi3]',
      'kernel=pi3.img',
      '[EDID=VSC-TD2220]',
      'kernel=edid.img',
      '[pi3+]',
      'initramfs edid-and-plus.cpio',
      '[all]',
      '[pi3+]',
      'ramfsfile=plus.cpio',
      '[none]',
      'dtoverlay=never',
      '[pi3]',
      'dtoverlay=still-never',
      '[all]',
      '[HDMI:1]',
      'cmdline=hdmi-cmdline.txt',
      '[gpio4=1]',
      'dtoverlay=gpio-only',
      '[all]',
      '[board-type=0x0d]',
      'dtoverlay=bt',
      '[tryboot]',
      'kernel=tryboot.img',
    ].join('\n'),
    '/hdmi-cmdline.txt': 'root=/dev/mmcblk0p2\nsecond line is ignored\n',
  });
  const r = parse(files, PI3BPLUS);
  const e = r.entries[0]!;
  assert.equal(e.kernel.path, '/pi3.img', '[pi3+] replaced [pi3] but the [EDID] filter still held: kernel=edid.img is skipped');
  assert.deepEqual(e.initrds, [self('/plus.cpio')]);
  assert.deepEqual(e.overlays, [self('/overlays/bt.dtbo')]);
  assert.equal(e.cmdline, 'root=/dev/mmcblk0p2');
  assert.deepEqual(e.devicetree, { kind: 'dir', resource: self('/'), preferred: 'bcm2710-rpi-3-b-plus.dtb' });
  assert.deepEqual(r.diagnostics, [
    { severity: 'info', file: '/config.txt', line: 6, message: 'section [EDID=VSC-TD2220] skipped: the connected monitor is not known here' },
    { severity: 'info', file: '/config.txt', line: 20, message: 'section [gpio4=1] skipped: GPIO levels at power-on are not known here' },
    { severity: 'info', file: '/config.txt', line: 25, message: 'section [tryboot] skipped: kexec does not start a tryboot (one-time) boot' },
  ]);
});

test('os_prefix applies when its kernel and DTB exist, device_tree= names a file, overlays follow overlay rules', () => {
  const tree = {
    '/config.txt': 'os_prefix=next/\nkernel=vmlinuz-6.6.20\ninitramfs initrd.img-6.6.20,extra.cpio followkernel\ndevice_tree=board.dtb\ncmdline=cmd.txt\ndtoverlay=disable-bt\n',
    '/next/vmlinuz-6.6.20': 'k',
    '/next/board.dtb': 'd',
    '/next/cmd.txt': 'root=LABEL=next',
    '/overlays/disable-bt.dtbo': 'o',
  };
  const r = parse(new MemoryFiles(tree), PI3BPLUS);
  assert.deepEqual(r.entries, [
    {
      localId: 'config.txt',
      title: 'Raspberry Pi firmware boot: vmlinuz-6.6.20 (config.txt)',
      version: '6.6.20',
      kernel: self('/next/vmlinuz-6.6.20'),
      initrds: [self('/next/initrd.img-6.6.20'), self('/next/extra.cpio')],
      devicetree: { kind: 'file', resource: self('/next/board.dtb') },
      overlays: [self('/overlays/disable-bt.dtbo')],
      cmdline: 'root=LABEL=next',
      reuseCmdline: false,
      isDefault: true,
      notes: [],
      source: { format: 'rpi', file: '/config.txt', line: 2, partition: 'mmcblk0p1' },
    },
  ]);
  // With next/overlays/README the overlays come from the prefix too.
  const own = parse(new MemoryFiles({ ...tree, '/next/overlays/README': 'r' }), PI3BPLUS);
  assert.deepEqual(own.entries[0]?.overlays, [self('/next/overlays/disable-bt.dtbo')]);
  // Without the kernel under the prefix, the firmware drops os_prefix.
  const { '/next/vmlinuz-6.6.20': _gone, ...noKernel } = tree;
  const dropped = parse(new MemoryFiles({ ...noKernel, '/vmlinuz-6.6.20': 'k' }), PI3BPLUS);
  assert.equal(dropped.entries[0]?.kernel.path, '/vmlinuz-6.6.20');
  assert.deepEqual(dropped.diagnostics, [
    { severity: 'info', file: '/config.txt', message: 'os_prefix next/ is not used: the kernel and device tree are not both found under it, so the firmware ignores it' },
    { severity: 'warning', file: '/cmd.txt', message: 'the kernel command line file is missing: the command line is empty' },
  ]);
});

test('default kernels per board, upstream DTB names, U-Boot as kernel, includes that loop', () => {
  const pi4_32 = parse(new MemoryFiles({ '/config.txt': 'arm_64bit=0\n', '/cmdline.txt': 'x', '/bcm2711-rpi-4-b.dtb': '' }), 'Raspberry Pi 4 Model B Rev 1.5');
  assert.equal(pi4_32.entries[0]?.kernel.path, '/kernel7l.img');
  const pi3_32 = parse(new MemoryFiles({ '/config.txt': '# nothing\n', '/cmdline.txt': 'x' }), 'Raspberry Pi 3 Model B Rev 1.2');
  assert.equal(pi3_32.entries[0]?.kernel.path, '/kernel7.img');
  const pi5 = parse(new MemoryFiles({ '/config.txt': '', '/cmdline.txt': 'x', '/kernel8.img': 'k' }), 'Raspberry Pi 5 Model B Rev 1.0');
  assert.equal(pi5.entries[0]?.kernel.path, '/kernel8.img', 'kernel_2712.img is absent, so the Pi 5 falls back to kernel8.img');
  const zero = parse(new MemoryFiles({ '/config.txt': 'arm_control=0x200\n', '/cmdline.txt': 'x' }), 'Raspberry Pi Zero W Rev 1.1');
  assert.equal(zero.entries[0]?.kernel.path, '/kernel.img', 'a Pi Zero W is 32-bit only');
  // Debian's raspi-firmware copies only upstream DTBs: the one present is preferred.
  const upstreamOnly = parse(new MemoryFiles({ '/config.txt': 'kernel=vmlinuz\n', '/cmdline.txt': 'x', '/bcm2837-rpi-3-b-plus.dtb': 'd' }), PI3BPLUS);
  assert.deepEqual(upstreamOnly.entries[0]?.devicetree, { kind: 'dir', resource: self('/'), preferred: 'bcm2837-rpi-3-b-plus.dtb' });

  const uboot = parse(new MemoryFiles({ '/config.txt': '[pi4]\nkernel=uboot_rpi_4.bin\n[pi3]\nkernel=uboot_rpi_3.bin\n[all]\narm_64bit=1\n' }), PI3BPLUS);
  assert.deepEqual(uboot, {
    entries: [],
    diagnostics: [
      { severity: 'info', file: '/config.txt', line: 4, message: 'kernel uboot_rpi_3.bin is U-Boot, not Linux: the firmware boots U-Boot, which reads its own configuration' },
    ],
  });

  const loop = parse(new MemoryFiles({ '/config.txt': 'include a.txt\nkernel=k.img\n', '/a.txt': 'include config.txt\ninclude missing.txt\n', '/cmdline.txt': 'x' }), PI3BPLUS);
  assert.equal(loop.entries[0]?.kernel.path, '/k.img');
  assert.deepEqual(loop.diagnostics, [
    { severity: 'warning', file: '/a.txt', line: 1, message: 'include config.txt would loop or nest too deep: not read' },
    { severity: 'info', file: '/a.txt', line: 2, message: 'include missing.txt: the file is missing, skipped' },
  ]);
});

test('no config.txt: nothing; binary junk and huge lines: no exception', () => {
  assert.deepEqual(parse(new MemoryFiles({ '/cmdline.txt': 'x' }), PI3BPLUS), { entries: [], diagnostics: [] });
  const junk = Array.from({ length: 100_000 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
  const r = parse(new MemoryFiles({ '/config.txt': `${junk}\n[${'x'.repeat(100_000)}]\n[all]\nkernel=${'k'.repeat(1_000_000)}\n`, '/cmdline.txt': '\0\0root=/dev/sda\n' }), PI3BPLUS);
  assert.equal(r.entries.length, 1);
  assert.equal(r.entries[0]?.kernel.path.length, 1_000_001);
  assert.equal(r.entries[0]?.cmdline, 'root=/dev/sda');
});
