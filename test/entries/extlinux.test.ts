import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { extlinuxParser } from '../../src/entries/extlinux';
import { MemoryFiles } from '../../src/fs/memory-files';
import { DirectoryFiles } from '../../src/fs/directory-files';
import type { DeviceTreeRef, ParsedEntry } from '../../src/entries/model';
import type { PartitionFiles } from '../../src/fs/files';

const FIXTURES = join(__dirname, '../../../test/fixtures/extlinux');
const MACHINE = { efiArch: 'aa64' } as const;
const self = (path: string) => ({ partition: { by: 'self' as const }, path });

function parse(files: PartitionFiles) {
  return extlinuxParser.parse(files, 'mmcblk0p1', MACHINE);
}

/** An expected entry: every field is given by the test; only the constant ones have defaults. */
function entry(e: {
  localId: string;
  title: string;
  version?: string;
  kernel: string;
  initrds?: string[];
  devicetree?: DeviceTreeRef;
  overlays?: string[];
  cmdline: string;
  isDefault?: boolean;
  notes?: string[];
  file: string;
  line: number;
}): ParsedEntry {
  return {
    localId: e.localId,
    title: e.title,
    ...(e.version !== undefined ? { version: e.version } : {}),
    kernel: self(e.kernel),
    initrds: (e.initrds ?? []).map(self),
    ...(e.devicetree ? { devicetree: e.devicetree } : {}),
    overlays: (e.overlays ?? []).map(self),
    cmdline: e.cmdline,
    reuseCmdline: false,
    notes: e.notes ?? [],
    source: { format: 'extlinux', file: e.file, line: e.line, partition: 'mmcblk0p1' },
    isDefault: e.isDefault ?? false,
  };
}

const ROOT_UUID = 'root=UUID=6b1d3c2e-8a4f-4f0e-9d7c-2a5b8e1f0c93';

// u-boot-update (Debian's u-boot-menu) on a separate /boot: its default l0 is the newest
// kernel, each kernel has a "(rescue target)" twin with "single", timeout 50 tenths.
test('u-boot-menu on a separate /boot partition', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'u-boot-menu')));
  const f = '/extlinux/extlinux.conf';
  const dir = (v: string): DeviceTreeRef => ({ kind: 'dir', resource: self(`/usr/lib/linux-image-${v}`) });
  assert.deepEqual(r.entries, [
    entry({ localId: 'l0', title: 'Debian GNU/Linux 12 (bookworm) 6.1.0-18-arm64', version: '6.1.0-18-arm64', kernel: '/vmlinuz-6.1.0-18-arm64', initrds: ['/initrd.img-6.1.0-18-arm64'], devicetree: dir('6.1.0-18-arm64'), cmdline: `${ROOT_UUID} ro quiet`, isDefault: true, file: f, line: 14 }),
    entry({ localId: 'l0r', title: 'Debian GNU/Linux 12 (bookworm) 6.1.0-18-arm64 (rescue target)', version: '6.1.0-18-arm64', kernel: '/vmlinuz-6.1.0-18-arm64', initrds: ['/initrd.img-6.1.0-18-arm64'], devicetree: dir('6.1.0-18-arm64'), cmdline: `${ROOT_UUID} ro single`, file: f, line: 22 }),
    entry({ localId: 'l1', title: 'Debian GNU/Linux 12 (bookworm) 6.1.0-17-arm64', version: '6.1.0-17-arm64', kernel: '/vmlinuz-6.1.0-17-arm64', initrds: ['/initrd.img-6.1.0-17-arm64'], devicetree: dir('6.1.0-17-arm64'), cmdline: `${ROOT_UUID} ro quiet`, file: f, line: 30 }),
    entry({ localId: 'l1r', title: 'Debian GNU/Linux 12 (bookworm) 6.1.0-17-arm64 (rescue target)', version: '6.1.0-17-arm64', kernel: '/vmlinuz-6.1.0-17-arm64', initrds: ['/initrd.img-6.1.0-17-arm64'], devicetree: dir('6.1.0-17-arm64'), cmdline: `${ROOT_UUID} ro single`, file: f, line: 38 }),
  ]);
  assert.equal(r.configTimeout, 5);
  assert.deepEqual(r.diagnostics, []);
});

