// Crash kernels for real, on x86_64 (kexec_file_load with KEXEC_FILE_ON_CRASH): the image's
// kernel boots with crashkernel=256M and a BusyBox shell, `kexec-menu crash load` puts the
// image's own kernel (Debian's: CONFIG_CRASH_DUMP, CONFIG_PROC_VMCORE) with a crash initrd
// into the reservation, and `echo c > /proc/sysrq-trigger` panics the first kernel: the
// crash kernel starts and its /init reports /proc/vmcore. One VM boot (withCrashShell).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM } from './vm';
import { CRASH_LOAD, CRASH_REPORT, checkCrashReport, shell, withCrashShell } from './installed';

test('x86_64: crash load into crashkernel=256M, status, unload, load again, panic: the crash kernel starts and finds /proc/vmcore', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  await withCrashShell('amd64', 120, async (vm) => {
    const idle = await shell(vm, 'kexec-menu crash status');
    assert.equal(idle.status, 3, idle.output);
    assert.match(idle.output, /No crash kernel is loaded \(256 MiB reserved by crashkernel=\)\./);

    const loaded = await shell(vm, CRASH_LOAD, 120);
    assert.equal(loaded.status, 0, loaded.output);
    assert.match(loaded.output, /Crash kernel \/crash\/vmlinuz loaded with kexec_file_load into the 256 MiB crashkernel= reserved; a panic starts it\./);
    assert.match((await shell(vm, 'cat /sys/kernel/kexec_crash_loaded')).output, /^1$/m);
    assert.match((await shell(vm, 'kexec-menu crash status')).output, /A crash kernel is loaded \(256 MiB reserved by crashkernel=\)/);

    const unloaded = await shell(vm, 'kexec-menu crash unload');
    assert.equal(unloaded.status, 0, unloaded.output);
    assert.match((await shell(vm, 'cat /sys/kernel/kexec_crash_loaded')).output, /^0$/m);
    assert.equal((await shell(vm, CRASH_LOAD, 120)).status, 0);

    vm.send('echo c > /proc/sysrq-trigger\n');
    const words = checkCrashReport(await vm.waitFor(CRASH_REPORT, 180, 'the crash kernel\'s report'), 'console=ttyS0,115200');
    assert.ok(words.some((w) => w.startsWith('elfcorehdr=')), 'the kernel added elfcorehdr= (kexec_file_load does on x86_64)');
    assert.match(vm.output, /Kernel panic - not syncing: sysrq triggered crash/);
    await vm.exited;
  });
});
