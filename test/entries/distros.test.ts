// Whole installs through the scanner with every reader: what a person would see in the menu
// for each machine, written out by hand from the files (not copied from the program's output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { BootEntry } from '../../src/entries/model';
import type { MachineContext } from '../../src/machine/context';
import { openImageMenus, openRoot } from '../../src/disks/roots';
import { PARSERS } from '../../src/entries/scan/parsers';
import { scanPartitions, type Menu } from '../../src/entries/scan/scan';
import { DEFAULT_SETTINGS, type ScanRoot } from '../../src/settings/settings';
import { readSettingsFile } from '../../src/settings/load';

const PC: MachineContext = { efiArch: 'x64' };
const S = resolve('samples');
const FX = resolve('test/fixtures');

function scan(roots: ScanRoot[], machine: MachineContext = PC, menus: string[] = []): Menu {
  return scanPartitions(
    roots.map((r) => openRoot(r)!),
    DEFAULT_SETTINGS,
    machine,
    PARSERS,
    openImageMenus(menus),
  );
}

/** [id, title, kernel, initrds] with host paths; 'cannot boot: …' in place of the kernel when unresolved. */
type Row = [string, string, string, string[]];
function rows(menu: Menu): Row[] {
  return menu.entries.map((e: BootEntry) => [e.id, e.title, e.resolution.ok ? e.resolution.files.kernel : `cannot boot: ${e.resolution.reason}`, e.resolution.ok ? [...e.resolution.files.initrds] : []]);
}
function entry(menu: Menu, id: string): BootEntry {
  const e = menu.entries.find((x) => x.id === id);
  assert.ok(e, `no entry ${id}`);
  return e;
}

const DEBIAN_BOOT = '5b1c9e0a-7d2f-4a51-9b3e-2c8f0d6a7e14';
const DEBIAN_ROOT = '0f7e3c52-91a4-4d8b-b6e2-7a1d5c9e3b80';
const FEDORA_BOOT = '9a4d2b71-3c8e-4f05-a1d6-e82b7c4f0a39';
const MID = '8f3c1e5b2a7d4e6f9a0b1c2d3e4f5a6b';

test('Debian 12 with a separate /boot: GRUB entries (submenu titles), the twin of the first entry and the loose kernels dropped', () => {
  const menu = scan([{ path: `${S}/debian-boot`, name: 'sda2', uuid: DEBIAN_BOOT }]);
  const d = `${S}/debian-boot`;
  const adv = 'Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux';
  assert.deepEqual(rows(menu), [
    [`${DEBIAN_BOOT}:grub:gnulinux-simple-${DEBIAN_ROOT}`, 'Debian GNU/Linux', `${d}/vmlinuz-6.1.0-13-amd64`, [`${d}/initrd.img-6.1.0-13-amd64`]],
    // "…with Linux 6.1.0-13-amd64" boots exactly what the first entry boots: listed once.
    [`${DEBIAN_BOOT}:grub:gnulinux-6.1.0-13-amd64-recovery-${DEBIAN_ROOT}`, `${adv} 6.1.0-13-amd64 (recovery mode)`, `${d}/vmlinuz-6.1.0-13-amd64`, [`${d}/initrd.img-6.1.0-13-amd64`]],
    [`${DEBIAN_BOOT}:grub:gnulinux-6.1.0-12-amd64-advanced-${DEBIAN_ROOT}`, `${adv} 6.1.0-12-amd64`, `${d}/vmlinuz-6.1.0-12-amd64`, [`${d}/initrd.img-6.1.0-12-amd64`]],
    [`${DEBIAN_BOOT}:grub:gnulinux-6.1.0-12-amd64-recovery-${DEBIAN_ROOT}`, `${adv} 6.1.0-12-amd64 (recovery mode)`, `${d}/vmlinuz-6.1.0-12-amd64`, [`${d}/initrd.img-6.1.0-12-amd64`]],
  ]);
  assert.equal(menu.defaultId, `${DEBIAN_BOOT}:grub:gnulinux-simple-${DEBIAN_ROOT}`, 'set default="0"');
  assert.equal(entry(menu, `${DEBIAN_BOOT}:grub:gnulinux-simple-${DEBIAN_ROOT}`).cmdline, `root=UUID=${DEBIAN_ROOT} ro quiet`);
  assert.equal(entry(menu, `${DEBIAN_BOOT}:grub:gnulinux-6.1.0-12-amd64-recovery-${DEBIAN_ROOT}`).cmdline, `root=UUID=${DEBIAN_ROOT} ro single`);
});