test('u-boot-menu on a single root file system, with fdtoverlays', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'u-boot-menu-rootfs')));
  const f = '/boot/extlinux/extlinux.conf';
  const dir = (v: string): DeviceTreeRef => ({ kind: 'dir', resource: self(`/usr/lib/linux-image-${v}`) });
  const overlays = ['/boot/dtbo/rockchip-rk3399-dmc.dtbo', '/boot/dtbo/rockchip-rk3399-opp-2ghz.dtbo'];
  assert.deepEqual(r.entries, [
    entry({ localId: 'l0', title: 'Debian GNU/Linux 12 (bookworm) 6.1.0-18-arm64', version: '6.1.0-18-arm64', kernel: '/boot/vmlinuz-6.1.0-18-arm64', initrds: ['/boot/initrd.img-6.1.0-18-arm64'], devicetree: dir('6.1.0-18-arm64'), overlays, cmdline: `${ROOT_UUID} ro quiet`, isDefault: true, file: f, line: 14 }),
    // u-boot-update writes fdtoverlays for the default entries only.
    entry({ localId: 'l0r', title: 'Debian GNU/Linux 12 (bookworm) 6.1.0-18-arm64 (rescue target)', version: '6.1.0-18-arm64', kernel: '/boot/vmlinuz-6.1.0-18-arm64', initrds: ['/boot/initrd.img-6.1.0-18-arm64'], devicetree: dir('6.1.0-18-arm64'), cmdline: `${ROOT_UUID} ro single`, file: f, line: 22 }),
    entry({ localId: 'l1', title: 'Debian GNU/Linux 12 (bookworm) 6.1.0-17-arm64', version: '6.1.0-17-arm64', kernel: '/boot/vmlinuz-6.1.0-17-arm64', initrds: ['/boot/initrd.img-6.1.0-17-arm64'], devicetree: dir('6.1.0-17-arm64'), overlays, cmdline: `${ROOT_UUID} ro quiet`, file: f, line: 30 }),
    entry({ localId: 'l1r', title: 'Debian GNU/Linux 12 (bookworm) 6.1.0-17-arm64 (rescue target)', version: '6.1.0-17-arm64', kernel: '/boot/vmlinuz-6.1.0-17-arm64', initrds: ['/boot/initrd.img-6.1.0-17-arm64'], devicetree: dir('6.1.0-17-arm64'), cmdline: `${ROOT_UUID} ro single`, file: f, line: 38 }),
  ]);
  assert.equal(r.configTimeout, 5);
  assert.deepEqual(r.diagnostics, []);
});

// Fedora's appliance-creator: a label name with spaces (U-Boot keeps the whole line), no
// default line, `ui menu.c32` (unknown to U-Boot, ignored), timeout 20 → 2 s.
test('Fedora 31 armhfp image', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'fedora31-armhfp')));
  assert.deepEqual(r.entries, [
    entry({
      localId: 'Fedora-Workstation-armhfp-31-1.9 (5.3.7-301.fc31.armv7hl)',
      title: 'Fedora-Workstation-armhfp-31-1.9 (5.3.7-301.fc31.armv7hl)',
      version: '5.3.7-301.fc31.armv7hl',
      kernel: '/vmlinuz-5.3.7-301.fc31.armv7hl',
      initrds: ['/initramfs-5.3.7-301.fc31.armv7hl.img'],
      devicetree: { kind: 'dir', resource: self('/dtb-5.3.7-301.fc31.armv7hl') },
      cmdline: 'ro root=UUID=9732b35b-4cd5-458b-9b91-80f7047e0b8a rhgb quiet LANG=en_US.UTF-8 cma=192MB cma=256MB',
      file: '/extlinux/extlinux.conf',
      line: 9,
    }),
  ]);
  assert.equal(r.configTimeout, 2);
  assert.deepEqual(r.diagnostics, []);
});

