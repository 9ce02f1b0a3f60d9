// Two console ports, two menus (an inittab line each, as BR2_PACKAGE_KEXEC_MENU_CONSOLES
// "ttyS0:115200 ttyS1:115200" makes them): a key on the second port stops the countdown on
// the first, the entry chosen there is the one that boots, and no disk changes. The image's
// inittab is replaced by one that board/kexec-menu/post-build.sh writes for two ports, in a
// small cpio appended to the initramfs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, diskIdentities, selectEntry, withVm } from './vm';
import { inittabFor } from './inittab';

const MARKER = /KEXEC-MENU-MARKER cmdline=(.*)\n/;

test('two console ports: a key on ttyS1 stops the countdown on ttyS0 too; the entry chosen on ttyS1 boots, once', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  const id = diskIdentities();
  await withVm({
    disks: [{ name: 'gpt.img' }, { name: 'extlinux.ext4' }],
    append: 'kexec_menu.timeout=30',
    initramfsExtra: inittabFor('ttyS0:115200 ttyS1:115200'),
    secondSerial: true,
  }, async (vm) => {
    const second = vm.second!;
    const counting = (t: string) => /Debian GNU\/Linux/.test(t) && /Booting '.*' in \d+ s/.test(t);
    await vm.waitForScreen(counting, 150, 'the menu counting down on ttyS0');
    await vm.waitForScreen(counting, 60, 'the menu counting down on ttyS1', second.screen);

    second.send('\x1b[B'); // Down, on ttyS1 only
    await vm.waitForScreen((t) => t.includes('Countdown stopped: a key was pressed on ttyS1.'), 30, 'ttyS0 told of the key on ttyS1');

    // Choose the extlinux entry on ttyS1 (not the default) and boot it there.
    await selectEntry(second, /\(extlinux\)/);
    second.send('\r');
    const m = await vm.waitFor(MARKER, 120, "the extlinux entry's marker on the console");
    assert.equal(m[1]!.trim(), `root=UUID=${id['EXTLINUX_UUID']} ro console=ttyS0,115200 test.entry=extlinux`);
    assert.equal(vm.output.match(new RegExp(MARKER.source, 'g'))?.length, 1, 'one kernel started');
  });
});