test('the same /boot under another UUID: GRUB’s search --fs-uuid finds nothing, so only the loose kernels can boot', () => {
  const menu = scan([{ path: `${S}/debian-boot`, name: 'sdb2', uuid: '11111111-2222-3333-4444-555555555555' }]);
  const reasons = menu.entries.filter((e) => e.source.format === 'grub').map((e) => (e.resolution.ok ? 'ok' : e.resolution.reason));
  assert.deepEqual(reasons, [
    `kernel /vmlinuz-6.1.0-13-amd64: partition UUID=${DEBIAN_BOOT} is not present`,
    `kernel /vmlinuz-6.1.0-13-amd64: partition UUID=${DEBIAN_BOOT} is not present`,
    `kernel /vmlinuz-6.1.0-13-amd64: partition UUID=${DEBIAN_BOOT} is not present`,
    `kernel /vmlinuz-6.1.0-12-amd64: partition UUID=${DEBIAN_BOOT} is not present`,
    `kernel /vmlinuz-6.1.0-12-amd64: partition UUID=${DEBIAN_BOOT} is not present`,
  ]);
  const loose = menu.entries.filter((e) => e.source.format === 'loose').map((e) => [e.id, e.resolution.ok && e.resolution.files.kernel]);
  assert.deepEqual(loose, [
    ['11111111-2222-3333-4444-555555555555:loose:/vmlinuz-6.1.0-13-amd64', `${S}/debian-boot/vmlinuz-6.1.0-13-amd64`],
    ['11111111-2222-3333-4444-555555555555:loose:/vmlinuz-6.1.0-12-amd64', `${S}/debian-boot/vmlinuz-6.1.0-12-amd64`],
  ]);
  // GRUB's default cannot boot: the first bootable entry is the default.
  assert.equal(menu.defaultId, '11111111-2222-3333-4444-555555555555:loose:/vmlinuz-6.1.0-13-amd64');
});

test('Fedora 39 /boot: BLS entries once (GRUB’s blscfg twins dropped), newest first, the grubenv saved_entry default kept', () => {
  const menu = scan([{ path: `${S}/fedora-boot`, name: 'nvme0n1p2', uuid: FEDORA_BOOT }]);
  const f = `${S}/fedora-boot`;
  assert.deepEqual(rows(menu), [
    [`${FEDORA_BOOT}:bls:${MID}-6.5.12-300.fc39.x86_64`, 'Fedora Linux (6.5.12-300.fc39.x86_64) 39 (Workstation Edition)', `${f}/vmlinuz-6.5.12-300.fc39.x86_64`, [`${f}/initramfs-6.5.12-300.fc39.x86_64.img`]],
    [`${FEDORA_BOOT}:bls:${MID}-6.5.6-300.fc39.x86_64`, 'Fedora Linux (6.5.6-300.fc39.x86_64) 39 (Workstation Edition)', `${f}/vmlinuz-6.5.6-300.fc39.x86_64`, [`${f}/initramfs-6.5.6-300.fc39.x86_64.img`]],
    [`${FEDORA_BOOT}:bls:${MID}-0-rescue`, `Fedora Linux (0-rescue-${MID}) 39 (Workstation Edition)`, `${f}/vmlinuz-0-rescue-${MID}`, [`${f}/initramfs-0-rescue-${MID}.img`]],
  ]);
  // grubenv: saved_entry=<mid>-6.5.12-300.fc39.x86_64 marks GRUB's twin; the kept BLS entry inherits it.
  assert.equal(menu.defaultId, `${FEDORA_BOOT}:bls:${MID}-6.5.12-300.fc39.x86_64`);
  assert.equal(entry(menu, menu.defaultId!).cmdline, 'root=UUID=3e8f1a27-6b4c-49d2-8e05-c71a9d3b2f64 ro rootflags=subvol=root rhgb quiet');
});

test('Fedora 39 /boot from the BLS fixtures: systemd-boot order, rescue last, no loose duplicates', () => {
  const menu = scan([{ path: `${FX}/bls/fedora39-boot`, name: 'nvme0n1p2', uuid: 'b0b2a7c4-7f5e-4d8e-9c1a-2f3e4d5c6b7a' }]);
  const m = '6a9857a393724b7a981ebb5b8495b9ea';
  assert.deepEqual(
    menu.entries.map((e) => [e.id.split(':').slice(1).join(':'), e.resolution.ok]),
    [
      [`bls:${m}-6.6.13-200.fc39.x86_64`, true],
      [`bls:${m}-6.6.9-200.fc39.x86_64`, true],
      [`bls:${m}-6.5.6-300.fc39.x86_64`, true],
      [`bls:${m}-0-rescue`, true],
    ],
  );
  assert.equal(menu.defaultId, `b0b2a7c4-7f5e-4d8e-9c1a-2f3e4d5c6b7a:bls:${m}-6.6.13-200.fc39.x86_64`);
});