// Alpine's mkimage: upper-case keywords, three initrds joined by commas (microcode first),
// PROMPT 1 with TIMEOUT 10 → 1 s, DEFAULT naming the label.
test('Alpine extended ISO syslinux.cfg', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'alpine-extended-iso')));
  assert.deepEqual(r.entries, [
    entry({
      localId: 'lts',
      title: 'Linux lts',
      kernel: '/boot/vmlinuz-lts',
      initrds: ['/boot/intel-ucode.img', '/boot/amd-ucode.img', '/boot/initramfs-lts'],
      devicetree: { kind: 'dir', resource: self('/boot/dtbs-lts') },
      cmdline: 'modules=loop,squashfs,sd-mod,usb-storage quiet',
      isDefault: true,
      file: '/boot/syslinux/syslinux.cfg',
      line: 5,
    }),
  ]);
  assert.equal(r.configTimeout, 1);
  assert.deepEqual(r.diagnostics, []);
});

// Debian's installer menu: includes, two levels of `menu begin`, `menu exit` items, help
// labels that load another config, `default vesamenu.c32` last (no label is the default;
// drk.cfg's `default installdark` was overwritten), timeout 0 with a menu → waits.
test('Debian 12 netinst ISO isolinux menus', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'debian12-netinst-iso')));
  const k = '/install.amd/vmlinuz';
  const i = ['/install.amd/initrd.gz'];
  const dark = 'Accessible dark contrast installer menu';
  assert.deepEqual(r.entries, [
    entry({ localId: 'install', title: 'Install', kernel: k, initrds: i, cmdline: 'vga=788 --- quiet', file: '/isolinux/txt.cfg', line: 1 }),
    entry({ localId: 'expert', title: 'Advanced options > Expert install', kernel: k, initrds: i, cmdline: 'priority=low vga=788 ---', file: '/isolinux/adtxt.cfg', line: 1 }),
    entry({ localId: 'rescue', title: 'Advanced options > Rescue mode', kernel: k, initrds: i, cmdline: 'vga=788 rescue/enable=true --- quiet', file: '/isolinux/rqtxt.cfg', line: 1 }),
    entry({ localId: 'auto', title: 'Advanced options > Automated install', kernel: k, initrds: i, cmdline: 'auto=true priority=critical vga=788 --- quiet', file: '/isolinux/adtxt.cfg', line: 6 }),
    entry({ localId: 'installdark', title: `${dark} > Install`, kernel: k, initrds: i, cmdline: 'vga=788 theme=dark --- quiet', file: '/isolinux/drk.cfg', line: 1 }),
    entry({ localId: 'expertdark', title: `${dark} > Advanced options > Expert install`, kernel: k, initrds: i, cmdline: 'priority=low vga=788 theme=dark ---', file: '/isolinux/addrk.cfg', line: 1 }),
    entry({ localId: 'rescuedark', title: `${dark} > Advanced options > Rescue mode`, kernel: k, initrds: i, cmdline: 'vga=788 rescue/enable=true theme=dark --- quiet', file: '/isolinux/rqdrk.cfg', line: 1 }),
    entry({ localId: 'autodark', title: `${dark} > Advanced options > Automated install`, kernel: k, initrds: i, cmdline: 'auto=true priority=critical vga=788 theme=dark --- quiet', file: '/isolinux/addrk.cfg', line: 6 }),
  ]);
  assert.equal(r.configTimeout, -1);
  const missing = (line: number, name: string) => ({ severity: 'info', file: '/isolinux/menu.cfg', line, message: `include ${name}: /isolinux/${name} is missing, skipped` });
  const help = (line: number) => ({ severity: 'info', file: '/isolinux/menu.cfg', line, message: 'label help starts another SYSLINUX configuration (config prompt.cfg), not a Linux kernel: not listed' });
  assert.deepEqual(r.diagnostics, [
    missing(6, 'gtk.cfg'),
    missing(15, 'adgtk.cfg'),
    missing(17, 'adspkgtk.cfg'),
    missing(18, 'adspk.cfg'),
    missing(27, 'drkgtk.cfg'),
    missing(36, 'addrkgtk.cfg'),
    missing(39, 'x86drkme.cfg'),
    missing(47, 'x86menu.cfg'),
    missing(54, 'spkgtk.cfg'),
    missing(55, 'spk.cfg'),
    help(40),
    help(48),
  ]);
});

