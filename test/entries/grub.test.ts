// The GRUB reader on configs as the distributions' grub-mkconfig writes them: every listed
// entry field by field, in GRUB's menu order, with the default GRUB would boot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DirectoryFiles } from '../../src/fs/directory-files';
import { grubParser } from '../../src/entries/grub';
import type { Diagnostic } from '../../src/fs/diagnostic';
import type { MachineContext } from '../../src/machine/context';
import type { ParsedEntry, Resource } from '../../src/entries/model';

const X64: MachineContext = { efiArch: 'x64' };
const FIXTURES = join(__dirname, '../../../test/fixtures/grub');

const parse = (fixture: string, partition = 'vda2') => grubParser.parse(new DirectoryFiles(join(FIXTURES, fixture)), partition, X64);

/** The 1-based line of the fixture file that contains `text` (where a menuentry is written). */
function lineOf(fixture: string, file: string, text: string): number {
  const lines = readFileSync(join(FIXTURES, fixture, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} in ${file}`);
  return i + 1;
}

const byUuid = (uuid: string) => (path: string): Resource => ({ partition: { by: 'uuid', value: uuid }, path });
const self = (path: string): Resource => ({ partition: { by: 'self' }, path });

interface Expected {
  localId: string;
  title: string;
  version?: string;
  kernel: Resource;
  initrds: Resource[];
  cmdline: string;
  isDefault: boolean;
  file: string;
  line: number;
  notes?: string[];
}

function entry(e: Expected, partition = 'vda2'): ParsedEntry {
  return {
    localId: e.localId,
    title: e.title,
    ...(e.version !== undefined ? { version: e.version } : {}),
    kernel: e.kernel,
    initrds: e.initrds,
    overlays: [],
    cmdline: e.cmdline,
    reuseCmdline: false,
    isDefault: e.isDefault,
    notes: e.notes ?? [],
    source: { format: 'grub', file: e.file, line: e.line, partition },
  };
}

const info = (file: string, line: number | undefined, message: string): Diagnostic =>
  line === undefined ? { severity: 'info', file, message } : { severity: 'info', file, line, message };

// ---------------------------------------------------------------------------------------------

test('Debian 12: simple entry first and default (default="0"), the Advanced submenu kept as a path, memtest, no Windows/firmware entries', () => {
  const U = 'f1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  const cfg = '/boot/grub/grub.cfg';
  const disk = byUuid(U);
  const line = (t: string) => lineOf('debian12', cfg, `menuentry '${t}'`);
  const adv = 'Advanced options for Debian GNU/Linux';
  const debian = (title: string, id: string, version: string, cmdline: string, isDefault = false, path = title): ParsedEntry =>
    entry({
      localId: id,
      title: path,
      version,
      // `search --fs-uuid --set=root` runs after `set root='hd0,gpt2'`, so the UUID wins.
      kernel: disk(`/boot/vmlinuz-${version}`),
      initrds: [disk(`/boot/initrd.img-${version}`)],
      cmdline: `root=UUID=${U} ${cmdline}`,
      isDefault,
      file: cfg,
      line: line(title),
    });
  const r = parse('debian12');
  assert.deepEqual(r.entries, [
    debian('Debian GNU/Linux', `gnulinux-simple-${U}`, '6.1.0-13-amd64', 'ro quiet', true),
    debian('Debian GNU/Linux, with Linux 6.1.0-13-amd64', `gnulinux-6.1.0-13-amd64-advanced-${U}`, '6.1.0-13-amd64', 'ro quiet', false, `${adv} > Debian GNU/Linux, with Linux 6.1.0-13-amd64`),
    debian('Debian GNU/Linux, with Linux 6.1.0-13-amd64 (recovery mode)', `gnulinux-6.1.0-13-amd64-recovery-${U}`, '6.1.0-13-amd64', 'ro single', false, `${adv} > Debian GNU/Linux, with Linux 6.1.0-13-amd64 (recovery mode)`),
    debian('Debian GNU/Linux, with Linux 6.1.0-12-amd64', `gnulinux-6.1.0-12-amd64-advanced-${U}`, '6.1.0-12-amd64', 'ro quiet', false, `${adv} > Debian GNU/Linux, with Linux 6.1.0-12-amd64`),
    debian('Debian GNU/Linux, with Linux 6.1.0-12-amd64 (recovery mode)', `gnulinux-6.1.0-12-amd64-recovery-${U}`, '6.1.0-12-amd64', 'ro single', false, `${adv} > Debian GNU/Linux, with Linux 6.1.0-12-amd64 (recovery mode)`),
    entry({ localId: 'memtest86+', title: 'Memory test (memtest86+x64.efi)', kernel: disk('/boot/memtest86+x64.efi'), initrds: [], cmdline: '', isDefault: false, file: cfg, line: line('Memory test (memtest86+x64.efi)') }),
    entry({ localId: 'memtest86+-serial', title: 'Memory test (memtest86+x64.efi, serial console)', kernel: disk('/boot/memtest86+x64.efi'), initrds: [], cmdline: 'console=ttyS0,115200', isDefault: false, file: cfg, line: line('Memory test (memtest86+x64.efi, serial console)') }),
  ]);
  assert.deepEqual(r.diagnostics, [
    info(cfg, line('Windows Boot Manager (on /dev/nvme0n1p1)'), '"Windows Boot Manager (on /dev/nvme0n1p1)" chain-loads another boot loader (chainloader), which kexec cannot do; not listed'),
    info(cfg, line('UEFI Firmware Settings'), `"UEFI Firmware Settings" reboots into the firmware's setup (fwsetup), which kexec cannot do; not listed`),
  ]);
  assert.equal(r.configTimeout, 5);
});