test('Armbian: extlinux through /boot symlinks to the versioned kernel, uInitrd and DTB folder; the loose view of the same kernel dropped', () => {
  const menu = scan([{ path: `${S}/armbian`, name: 'mmcblk1p1', uuid: 'c2a7e91d-4b3f-4d68-9e1a-5f0b8c3d7e26', label: 'armbi_root' }], {
    efiArch: 'aa64',
    compatible: ['radxa,rockpi4b', 'radxa,rockpi4', 'rockchip,rk3399'],
  });
  const b = `${S}/armbian/boot`;
  assert.deepEqual(rows(menu), [['c2a7e91d-4b3f-4d68-9e1a-5f0b8c3d7e26:extlinux:Armbian', 'Armbian', `${b}/vmlinuz-6.6.16-current-rockchip64`, [`${b}/uInitrd-6.6.16-current-rockchip64`]]]);
  const r = menu.entries[0]!.resolution;
  assert.ok(r.ok);
  assert.deepEqual(r.files.devicetree, { kind: 'dir', path: `${b}/dtb-6.6.16-current-rockchip64` });
  assert.equal(menu.defaultId, 'c2a7e91d-4b3f-4d68-9e1a-5f0b8c3d7e26:extlinux:Armbian');
});

test('Raspberry Pi OS bookworm on a Pi 4: kernel8.img, initramfs8, the board’s DTB from the partition root', () => {
  // No filesystem UUID given: the partition UUID names it in ids (it comes before the label).
  const menu = scan([{ path: `${FX}/rpi/bookworm-arm64`, name: 'mmcblk0p1', label: 'bootfs', partuuid: '4e639091-01' }], {
    efiArch: 'aa64',
    piModel: 'Raspberry Pi 4 Model B Rev 1.4',
    compatible: ['raspberrypi,4-model-b', 'brcm,bcm2711'],
  });
  const p = `${FX}/rpi/bookworm-arm64`;
  assert.deepEqual(rows(menu), [['4e639091-01:rpi:config.txt', 'Raspberry Pi OS (config.txt)', `${p}/kernel8.img`, [`${p}/initramfs8`]]]);
  const r = menu.entries[0]!.resolution;
  assert.ok(r.ok);
  assert.deepEqual(r.files.devicetree, { kind: 'dir', path: p, preferred: 'bcm2711-rpi-4-b.dtb' });
  assert.equal(menu.defaultId, '4e639091-01:rpi:config.txt');
});

test('two partitions cross-referencing: a USB menu booting the Fedora disk by UUID (any case) and label', () => {
  const F = `${FX}/multi-os`;
  const menu = scan([
    { path: `${F}/fedora-boot`, name: 'vda2', uuid: '0e5b7c3a-44d2-4f1b-9a8e-6c2d1b0f3e71', label: 'fedora-boot' },
    { path: `${F}/usb`, name: 'sdb1', uuid: '2C4F-81A0', label: 'KEXECUSB' },
    { path: `${F}/broken`, name: 'sdc1' },
  ]);
  const fk = `${F}/fedora-boot/vmlinuz-6.7.4-200.fc39.x86_64`;
  const fi = `${F}/fedora-boot/initramfs-6.7.4-200.fc39.x86_64.img`;
  assert.deepEqual(rows(menu), [
    ['0e5b7c3a-44d2-4f1b-9a8e-6c2d1b0f3e71:bls:4d1f6a2b9c8e4f7a8b3c2d1e0f9a8b7c-6.7.4-200.fc39.x86_64', 'Fedora Linux (6.7.4-200.fc39.x86_64) 39 (Server Edition)', fk, [fi]],
    ['2C4F-81A0:yaml:alpine', 'Alpine rescue', `${F}/usb/boot/vmlinuz-lts`, [`${F}/usb/boot/initramfs-lts`]],
    ['2C4F-81A0:yaml:fedora-39-debug', 'Fedora 39 (debug)', fk, [fi]],
    ['2C4F-81A0:yaml:fedora-39-by-label-with-this-machine-s-command-line', "Fedora 39 by label, with this machine's command line", fk, []],
    ['2C4F-81A0:yaml:old-disk', 'Old disk', 'cannot boot: kernel /vmlinuz: partition UUID=00000000-0000-0000-0000-000000000000 is not present', []],
    // The broken menu costs its own entry; the kernel it named is still found as a loose kernel.
    ['sdc1:loose:/boot/vmlinuz', 'Linux (/boot/vmlinuz)', `${F}/broken/boot/vmlinuz`, []],
  ]);
  assert.equal(menu.defaultId, '2C4F-81A0:yaml:fedora-39-debug');
  assert.deepEqual(
    menu.diagnostics.map((d) => [d.severity, d.file, d.line, d.message]),
    [['error', `${F}/broken/kexec-menu.yaml`, 3, 'Missing closing "quote']],
  );
});