// Fedora 36's lorax template: relative kernel/initrd (the config's folder is the working
// directory), `menu default` on "check", a Troubleshooting submenu named by its title,
// localboot, `text help` blocks, an upper-case file name found ignoring case.
test('Fedora 36 DVD isolinux.cfg', () => {
  const r = parse(new DirectoryFiles(join(FIXTURES, 'fedora36-dvd-iso')));
  const f = '/isolinux/ISOLINUX.CFG';
  const k = '/isolinux/vmlinuz';
  const i = ['/isolinux/initrd.img'];
  const stage2 = 'inst.stage2=hd:LABEL=Fedora-S-dvd-x86_64-36';
  assert.deepEqual(r.entries, [
    entry({ localId: 'linux', title: 'Install Fedora 36', kernel: k, initrds: i, cmdline: `${stage2} quiet`, file: f, line: 61 }),
    entry({ localId: 'check', title: 'Test this media & install Fedora 36', kernel: k, initrds: i, cmdline: `${stage2} rd.live.check quiet`, isDefault: true, file: f, line: 66 }),
    entry({ localId: 'fips', title: 'Install Fedora 36 in FIPS mode', kernel: k, initrds: i, cmdline: `${stage2} quiet fips=1`, file: f, line: 72 }),
    entry({ localId: 'basic', title: 'Troubleshooting Fedora 36 > Install using basic graphics mode', kernel: k, initrds: i, cmdline: `${stage2} nomodeset quiet`, file: f, line: 83 }),
    entry({ localId: 'rescue', title: 'Troubleshooting Fedora 36 > Rescue a Fedora system', kernel: k, initrds: i, cmdline: `${stage2} inst.rescue quiet`, file: f, line: 93 }),
  ]);
  assert.equal(r.configTimeout, 60);
  assert.deepEqual(r.diagnostics, [
    { severity: 'info', file: f, line: 105, message: 'label local boots the next local disk (localboot), which kexec cannot do: not listed' },
  ]);
});

test('no config: nothing, and no complaint', () => {
  const r = parse(new MemoryFiles({ '/boot/vmlinuz': 'k' }));
  assert.deepEqual(r, { entries: [], diagnostics: [] });
});

test('relative paths resolve against the main config folder, also from included files', () => {
  const r = parse(
    new MemoryFiles({
      '/boot/extlinux/extlinux.conf': 'menu title x\ntimeout 0\ninclude sub/more.conf\n',
      '/boot/extlinux/sub/more.conf': 'label a\n  kernel ../vmlinuz\n  initrd ../initrd.img\n  fdt ../dtbs/board.dtb\n  append root=/dev/sda2\n',
    }),
  );
  assert.deepEqual(r.entries, [
    entry({
      localId: 'a',
      title: 'a',
      kernel: '/boot/vmlinuz',
      initrds: ['/boot/initrd.img'],
      devicetree: { kind: 'file', resource: self('/boot/dtbs/board.dtb') },
      cmdline: 'root=/dev/sda2',
      file: '/boot/extlinux/sub/more.conf',
      line: 1,
    }),
  ]);
  assert.equal(r.configTimeout, -1, 'timeout 0 with a menu waits for the user');
});

test('U-Boot keeps the first initrd line; SYSLINUX takes initrd= from append; both drop it from the command line', () => {
  const body = 'label a\n  kernel /vmlinuz\n  append initrd=/from-append.img quiet\n  initrd /from-directive.img\n';
  const uboot = parse(new MemoryFiles({ '/extlinux/extlinux.conf': body }));
  assert.deepEqual(uboot.entries.map((e) => [e.initrds.map((x) => x.path), e.cmdline]), [[['/from-append.img'], 'quiet']]);
  const ubootDirectiveFirst = parse(new MemoryFiles({ '/extlinux/extlinux.conf': 'label a\n kernel /vmlinuz\n initrd /d.img\n append initrd=/a.img ro\n' }));
  assert.deepEqual(ubootDirectiveFirst.entries.map((e) => [e.initrds.map((x) => x.path), e.cmdline]), [[['/d.img'], 'ro']]);
  const syslinux = parse(new MemoryFiles({ '/syslinux/syslinux.cfg': 'label a\n kernel /vmlinuz\n initrd /d.img\n append initrd=/a.img,/b.img ro\n' }));
  assert.deepEqual(syslinux.entries.map((e) => [e.initrds.map((x) => x.path), e.cmdline]), [[['/a.img', '/b.img'], 'ro']]);
  // No menu line and PROMPT 0: the default boots at once.
  assert.equal(syslinux.configTimeout, 0);
});

