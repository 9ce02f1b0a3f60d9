// The Raspberry Pi 3 B+ session of the original write-up, replayed through the menu on
// QEMU's raspi3b: Debian's arm64 kernel and bcm2837-rpi-3-b-plus.dtb, the SD card made by
// npm run disks (a Raspberry Pi OS-style boot partition: config.txt, cmdline.txt,
// kernel8.img, a marker initrd and the DTB). Guest power-off only spins on raspi3b: the
// tests stop QEMU once they have read what they wait for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, type VmOptions, withVm } from './vm';

const ENTRY = /Raspberry Pi firmware boot: kernel8\.img/;

/** raspi3b with the SD card of npm run disks, and `append` on the kernel command line. */
const onSdCard = (append: string): VmOptions => ({ arch: 'arm64', machine: 'raspi3b', disks: [{ name: 'rpi-sd.img' }], append });

test('raspi3b, four CPUs: the details warn before any attempt; choosing the entry explains EBUSY from kexec-menu\'s own kexec_load (no PSCI, nr_cpus=1) and the menu stays usable (its log: the code cache was used)', { skip: SKIP_VM, timeout: 240_000 }, async () => {
  await withVm(onSdCard('kexec_menu.timeout=-1'), async (vm) => {
    await vm.waitForScreen((t) => ENTRY.test(t), 180, 'the menu listing the SD card\'s entry');
    const flat = (t: string): string => t.replace(/[|+]/g, ' ').replace(/\s+/g, ' ');
    // Before any attempt, the details already say why it will fail (four spin-table CPUs, no PSCI).
    await vm.waitForScreen((t) => /warning kexec will fail with "CPUs are stuck in the kernel"/.test(flat(t)), 60, 'the warning in the details pane');
    vm.send('\r');
    await vm.waitForScreen((t) => /CPUs are stuck in the kernel \(EBUSY\)/.test(flat(t)) && /PSCI/.test(t) && /nr_cpus=1/.test(flat(t)), 120, 'the EBUSY explanation');
    vm.send('\x1b');
    await vm.waitForScreen((t) => !/EBUSY/.test(t) && ENTRY.test(t), 30, 'the menu again');
    // Still usable: the selection follows the keys (down to the first action).
    vm.send('\x1b[B');
    await vm.waitForScreen(() => vm.screen.inverseLines().some((l) => /Rescue shell/.test(l)), 30, 'the selection to move');
    // The log panel: V8 took the code cache that scripts/image.sh made with the image's arm64
    // node under qemu-aarch64 (Debian's qemu-user, in .ci/apt-packages).
    vm.send('l');
    await vm.waitForScreen((t) => t.includes('V8 code cache used'), 30, 'the log panel saying the code cache was used');
  }, 'the SD card was not written');
});

test('raspi3b, nr_cpus=1: the default entry boots on timeout through the native kexec_load with the SD card\'s DTB and cmdline.txt', { skip: SKIP_VM, timeout: 240_000 }, async () => {
  await withVm(onSdCard('kexec_menu.timeout=2 nr_cpus=1'), async (vm) => {
    await vm.waitForScreen((t) => ENTRY.test(t), 180, 'the menu listing the SD card\'s entry');
    // The second kernel reaching its initrd means the DTB from the card was fixed up (its
    // /memory covers the peripherals unchanged, and that kernel panics early).
    const m = await vm.waitFor(/KEXEC-MENU-MARKER cmdline=(.*)\n/, 150, "the entry's marker");
    assert.equal(m[1]!.trim(), 'console=serial0,115200 console=ttyAMA0,115200 root=PARTUUID=5a3c7e91-02 rootfstype=ext4 fsck.repair=yes rootwait test.entry=rpi');
    // The card's DTB carries a property Debian's file (the running tree) lacks; the initrd a file.
    const proof = await vm.waitFor(/KEXEC-MENU-PROOF (.*)\n/, 30, "the marker's proof line");
    assert.equal(proof[1]!.trim(), 'dt=rpi-sd.img initrd=marker-initrd-initrd-arm64');
  }, 'the SD card was not written');
});

test('raspi3b, nr_cpus=1: a YAML entry with reuse-cmdline boots with the running kernel\'s command line added', { skip: SKIP_VM, timeout: 240_000 }, async () => {
  await withVm(onSdCard('kexec_menu.timeout=-1 nr_cpus=1'), async (vm) => {
    const REUSE = /Raspberry Pi, the running kernel's command line/;
    await vm.waitForScreen((t) => ENTRY.test(t) && REUSE.test(t), 180, 'the menu listing both of the SD card\'s entries');
    const onReuse = () => vm.screen.inverseLines().some((l) => REUSE.test(l));
    for (let i = 0; i < 10 && !onReuse(); i++) {
      const before = vm.screen.inverseLines().join('/');
      vm.send('\x1b[A'); // Up: the YAML entry is listed before the firmware's default
      await vm.waitForScreen(() => vm.screen.inverseLines().join('/') !== before, 10, 'the selection to move');
    }
    assert.ok(onReuse(), `could not select the YAML entry\n${vm.describe()}`);
    vm.send('\r');
    const m = await vm.waitFor(/KEXEC-MENU-MARKER cmdline=(.*)\n/, 150, "the entry's marker");
    const words = m[1]!.trim().split(/\s+/);
    assert.ok(words.includes('test.entry=rpi-reuse'), `the entry's own words: ${m[1]}`);
    assert.ok(words.includes('nr_cpus=1') && words.includes('kexec_menu.timeout=-1'), `the running kernel's words: ${m[1]}`);
  }, 'the SD card was not written');
});