test('Ubuntu 22.04 with its ESP: the ESP stub only hands over; the root’s grub.cfg gives the menu once', () => {
  const root = '8c2f5e1a-3b4d-4e6f-9a0b-7c1d2e3f4a5b';
  const G = `${FX}/grub`;
  const menu = scan([
    { path: `${G}/ubuntu2204-esp`, name: 'sda1', uuid: 'A1B2-C3D4' },
    { path: `${G}/ubuntu2204`, name: 'sda2', uuid: root },
  ]);
  const b = `${G}/ubuntu2204/boot`;
  const adv = 'Advanced options for Ubuntu > Ubuntu, with Linux';
  assert.deepEqual(rows(menu), [
    [`${root}:grub:gnulinux-simple-${root}`, 'Ubuntu', `${b}/vmlinuz-5.15.0-88-generic`, [`${b}/initrd.img-5.15.0-88-generic`]],
    // "…with Linux 5.15.0-88-generic" is the first entry's twin; /boot/vmlinuz and the versioned
    // kernels are all booted by GRUB's entries, so no loose entry either.
    [`${root}:grub:gnulinux-5.15.0-88-generic-recovery-${root}`, `${adv} 5.15.0-88-generic (recovery mode)`, `${b}/vmlinuz-5.15.0-88-generic`, [`${b}/initrd.img-5.15.0-88-generic`]],
    [`${root}:grub:gnulinux-5.15.0-87-generic-advanced-${root}`, `${adv} 5.15.0-87-generic`, `${b}/vmlinuz-5.15.0-87-generic`, [`${b}/initrd.img-5.15.0-87-generic`]],
    [`${root}:grub:gnulinux-5.15.0-87-generic-recovery-${root}`, `${adv} 5.15.0-87-generic (recovery mode)`, `${b}/vmlinuz-5.15.0-87-generic`, [`${b}/initrd.img-5.15.0-87-generic`]],
  ]);
  assert.equal(menu.defaultId, `${root}:grub:gnulinux-simple-${root}`);
  assert.equal(entry(menu, menu.defaultId!).cmdline, `root=UUID=${root} ro quiet splash vt.handoff=7`);
  assert.equal(entry(menu, `${root}:grub:gnulinux-5.15.0-87-generic-recovery-${root}`).cmdline, `root=UUID=${root} ro recovery nomodeset dis_ucode_ldr`);
});

test(
  'Fedora 39 with its ESP: BLS entries and blscfg’s twins once; the rescue entry’s $kernelopts as GRUB expands it',
  () => {
    const boot = '5b8e2a4c-6d1f-4a3b-9c7e-0f2d4b6a8c1e';
    const m = '2f4a6c8e0b1d43f5a7c9e1b3d5f7a9c1';
    const G = `${FX}/grub`;
    const menu = scan([
      { path: `${G}/fedora39-esp`, name: 'nvme0n1p1', uuid: '7A3E-1F2C' },
      { path: `${G}/fedora39`, name: 'nvme0n1p2', uuid: boot },
    ]);
    const f = `${G}/fedora39`;
    const opts = 'root=UUID=e3b5a1c7-9d2f-4e6a-8b0c-1d3f5a7b9c2e ro rootflags=subvol=root rhgb quiet';
    assert.deepEqual(
      menu.entries.map((e) => [e.id, e.cmdline, e.resolution.ok && e.resolution.files.kernel]),
      [
        [`${boot}:bls:${m}-6.6.9-200.fc39.x86_64`, opts, `${f}/vmlinuz-6.6.9-200.fc39.x86_64`],
        [`${boot}:bls:${m}-6.5.6-300.fc39.x86_64`, opts, `${f}/vmlinuz-6.5.6-300.fc39.x86_64`],
        // The BLS reader's copy says `options $kernelopts` (only GRUB knows it, from grubenv):
        // blscfg's twin, with it expanded, is the one kept.
        [`${boot}:grub:${m}-0-rescue`, opts, `${f}/vmlinuz-0-rescue-${m}`],
      ],
    );
    // grubenv's saved_entry names the older kernel (grubby set it).
    assert.equal(menu.defaultId, `${boot}:bls:${m}-6.5.6-300.fc39.x86_64`);
  },
);