test('global append, "append -", SYSLINUX default command line, ontimeout', () => {
  const r = parse(
    new MemoryFiles({
      '/syslinux.cfg': [
        'append console=ttyS0',
        'label inherit',
        '  kernel /vmlinuz',
        'label none',
        '  kernel /vmlinuz',
        '  append -',
        'label own',
        '  kernel /vmlinuz quiet',
        '  append ro',
        'ontimeout own',
        'default inherit',
        'prompt 1',
        'timeout 35',
      ].join('\n'),
    }),
  );
  assert.deepEqual(
    r.entries.map((e) => [e.localId, e.cmdline, e.isDefault]),
    [
      ['inherit', 'console=ttyS0', false],
      ['none', '', false],
      ['own', 'quiet ro', true],
    ],
  );
  assert.equal(r.configTimeout, 4, 'TIMEOUT counts tenths; 3.5 s is shown rounded up as U-Boot does');

  const command = parse(new MemoryFiles({ '/syslinux/syslinux.cfg': 'default /boot/bzImage root=/dev/sda1 initrd=/boot/initrd.gz\nappend quiet\n', '/boot/bzImage': 'k' }));
  assert.deepEqual(command.entries, [
    {
      localId: 'default',
      title: 'Default command: /boot/bzImage root=/dev/sda1 initrd=/boot/initrd.gz',
      kernel: self('/boot/bzImage'),
      initrds: [self('/boot/initrd.gz')],
      overlays: [],
      cmdline: 'root=/dev/sda1',
      reuseCmdline: false,
      notes: [],
      source: { format: 'extlinux', file: '/syslinux/syslinux.cfg', line: 1, partition: 'mmcblk0p1' },
      isDefault: true,
    },
  ]);
});

test('labels that are not Linux kernels, hidden ones and duplicates are explained', () => {
  const r = parse(
    new MemoryFiles({
      '/boot/syslinux/syslinux.cfg': [
        'ui menu.c32',
        'label menu',
        '  kernel vesamenu.c32',
        'label hd',
        '  localboot 0x80',
        'label chain',
        '  com32 chain.c32',
        '  append hd0 0',
        'label floppy',
        '  kernel dos.img',
        'label mem',
        '  kernel memdisk',
        '  initrd dos.img',
        'label secret',
        '  menu hide',
        '  kernel /vmlinuz',
        'label twice',
        '  linux /vmlinuz-a',
        'label twice',
        '  linux /vmlinuz-b',
        'label implicit',
        'label missing',
      ].join('\n'),
      '/boot/syslinux/implicit': 'a kernel named like its label',
    }),
  );
  assert.deepEqual(
    r.entries.map((e) => [e.localId, e.kernel.path]),
    [
      ['twice', '/vmlinuz-a'],
      ['twice#2', '/vmlinuz-b'],
      ['implicit', '/boot/syslinux/implicit'],
    ],
  );
  const f = '/boot/syslinux/syslinux.cfg';
  assert.deepEqual(r.diagnostics, [
    { severity: 'info', file: f, line: 2, message: 'label menu starts a COM32 module (vesamenu.c32), not a Linux kernel: not listed' },
    { severity: 'info', file: f, line: 4, message: 'label hd boots the next local disk (localboot), which kexec cannot do: not listed' },
    { severity: 'info', file: f, line: 6, message: 'label chain starts a COM32 module (com32 chain.c32), not a Linux kernel: not listed' },
    { severity: 'info', file: f, line: 9, message: 'label floppy starts a floppy image (dos.img), not a Linux kernel: not listed' },
    { severity: 'info', file: f, line: 11, message: 'label mem starts MEMDISK, which emulates a BIOS disk and cannot run after kexec: not listed' },
    { severity: 'info', file: f, line: 14, message: 'label secret is hidden from the menu (menu hide): not listed' },
    { severity: 'warning', file: f, line: 19, message: 'label twice is defined twice; this one is listed as twice#2' },
    { severity: 'info', file: f, line: 22, message: 'label missing names no kernel: not listed' },
  ]);
});

