// Crash kernels for real, on x86_64 (kexec_file_load with KEXEC_FILE_ON_CRASH): the image's
// kernel boots with crashkernel=256M and a BusyBox shell, `kexec-menu crash load` puts the
// image's own kernel (Debian's: CONFIG_CRASH_DUMP, CONFIG_PROC_VMCORE) with a crash initrd
// into the reservation, and `echo c > /proc/sysrq-trigger` panics the first kernel: the
// crash kernel starts and its /init reports /proc/vmcore. One VM boot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, Vm } from './vm';
import { CRASH_REPORT, archive, crashInitrd, imageKernel, shell } from './installed';

test('x86_64: crash load into crashkernel=256M, status, unload, load again, panic: the crash kernel starts and finds /proc/vmcore', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  const vm = new Vm({
    append: 'rdinit=/bin/sh crashkernel=256M',
    // The crash kernel and its initrd (a gzip'd cpio as a file of the image's initramfs).
    initramfsExtra: archive({ 'crash/vmlinuz': { from: imageKernel('amd64') }, 'crash/initrd.img': { text: crashInitrd('amd64') } }),
  });
  try {
    await vm.waitFor(/^\/ # /m, 120, 'the shell prompt');
    assert.equal((await shell(vm, 'mount -t proc proc /proc && mount -t sysfs sysfs /sys && mount -t devtmpfs devtmpfs /dev && mount -t tmpfs tmpfs /run')).status, 0);
    const idle = await shell(vm, 'kexec-menu crash status');
    assert.equal(idle.status, 3, idle.output);
    assert.match(idle.output, /No crash kernel is loaded \(256 MiB reserved by crashkernel=\)\./);

    const load = 'kexec-menu crash load --kernel /crash/vmlinuz --initrd /crash/initrd.img --rdinit /init';
    const loaded = await shell(vm, load, 120);
    assert.equal(loaded.status, 0, loaded.output);
    assert.match(loaded.output, /Crash kernel \/crash\/vmlinuz loaded with kexec_file_load into the 256 MiB crashkernel= reserved; a panic starts it\./);
    assert.match((await shell(vm, 'cat /sys/kernel/kexec_crash_loaded')).output, /^1$/m);
    assert.match((await shell(vm, 'kexec-menu crash status')).output, /A crash kernel is loaded \(256 MiB reserved by crashkernel=\)/);

    const unloaded = await shell(vm, 'kexec-menu crash unload');
    assert.equal(unloaded.status, 0, unloaded.output);
    assert.match((await shell(vm, 'cat /sys/kernel/kexec_crash_loaded')).output, /^0$/m);
    assert.equal((await shell(vm, load, 120)).status, 0);

    vm.send('echo c > /proc/sysrq-trigger\n');
    const report = await vm.waitFor(CRASH_REPORT, 180, 'the crash kernel\'s report');
    assert.equal(report[1], 'present', 'the crash kernel has /proc/vmcore');
    assert.ok(Number(report[2]) > 512 * 1024 * 1024, `/proc/vmcore holds the first kernel's memory (${report[2]} bytes)`);
    const words = report[3]!.trim().split(' ');
    for (const w of ['nr_cpus=1', 'reset_devices', 'irqpoll', 'rdinit=/init', 'console=ttyS0,115200']) assert.ok(words.includes(w), `${w} in ${report[3]}`);
    assert.ok(!words.some((w) => w.startsWith('crashkernel=') || w === 'rdinit=/bin/sh'), `crashkernel= and the old rdinit dropped: ${report[3]}`);
    assert.ok(words.some((w) => w.startsWith('elfcorehdr=')), 'the kernel added elfcorehdr= (kexec_file_load does on x86_64)');
    assert.match(vm.output, /Kernel panic - not syncing: sysrq triggered crash/);
    await vm.exited;
  } finally {
    if (process.env['KEXEC_MENU_VM_LOG']) vm.saveLog(process.env['KEXEC_MENU_VM_LOG']);
    await vm.stop();
  }
});