test('Ubuntu 22.04: gfxmode sets vt_handoff inside each entry, recovery entries, hidden menu with timeout 0', () => {
  const U = '8c2f5e1a-3b4d-4e6f-9a0b-7c1d2e3f4a5b';
  const cfg = '/boot/grub/grub.cfg';
  const disk = byUuid(U);
  const line = (t: string) => lineOf('ubuntu2204', cfg, `menuentry '${t}'`);
  const adv = 'Advanced options for Ubuntu';
  // linux_gfx_mode=keep (no gfxblacklist.txt) → gfxmode keep → vt_handoff=vt.handoff=7;
  // recovery entries do not call gfxmode, so $vt_handoff is empty there and vanishes.
  const normal = `root=UUID=${U} ro quiet splash vt.handoff=7`;
  const recovery = `root=UUID=${U} ro recovery nomodeset dis_ucode_ldr`;
  const ubuntu = (title: string, id: string, version: string, cmdline: string, isDefault = false, path = title): ParsedEntry =>
    entry({ localId: id, title: path, version, kernel: disk(`/boot/vmlinuz-${version}`), initrds: [disk(`/boot/initrd.img-${version}`)], cmdline, isDefault, file: cfg, line: line(title) });
  const r = parse('ubuntu2204');
  assert.deepEqual(r.entries, [
    ubuntu('Ubuntu', `gnulinux-simple-${U}`, '5.15.0-88-generic', normal, true),
    ubuntu('Ubuntu, with Linux 5.15.0-88-generic', `gnulinux-5.15.0-88-generic-advanced-${U}`, '5.15.0-88-generic', normal, false, `${adv} > Ubuntu, with Linux 5.15.0-88-generic`),
    ubuntu('Ubuntu, with Linux 5.15.0-88-generic (recovery mode)', `gnulinux-5.15.0-88-generic-recovery-${U}`, '5.15.0-88-generic', recovery, false, `${adv} > Ubuntu, with Linux 5.15.0-88-generic (recovery mode)`),
    ubuntu('Ubuntu, with Linux 5.15.0-87-generic', `gnulinux-5.15.0-87-generic-advanced-${U}`, '5.15.0-87-generic', normal, false, `${adv} > Ubuntu, with Linux 5.15.0-87-generic`),
    ubuntu('Ubuntu, with Linux 5.15.0-87-generic (recovery mode)', `gnulinux-5.15.0-87-generic-recovery-${U}`, '5.15.0-87-generic', recovery, false, `${adv} > Ubuntu, with Linux 5.15.0-87-generic (recovery mode)`),
  ]);
  assert.deepEqual(r.diagnostics, [
    info(cfg, line('UEFI Firmware Settings'), `"UEFI Firmware Settings" reboots into the firmware's setup (fwsetup), which kexec cannot do; not listed`),
    info(cfg, lineOf('ubuntu2204', cfg, 'set timeout_style=hidden'), 'GRUB hides its menu here (timeout_style=hidden) and boots the default after 0 s unless Esc or Shift is pressed'),
  ]);
  assert.equal(r.configTimeout, 0);
});

test('Ubuntu and Fedora ESP stubs: no entries, one info naming the partition the real config is on', () => {
  const ubuntu = parse('ubuntu2204-esp', 'vda1');
  assert.deepEqual(ubuntu.entries, []);
  assert.deepEqual(ubuntu.diagnostics, [
    info('/EFI/ubuntu/grub.cfg', 3, "this config hands over to /boot/grub/grub.cfg on the partition with file system UUID 8c2f5e1a-3b4d-4e6f-9a0b-7c1d2e3f4a5b; that partition's config is listed when that partition is scanned"),
  ]);
  assert.equal(ubuntu.configTimeout, undefined);
  const fedora = parse('fedora39-esp', 'vda1');
  assert.deepEqual(fedora.entries, []);
  assert.deepEqual(fedora.diagnostics, [
    info('/EFI/fedora/grub.cfg', 4, "this config hands over to /grub2/grub.cfg on the partition with file system UUID 5b8e2a4c-6d1f-4a3b-9c7e-0f2d4b6a8c1e; that partition's config is listed when that partition is scanned"),
  ]);
});

