// Crash kernels on arm64 with kexec-menu's own kexec_load (KEXEC_ON_CRASH): Debian's arm64
// kernel has no kexec_file_load and the image has no kexec-tools, so the segments, the ELF core
// header and /chosen linux,elfcorehdr + linux,usable-memory-range are all kexec-menu's
// (src/kexec/native/crash-arm64.ts). QEMU's virt machine boots the image's kernel with
// crashkernel=256M and a BusyBox shell; `kexec-menu crash load` puts the image's kernel and
// the crash initrd of test/vm/installed.ts into the reservation; `echo c > /proc/sysrq-trigger`
// panics it, and the crash kernel's /init reports /proc/vmcore. One VM boot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM } from './vm';
import { CRASH_LOAD, CRASH_REPORT, checkCrashReport, shell, withCrashShell } from './installed';

test('arm64: crash load with the native kexec_load into crashkernel=256M, panic: the crash kernel starts from the DT\'s elfcorehdr and finds /proc/vmcore', { skip: SKIP_VM, timeout: 900_000 }, async () => {
  await withCrashShell('arm64', 240, async (vm) => {
    const reserved = await shell(vm, 'grep "Crash kernel" /proc/iomem');
    const range = /([0-9a-f]+)-([0-9a-f]+) : Crash kernel/.exec(reserved.output);
    assert.ok(range, `crashkernel=256M reserved a range:\n${reserved.output}`);
    const [lo, hi] = [parseInt(range[1]!, 16), parseInt(range[2]!, 16)];

    const loaded = await shell(vm, CRASH_LOAD, 300);
    assert.equal(loaded.status, 0, loaded.output);
    assert.match(loaded.output, /Crash kernel \/crash\/vmlinuz loaded with kexec_load into the 256 MiB crashkernel= reserved; a panic starts it\./);
    // The loader's own log: the reservation it placed into, the header's contents, each segment.
    assert.match(loaded.output, new RegExp(`segments in the Crash kernel range 0x${lo.toString(16)}-0x${hi.toString(16)}`));
    assert.match(loaded.output, /ELF core header of \d+ bytes: 1 CPU note\(s\), vmcoreinfo, 2 RAM range\(s\) .*; p_vaddr from vmcoreinfo \(VA_BITS=48\)/);
    const segments = [...loaded.output.matchAll(/segment (kernel|initrd|elfcorehdr|dtb|trampoline) (0x[0-9a-f]+)-(0x[0-9a-f]+)/g)];
    assert.deepEqual(segments.map((m) => m[1]), ['kernel', 'initrd', 'elfcorehdr', 'dtb', 'trampoline']);
    for (const m of segments) assert.ok(Number(m[2]) >= lo && Number(m[3]) <= hi, `${m[0]} inside the Crash kernel range`);
    assert.match((await shell(vm, 'cat /sys/kernel/kexec_crash_loaded')).output, /^1$/m);

    vm.send('echo c > /proc/sysrq-trigger\n');
    const report = await vm.waitFor(CRASH_REPORT, 480, 'the crash kernel\'s report');
    const words = checkCrashReport(report, 'console=ttyAMA0,115200');
    // No elfcorehdr= on the command line: the crash kernel found its header through /chosen.
    assert.ok(!words.some((w) => w.startsWith('elfcorehdr=')), `no elfcorehdr= on the command line: ${report[3]}`);
    assert.match(vm.output, /Kernel panic - not syncing: sysrq triggered crash/);
    assert.match(vm.output, /Starting crashdump kernel\.\.\./);
    process.stdout.write(`# arm64 crash kernel: ${report[0].trim()}\n`);
    await vm.exited;
  });
});