test('the demo machine (configs/demo.yaml): six partitions and the image menus, in order, with the default', () => {
  const settings = readSettingsFile('configs/demo.yaml');
  const menu = scanPartitions(
    settings.roots.map((r) => openRoot(r)!),
    settings,
    PC,
    PARSERS,
    openImageMenus(settings.menus),
  );
  const arch = '7d2e5f18-a3c9-4b60-8d71-0e4f9b2c6a53';
  assert.deepEqual(
    menu.entries.map((e) => [e.id, e.resolution.ok ? e.resolution.files.kernel.slice(S.length + 1) : 'unresolved']),
    [
      [`${DEBIAN_BOOT}:grub:gnulinux-simple-${DEBIAN_ROOT}`, 'debian-boot/vmlinuz-6.1.0-13-amd64'],
      [`${DEBIAN_BOOT}:grub:gnulinux-6.1.0-13-amd64-recovery-${DEBIAN_ROOT}`, 'debian-boot/vmlinuz-6.1.0-13-amd64'],
      [`${DEBIAN_BOOT}:grub:gnulinux-6.1.0-12-amd64-advanced-${DEBIAN_ROOT}`, 'debian-boot/vmlinuz-6.1.0-12-amd64'],
      [`${DEBIAN_BOOT}:grub:gnulinux-6.1.0-12-amd64-recovery-${DEBIAN_ROOT}`, 'debian-boot/vmlinuz-6.1.0-12-amd64'],
      [`${FEDORA_BOOT}:bls:${MID}-6.5.12-300.fc39.x86_64`, 'fedora-boot/vmlinuz-6.5.12-300.fc39.x86_64'],
      [`${FEDORA_BOOT}:bls:${MID}-6.5.6-300.fc39.x86_64`, 'fedora-boot/vmlinuz-6.5.6-300.fc39.x86_64'],
      [`${FEDORA_BOOT}:bls:${MID}-0-rescue`, `fedora-boot/vmlinuz-0-rescue-${MID}`],
      // vmlinuz-linux is booted by the USB stick's menu, so only the LTS kernel stays loose.
      [`${arch}:loose:/boot/vmlinuz-linux-lts`, 'arch-root/boot/vmlinuz-linux-lts'],
      [`${arch}:loose:/boot/vmlinuz-linux-lts#fallback`, 'arch-root/boot/vmlinuz-linux-lts'],
      ['c2a7e91d-4b3f-4d68-9e1a-5f0b8c3d7e26:extlinux:Armbian', 'armbian/boot/vmlinuz-6.6.16-current-rockchip64'],
      ['5DF9-E225:rpi:config.txt', 'rpi-boot/kernel8.img'],
      ['2C4F-81A0:yaml:alpine-rescue', 'usb-yaml/boot/vmlinuz-lts'],
      ['2C4F-81A0:yaml:debian-12-on-the-serial-console', 'debian-boot/vmlinuz-6.1.0-13-amd64'],
      ['2C4F-81A0:yaml:arch-linux-fallback-initramfs', 'arch-root/boot/vmlinuz-linux'],
      ['2C4F-81A0:yaml:nas-system-old-disk', 'unresolved'],
      ['image:yaml:debian-emergency', 'debian-boot/vmlinuz-6.1.0-13-amd64'],
      ['image:yaml:rpi-verbose', 'rpi-boot/kernel8.img'],
    ],
  );
  assert.equal(menu.defaultId, `${DEBIAN_BOOT}:grub:gnulinux-simple-${DEBIAN_ROOT}`);
  assert.equal(menu.timeout, 10);
  const archYaml = entry(menu, '2C4F-81A0:yaml:arch-linux-fallback-initramfs');
  assert.ok(archYaml.resolution.ok);
  assert.deepEqual(archYaml.resolution.files.initrds, [`${S}/arch-root/boot/amd-ucode.img`, `${S}/arch-root/boot/initramfs-linux-fallback.img`]);
  assert.equal(archYaml.reuseCmdline, true);
  assert.deepEqual(
    menu.diagnostics.filter((d) => d.severity !== 'info'),
    [],
    'the samples are clean',
  );
});