test('U-Boot details: FIT configuration, ${variables}, a default that names no label, fdtdir preferred left to the board', () => {
  const r = parse(
    new MemoryFiles({
      '/extlinux/extlinux.conf': 'default nothere\nlabel fit\n  kernel /fit.itb#conf-2\n  append root=${rootdev} ro\n  fdtdir /dtbs/\n  fdtoverlays /o/a.dtbo  /o/b.dtbo\n',
    }),
  );
  assert.deepEqual(r.entries, [
    entry({
      localId: 'fit',
      title: 'fit',
      kernel: '/fit.itb',
      devicetree: { kind: 'dir', resource: self('/dtbs') },
      overlays: ['/o/a.dtbo', '/o/b.dtbo'],
      cmdline: 'root=${rootdev} ro',
      notes: ['the FIT configuration #conf-2 is ignored: kexec loads the image as a kernel', 'the command line uses U-Boot variables (${…}) that only U-Boot can fill in'],
      file: '/extlinux/extlinux.conf',
      line: 2,
    }),
  ]);
  assert.deepEqual(r.diagnostics, [{ severity: 'warning', file: '/extlinux/extlinux.conf', message: 'default nothere names no label' }]);
  assert.equal(r.configTimeout, 0, 'no menu line: U-Boot boots the default without asking');
});

test('the first config in the search order is read; the others are reported', () => {
  const r = parse(
    new MemoryFiles({
      '/BOOT/EXTLINUX/EXTLINUX.CONF': 'label up\n kernel /Image\n',
      '/syslinux/syslinux.cfg': 'label other\n kernel /bzImage\n',
    }),
  );
  assert.deepEqual(r.entries.map((e) => [e.localId, e.kernel.path, e.source.file]), [['up', '/Image', '/BOOT/EXTLINUX/EXTLINUX.CONF']]);
  assert.deepEqual(r.diagnostics, [
    { severity: 'info', file: '/syslinux/syslinux.cfg', message: 'not read: /BOOT/EXTLINUX/EXTLINUX.CONF comes first in the boot loaders\' search order' },
  ]);
});