test('Fedora 39: blscfg entries in GRUB order, saved_entry (an id starting with a digit) is the default, $kernelopts from grubenv', () => {
  const B = '5b8e2a4c-6d1f-4a3b-9c7e-0f2d4b6a8c1e';
  const M = '2f4a6c8e0b1d43f5a7c9e1b3d5f7a9c1';
  const boot = byUuid(B);
  const options = 'root=UUID=e3b5a1c7-9d2f-4e6a-8b0c-1d3f5a7b9c2e ro rootflags=subvol=root rhgb quiet';
  const fedora = (id: string, title: string, version: string, isDefault: boolean): ParsedEntry =>
    entry({
      localId: `${M}-${id}`,
      title,
      version,
      // blscfg writes `linux ($root)/vmlinuz-…`; $root is the partition `search` found by UUID.
      kernel: boot(`/vmlinuz-${version}`),
      initrds: [boot(`/initramfs-${version}.img`)],
      cmdline: options,
      isDefault,
      file: `/loader/entries/${M}-${id}.conf`,
      line: 1,
    });
  const r = parse('fedora39', 'nvme0n1p2');
  assert.deepEqual(r.entries.map((e) => ({ ...e, source: { ...e.source, partition: 'vda2' } })), [
    fedora('6.6.9-200.fc39.x86_64', 'Fedora Linux (6.6.9-200.fc39.x86_64) 39 (Workstation Edition)', '6.6.9-200.fc39.x86_64', false),
    fedora('6.5.6-300.fc39.x86_64', 'Fedora Linux (6.5.6-300.fc39.x86_64) 39 (Workstation Edition)', '6.5.6-300.fc39.x86_64', true),
    // The rescue entry says `options $kernelopts`: GRUB's blscfg expands it from grubenv.
    fedora('0-rescue', `Fedora (0-rescue-${M}) 33 (Workstation Edition)`, `0-rescue-${M}`, false),
  ]);
  assert.ok(r.entries.every((e) => e.source.partition === 'nvme0n1p2'));
  const cfg = '/grub2/grub.cfg';
  assert.deepEqual(r.diagnostics, [
    info(cfg, lineOf('fedora39', cfg, "menuentry 'UEFI Firmware Settings'"), `"UEFI Firmware Settings" reboots into the firmware's setup (fwsetup), which kexec cannot do; not listed`),
    // menu_auto_hide=1 and boot_success=1 in grubenv: 12_menu_auto_hide hides the menu for 1 s.
    info(cfg, lineOf('fedora39', cfg, 'set timeout_style=hidden'), 'GRUB hides its menu here (timeout_style=hidden) and boots the default after 1 s unless Esc or Shift is pressed'),
  ]);
  assert.equal(r.configTimeout, 1);
});

