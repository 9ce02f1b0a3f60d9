// `kexec-menu reboot --default` on an installed system, for real (x86_64): a separate /boot
// partition with its own grub.cfg and grubenv (saved_entry=installed-b, the one-shot
// next_entry=installed-c), mounted read-write at /boot as an installed system has it, and
// BusyBox init as PID 1 with the inittab of the test: a script that runs the commands once,
// a restart action that starts the loaded kernel, a shutdown action that unmounts. The
// entry GRUB would boot (next_entry's) starts, and grubenv's next_entry is empty afterwards,
// as GRUB leaves it. The same boot has no crashkernel=: `crash load` says so. One VM boot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, Vm } from './vm';
import { BOOT_UUID, archive, ext4File, grubenvBlock, installedBootDisk } from './installed';

const MARKER = /KEXEC-MENU-MARKER cmdline=(.*)\n/;

test('reboot --default on an installed /boot: GRUB\'s next_entry boots through BusyBox init and is cleared in grubenv; crash load without crashkernel= gets the sentence', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  const disk = installedBootDisk();
  const inittab = [
    '::sysinit:/usr/libexec/kexec-menu/sysinit',
    // sysinit loads the modules in the background: the disk is there once they are.
    '::sysinit:/usr/libexec/kexec-menu/load-modules wait',
    '::sysinit:/bin/mount -t ext4 -o rw /dev/vda /boot',
    '::once:/bin/sh /test/run',
    '::restart:/usr/bin/kexec-menu boot --exec-loaded',
    '::shutdown:/bin/umount -a -r',
    '',
  ].join('\n');
  const run = [
    `kexec-menu crash load --kernel /boot/vmlinuz-${disk.kver}; echo "CRASH-RC=$?"`,
    'kexec-menu reboot --default --dry-run; echo "DRY-RC=$?"',
    'kexec-menu reboot --default',
    '',
  ].join('\n');
  const vm = new Vm({
    disks: [{ name: disk.name }],
    initramfsExtra: archive({ 'etc/inittab': { text: inittab }, 'test/run': { text: run, exec: true }, 'boot/.mountpoint': {} }),
  });
  try {
    const crash = await vm.waitFor(/CRASH-RC=(\d+)/, 150, 'crash load without a reservation');
    assert.equal(crash[1], '1');
    assert.match(vm.output, /kexec-menu crash load: The running kernel reserved no memory for a crash kernel \(\/sys\/kernel\/kexec_crash_size is 0\): add crashkernel=256M to its command line, reboot, and load the crash kernel again\./);

    const dry = await vm.waitFor(/DRY-RC=(\d+)/, 60, 'the dry run');
    assert.equal(dry[1], '0', vm.output);
    assert.match(vm.output, new RegExp(`entry: +${BOOT_UUID}:grub:installed-c\\n`));
    assert.match(vm.output, /note: +GRUB's one-shot next_entry=installed-c is what GRUB would boot; it is cleared in \/boot\/grub\/grubenv once the kernel is loaded/);

    // The script itself is killed by init's shutdown, so its status after reboot may never print.
    const m = await vm.waitFor(MARKER, 120, 'the next_entry kernel\'s marker');
    const handover = vm.output.indexOf('kexec-menu reboot: Loaded /boot/vmlinuz-');
    assert.ok(handover > 0 && /handing over \(init\)/.test(vm.output.slice(handover, handover + 200)), 'loaded, then handed to init');
    const down = vm.output.indexOf('The system is going down NOW!', handover);
    assert.ok(down > handover && down < m.index, 'BusyBox init ran its shutdown before the new kernel started');
    assert.equal(m[1]!.trim(), `root=UUID=${BOOT_UUID} ro console=ttyS0,115200 test.entry=installed-c`);
    await vm.exited;
    const env = ext4File(vm.diskFiles.get(disk.name)!, '/grub/grubenv');
    assert.equal(env, grubenvBlock({ saved_entry: 'installed-b', next_entry: '' }), 'next_entry emptied in place, saved_entry kept, 1024 bytes');
  } finally {
    if (process.env['KEXEC_MENU_VM_LOG']) vm.saveLog(process.env['KEXEC_MENU_VM_LOG']);
    await vm.stop();
  }
});