test('include loops, deep nesting and missing includes end with a diagnostic', () => {
  const loop = parse(
    new MemoryFiles({
      '/syslinux/syslinux.cfg': 'include a.cfg\nlabel top\n kernel /vmlinuz\n',
      '/syslinux/a.cfg': 'include b.cfg\n',
      '/syslinux/b.cfg': 'include a.cfg\ninclude syslinux.cfg\n',
    }),
  );
  assert.deepEqual(loop.entries.map((e) => e.localId), ['top']);
  assert.deepEqual(loop.diagnostics, [
    { severity: 'warning', file: '/syslinux/b.cfg', line: 1, message: 'include a.cfg includes itself: not read again' },
    { severity: 'warning', file: '/syslinux/b.cfg', line: 2, message: 'include syslinux.cfg includes itself: not read again' },
  ]);

  const chain: Record<string, string> = { '/syslinux/syslinux.cfg': 'include f1.cfg\n' };
  for (let n = 1; n <= 20; n++) chain[`/syslinux/f${n}.cfg`] = `label l${n}\n kernel /vmlinuz\ninclude f${n + 1}.cfg\n`;
  const deep = parse(new MemoryFiles(chain));
  assert.equal(deep.entries.length, 15, 'the main file and 15 nested includes are read (16 levels)');
  assert.deepEqual(deep.diagnostics, [
    { severity: 'warning', file: '/syslinux/f15.cfg', line: 3, message: 'include f16.cfg is nested more than 16 levels deep: not read' },
  ]);

  // A file included twice in a row everywhere would grow as 2^depth; the total is bounded.
  const fan: Record<string, string> = { '/syslinux/syslinux.cfg': 'include g1.cfg\ninclude g1.cfg\n' };
  for (let n = 1; n <= 15; n++) fan[`/syslinux/g${n}.cfg`] = `include g${n + 1}.cfg\ninclude g${n + 1}.cfg\n`;
  fan['/syslinux/g16.cfg'] = 'label x\n kernel /vmlinuz\n';
  const wide = parse(new MemoryFiles(fan));
  assert.deepEqual(wide.entries, [], 'g16.cfg is one level too deep');
  // Depth first: g15's includes hit the depth limit (said once each), then each file read
  // MAX_READS_PER_FILE times is not read again (said once per file, at the include that would).
  assert.deepEqual(wide.diagnostics.slice(0, 3), [
    { severity: 'warning', file: '/syslinux/g15.cfg', line: 1, message: 'include g16.cfg is nested more than 16 levels deep: not read' },
    { severity: 'warning', file: '/syslinux/g15.cfg', line: 2, message: 'include g16.cfg is nested more than 16 levels deep: not read' },
    { severity: 'warning', file: '/syslinux/g14.cfg', line: 1, message: 'include g15.cfg: /syslinux/g15.cfg was read 8 times in this config already; not read again' },
  ]);
  assert.equal(wide.diagnostics.length, 14, 'g4.cfg to g15.cfg: one line each');
});

test('binary junk and a huge line produce diagnostics, not exceptions', () => {
  let junk = '';
  let seed = 7;
  for (let i = 0; i < 200_000; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    junk += String.fromCharCode((seed >> 16) & 0xff);
  }
  const r = parse(new MemoryFiles({ '/extlinux/extlinux.conf': junk + '\nlabel ok\n kernel /vmlinuz\n append ' + 'x'.repeat(2_000_000) + '\n' }));
  assert.deepEqual(r.entries.map((e) => [e.localId, e.cmdline.length]), [['ok', 2_000_000]]);
  assert.equal(r.diagnostics[0]?.severity, 'warning');
  assert.equal(r.diagnostics[0]?.message, 'the file holds binary data; only its text lines were read');
  assert.ok(r.diagnostics.length <= 7, 'unknown keywords are summarised, not listed one by one');
  assert.match(r.diagnostics[r.diagnostics.length - 1]!.message, /more lines with unknown keywords were ignored$/);
});

test('U-Boot: `menu default` counts when no default line came before it; SYSLINUX: `menu include FILE TAG` makes a submenu', () => {
  const uboot = parse(new MemoryFiles({ '/extlinux/extlinux.conf': 'label a\n kernel /a\nlabel b\n menu default\n kernel /b\nlabel c\n menu default\n kernel /c\n' }));
  assert.deepEqual(uboot.entries.map((e) => [e.localId, e.isDefault]), [['a', false], ['b', true], ['c', false]]);
  const overridden = parse(new MemoryFiles({ '/extlinux/extlinux.conf': 'default a\nlabel a\n kernel /a\nlabel b\n menu default\n kernel /b\n' }));
  assert.deepEqual(overridden.entries.map((e) => [e.localId, e.isDefault]), [['a', true], ['b', false]]);
  const sys = parse(
    new MemoryFiles({
      '/isolinux/isolinux.cfg': 'ui vesamenu.c32\nmenu include tools.cfg Tools\nlabel main\n menu label ^Main\n menu default\n kernel /vmlinuz\n',
      '/isolinux/tools.cfg': 'label rescue\n menu label ^Rescue\n menu default\n kernel /vmlinuz\n append rescue\n',
    }),
  );
  assert.deepEqual(sys.entries.map((e) => [e.localId, e.title, e.isDefault]), [
    ['rescue', 'Tools > Rescue', false],
    ['main', 'Main', true],
  ]);
  assert.equal(sys.configTimeout, -1);
});
