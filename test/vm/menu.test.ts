// The product end to end on x86_64: the image (npm run image) boots in QEMU with the sample
// disks (npm run disks), BusyBox init starts the menu on the serial console, and the menu
// kexecs the chosen kernel, whose marker initrd prints the command line it got. Each
// scenario is one boot; every disk is a writable copy whose hash must not change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, type Vm, withVm, diskIdentities, selectEntry, type DiskSpec } from './vm';

const id = (() => {
  try {
    return diskIdentities();
  } catch {
    return {} as Record<string, string>;
  }
})();
const DISKS: DiskSpec[] = [{ name: 'gpt.img' }, { name: 'extlinux.ext4' }, { name: 'rpi-boot.vfat' }, { name: 'dirty-journal.ext4' }];
const BOOT_SECONDS = 150;
const MARKER = /KEXEC-MENU-MARKER cmdline=(.*)\n/;

/** The command line an entry's kernel got, less a leading BOOT_IMAGE=… a GRUB-alike adds. */
function markerCmdline(m: RegExpExecArray): string {
  return m[1]!.replace(/^BOOT_IMAGE=\S+ /, '').trim();
}

/** Waits for the menu to list the sample disks' entries (the GRUB default's title). */
async function menuUp(vm: Vm): Promise<void> {
  await vm.waitForScreen((t) => /Debian GNU\/Linux/.test(t), BOOT_SECONDS, 'the menu listing the entries');
}

async function run(name: string, opts: { disks?: DiskSpec[]; append: string }, body: (vm: Vm) => Promise<void>): Promise<void> {
  await withVm({ disks: opts.disks ?? DISKS, append: opts.append }, body, `${name}: a disk image changed`);
}

test('1. nobody touches the keyboard: the default entry boots after the timeout with its command line', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  await run('timeout', { append: 'kexec_menu.timeout=3' }, async (vm) => {
    await menuUp(vm);
    // The first partition (the ESP, vda1) lists first; its loader.conf names the default.
    const m = await vm.waitFor(MARKER, 120, "the default entry's marker");
    assert.equal(markerCmdline(m), `root=UUID=${id['ROOT_UUID']} ro quiet console=ttyS0,115200 test.entry=bls`);
  });
});

test('2. keys on the serial line choose an entry on another partition and format (and the log says the code cache was used)', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  await run('keys', { append: 'kexec_menu.timeout=-1' }, async (vm) => {
    await menuUp(vm);
    // The log panel's first line: V8 took the code cache image.sh made with the image's node.
    vm.send('l');
    await vm.waitForScreen((t) => t.includes('V8 code cache used'), 30, 'the log panel saying the code cache was used');
    vm.send('l');
    await selectEntry(vm, /\(extlinux\)/);
    vm.send('\r');
    const m = await vm.waitFor(MARKER, 120, "the extlinux entry's marker");
    assert.equal(markerCmdline(m), `root=UUID=${id['EXTLINUX_UUID']} ro console=ttyS0,115200 test.entry=extlinux`);
  });
});

test('3. an edited command line is the one the kernel gets', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  await run('edit', { append: 'kexec_menu.timeout=-1' }, async (vm) => {
    await menuUp(vm);
    // GRUB's first entry on the Debian root (vda2).
    await selectEntry(vm, /Debian GNU\/Linux \(6\.1\.0-\d+-amd64\)/);
    vm.send('e');
    await vm.waitForScreen((t) => t.includes('test.entry=debian'), 30, 'the command line editor');
    vm.send('\x05'); // Ctrl-E: end of line
    vm.send(' test.edited=yes');
    await vm.waitForScreen((t) => t.includes('test.edited=yes'), 30, 'the typed text in the editor');
    vm.send('\r');
    const m = await vm.waitFor(MARKER, 120, "the edited entry's marker");
    assert.equal(markerCmdline(m), `root=UUID=${id['ROOT_UUID']} ro quiet console=ttyS0,115200 test.entry=debian test.edited=yes`);
  });
});

test('4. a broken entry shows its error, the menu stays, another entry then boots', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  await run('broken', { append: 'kexec_menu.timeout=-1' }, async (vm) => {
    await menuUp(vm);
    // A BLS entry whose kernel is gone from the ESP. (The details pane names the problem
    // already; Enter must bring up the error itself, and Esc must take it away again.)
    const missing = "Cannot boot 'Debian GNU/Linux 12 (bookworm) (6.1.0-9-amd64)'";
    await selectEntry(vm, /6\.1\.0-9-amd64/);
    vm.send('\r');
    await vm.waitForScreen((t) => t.includes(missing) && /6\.1\.0-9-amd64\/linux is not on/.test(t.replace(/\s*\|\s*\|?\s*/g, ' ')), 30, 'the missing-kernel error');
    vm.send('\x1b'); // Esc: back to the list
    await vm.waitForScreen((t) => !t.includes(missing), 30, 'the error to close');
    // An arm64 kernel on this x86_64 machine.
    const arm = "Cannot boot 'Rescue (arm64)'";
    await selectEntry(vm, /Rescue \(arm64\)/);
    vm.send('\r');
    await vm.waitForScreen((t) => t.includes(arm) && /kernel for arm64; this machine is x86_64/.test(t), 30, 'the wrong-architecture error');
    vm.send('\x1b');
    await vm.waitForScreen((t) => !t.includes(arm), 30, 'the error to close');
    await selectEntry(vm, /single user/);
    vm.send('\r');
    const m = await vm.waitFor(MARKER, 120, 'the marker of the entry chosen after the errors');
    assert.equal(markerCmdline(m), `root=UUID=${id['EXTLINUX_UUID']} ro single console=ttyS0,115200 test.entry=extlinux-single`);
  });
});

test('5. a disk attached while the menu is up appears in it and boots', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  await run('hotplug', { disks: [{ name: 'gpt.img' }], append: 'kexec_menu.timeout=-1' }, async (vm) => {
    await menuUp(vm);
    assert.doesNotMatch(vm.screen.toString(), /\(extlinux\)/, 'the extlinux disk is not there yet');
    await vm.hotAdd('extlinux.ext4', 'hot1');
    await vm.waitForScreen((t) => /\(extlinux\)/.test(t), 60, 'the hot-plugged disk\'s entries');
    await selectEntry(vm, /\(extlinux\)/);
    vm.send('\r');
    const m = await vm.waitFor(MARKER, 120, "the hot-plugged entry's marker");
    assert.match(markerCmdline(m), /test\.entry=extlinux$/);
  });
});