test('openSUSE Leap 15.5: linuxefi/initrdefi, saved_entry by title, snapshot menu through source, $2/$3 and configfile', () => {
  const U = '3d9c7b5a-1e2f-4a6b-8c0d-2e4f6a8b0c1d';
  const S = '7a1b3c5d-9e0f-4a2b-8c4d-6e8f0a2b4c6d';
  const disk = byUuid(U);
  const cfg = '/boot/grub2/grub.cfg';
  const snapCfg = '/.snapshots/52/snapshot/boot/grub2/grub.cfg';
  const K1 = '5.14.21-150500.55.39-default';
  const K0 = '5.14.21-150500.55.36-default';
  const normal = `splash=silent resume=/dev/disk/by-uuid/${S} preempt=full mitigations=auto quiet security=apparmor`;
  const recovery = 'showopts apm=off noresume edd=off powersaved=off nohz=off highres=off processor.max_cstate=1 nomodeset x11failsafe';
  const adv = 'Advanced options for openSUSE Leap 15.5';
  const snapshot = `Start bootloader from a read-only snapshot > openSUSE Leap 15.5 (${K0},2024-01-12T10:22,post,zypp(zypper))`;
  const suse = (file: string, title: string, localId: string, version: string, args: string, isDefault: boolean, path: string, extra = ''): ParsedEntry =>
    entry({
      localId,
      title: path,
      version,
      kernel: disk(`/boot/vmlinuz-${version}`),
      initrds: [disk(`/boot/initrd-${version}`)],
      cmdline: `root=UUID=${U} ${extra}${args}`,
      isDefault,
      file,
      line: lineOf('opensuse155', file, `menuentry '${title}'`),
    });
  const rootflags = 'rootflags=subvol=@/.snapshots/52/snapshot ';
  const r = parse('opensuse155');
  assert.deepEqual(r.entries, [
    // saved_entry=openSUSE Leap 15.5 names the first entry by its title.
    suse(cfg, 'openSUSE Leap 15.5', `gnulinux-simple-${U}`, K1, normal, true, 'openSUSE Leap 15.5'),
    suse(cfg, `openSUSE Leap 15.5, with Linux ${K1}`, `gnulinux-${K1}-advanced-${U}`, K1, normal, false, `${adv} > openSUSE Leap 15.5, with Linux ${K1}`),
    suse(cfg, `openSUSE Leap 15.5, with Linux ${K1} (recovery mode)`, `gnulinux-${K1}-recovery-${U}`, K1, recovery, false, `${adv} > openSUSE Leap 15.5, with Linux ${K1} (recovery mode)`),
    suse(cfg, `openSUSE Leap 15.5, with Linux ${K0}`, `gnulinux-${K0}-advanced-${U}`, K0, normal, false, `${adv} > openSUSE Leap 15.5, with Linux ${K0}`),
    suse(cfg, `openSUSE Leap 15.5, with Linux ${K0} (recovery mode)`, `gnulinux-${K0}-recovery-${U}`, K0, recovery, false, `${adv} > openSUSE Leap 15.5, with Linux ${K0} (recovery mode)`),
    // The snapshot entry runs `configfile "$2/boot/grub2/grub.cfg"` after exporting
    // extra_cmdline=rootflags=subvol=$3: GRUB opens that config as a menu of its own.
    suse(snapCfg, 'openSUSE Leap 15.5', `gnulinux-simple-${U}~2`, K0, normal, false, `${snapshot} > openSUSE Leap 15.5`, rootflags),
    suse(snapCfg, `openSUSE Leap 15.5, with Linux ${K0}`, `gnulinux-${K0}-advanced-${U}~2`, K0, normal, false, `${snapshot} > ${adv} > openSUSE Leap 15.5, with Linux ${K0}`, rootflags),
    suse(snapCfg, `openSUSE Leap 15.5, with Linux ${K0} (recovery mode)`, `gnulinux-${K0}-recovery-${U}~2`, K0, recovery, false, `${snapshot} > ${adv} > openSUSE Leap 15.5, with Linux ${K0} (recovery mode)`, rootflags),
  ]);
  const firmware = (file: string, prefix: string) =>
    info(file, lineOf('opensuse155', file, "menuentry 'UEFI Firmware Settings'"), `"${prefix}UEFI Firmware Settings" reboots into the firmware's setup (fwsetup), which kexec cannot do; not listed`);
  assert.deepEqual(r.diagnostics, [
    firmware(cfg, ''),
    firmware(snapCfg, `${snapshot} > `),
    info(snapCfg, lineOf('opensuse155', snapCfg, 'menuentry "If OK'), `"${snapshot} > Bootable snapshot #52 > If OK, run 'snapper rollback' and reboot." loads no Linux kernel; not listed`),
  ]);
  assert.equal(r.configTimeout, 8);
});

test('openSUSE live medium (kiwi): search --file finds this partition, $linux picks linuxefi, hiddenentry is not listed', () => {
  const cfg = '/boot/grub2/grub.cfg';
  const live = (title: string, args: string, isDefault: boolean): ParsedEntry =>
    entry({
      localId: title,
      title,
      kernel: self('/boot/x86_64/loader/linux'),
      initrds: [self('/boot/x86_64/loader/initrd')],
      cmdline: `root=live:CDLABEL=openSUSE_Leap_15.5_KDE_Live rd.live.image ${args}`,
      isDefault,
      file: cfg,
      line: lineOf('opensuse-live', cfg, `menuentry "${title}"`),
    }, 'sr0');
  const r = parse('opensuse-live', 'sr0');
  assert.deepEqual(r.entries, [
    live('openSUSE-Leap-15.5-KDE-Live', 'splash=silent', true),
    live('Failsafe -- openSUSE-Leap-15.5-KDE-Live', 'ide=nodma apm=off noresume edd=off nomodeset 3', false),
  ]);
  assert.deepEqual(r.diagnostics, [
    info(cfg, lineOf('opensuse-live', cfg, 'hiddenentry "Text mode"'), '"Text mode" is a hiddenentry: GRUB never shows it in its menu (only a hotkey starts it), so it is not listed'),
  ]);
  assert.equal(r.configTimeout, 10);
});
