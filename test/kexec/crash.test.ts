// The crash kernel's command line, the reservation check and `kexec-menu crash` with the
// system-call module and /sys replaced (no kexec call is made on this machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashCmdline, describeCrashState, readCrashState, reservationProblem, sizeProblem } from '../../src/kexec/crash';
import { type CrashDeps, run } from '../../src/cli/crash';
import { type RunningSystem, detectRunningSystem } from '../../src/kexec/system';
import { debianKernel } from './debian';
import { fakeSys } from './fake-sys';

test('crash command line: crashkernel= and the boot loader\'s words dropped, kdump-tools\' words added once, init\'s words kept after --', () => {
  const running = 'BOOT_IMAGE=/vmlinuz-6.1 root=UUID=x ro quiet crashkernel=384M-:128M nr_cpus=4 irqpoll initrd=/initrd.img -- single';
  assert.equal(crashCmdline(running), 'root=UUID=x ro quiet nr_cpus=1 reset_devices irqpoll -- single');
  assert.equal(
    crashCmdline('root=/dev/sda1 systemd.unit=graphical.target init=/sbin/init rdinit=/bin/sh', { unit: 'kdump-tools-dump.service', init: '/lib/kdump', rdinit: '/init', append: 'panic=10' }),
    'root=/dev/sda1 nr_cpus=1 reset_devices irqpoll systemd.unit=kdump-tools-dump.service init=/lib/kdump rdinit=/init panic=10',
  );
  assert.equal(crashCmdline('acpi_osi="!Windows 2012" crashkernel=256M'), 'acpi_osi="!Windows 2012" nr_cpus=1 reset_devices irqpoll');
});

test('the reservation: none is one sentence naming crashkernel= and a size; a kernel without the files says it lacks crash support', () => {
  assert.match(reservationProblem({ reserved: 0, loaded: false }, 'x86_64')!, /^The running kernel reserved no memory for a crash kernel \(\/sys\/kernel\/kexec_crash_size is 0\): add crashkernel=256M to its command line, reboot, and load the crash kernel again\.$/);
  assert.match(reservationProblem({ reserved: undefined, loaded: undefined }, 'arm64')!, /built without crash-kernel support/);
  assert.equal(reservationProblem({ reserved: 256 << 20, loaded: false }, 'x86_64'), undefined);
  assert.match(sizeProblem(300 << 20, 256 << 20)!, /take 300 MiB as files, and the 256 MiB that crashkernel= reserved cannot hold them/);
  assert.equal(sizeProblem(20 << 20, 256 << 20), undefined);
  assert.equal(describeCrashState({ reserved: 256 << 20, loaded: true }, 'x86_64'), 'A crash kernel is loaded (256 MiB reserved by crashkernel=); a panic starts it.');
});

/** A /sys with the two crash files. */
function sysfs(size: string, loaded: string): string {
  const root = mkdtempSync(join(tmpdir(), 'kexec-menu-crash-'));
  mkdirSync(join(root, 'sys/kernel'), { recursive: true });
  writeFileSync(join(root, 'sys/kernel/kexec_crash_size'), `${size}\n`);
  writeFileSync(join(root, 'sys/kernel/kexec_crash_loaded'), `${loaded}\n`);
  return root;
}

/** This machine as an x86_64 with kexec_file_load, booted with crashkernel=. */
const system: RunningSystem = { ...detectRunningSystem(), arch: 'x86_64', kexecFile: true, procCmdline: 'BOOT_IMAGE=/vmlinuz root=/dev/vda2 ro crashkernel=256M console=ttyS0' };

function deps(root: string, calls: Array<{ flags: number; cmdline: string }>, inside = true): CrashDeps & { output: string[] } {
  const output: string[] = [];
  const sys = fakeSys({ insideImage: () => inside, kexecFileLoad: (_k, _i, cmdline, flags) => void calls.push({ cmdline, flags }) });
  return { system: () => system, sys: () => sys, root, out: (t) => output.push(t), err: (t) => output.push(t), output };
}

test('crash load: KEXEC_FILE_ON_CRASH with the crash command line; unload: KEXEC_FILE_UNLOAD | ON_CRASH; status exit codes', async (t) => {
  const k = debianKernel('amd64');
  if (typeof k === 'string') return t.skip(k);
  const calls: Array<{ flags: number; cmdline: string }> = [];
  const d = deps(sysfs('268435456', '0'), calls);
  const initrd = join(mkdtempSync(join(tmpdir(), 'kexec-menu-crash-')), 'initrd.img');
  writeFileSync(initrd, 'cpio');
  assert.equal(await run(['load', '--kernel', k.image, '--initrd', initrd, '--unit', 'kdump-tools-dump.service'], d), 0, d.output.join(''));
  assert.deepEqual(calls, [{ flags: 2, cmdline: 'root=/dev/vda2 ro console=ttyS0 nr_cpus=1 reset_devices irqpoll systemd.unit=kdump-tools-dump.service' }]);
  assert.match(d.output.join(''), /loaded with kexec_file_load into the 256 MiB crashkernel= reserved; a panic starts it\./);
  assert.equal(await run(['unload'], d), 0);
  assert.deepEqual(calls[1], { flags: 1 | 2, cmdline: '' });
  assert.equal(await run(['status'], d), 3, 'not loaded: 3');
  assert.equal(await run(['status'], deps(sysfs('268435456', '1'), [])), 0, 'loaded: 0');
});

test('crash load refuses without a reservation (the sentence), and outside the image; the dry run shows the plan with the sentence as a warning', async (t) => {
  const k = debianKernel('amd64');
  if (typeof k === 'string') return t.skip(k);
  const calls: Array<{ flags: number; cmdline: string }> = [];
  const none = deps(sysfs('0', '0'), calls);
  assert.equal(await run(['load', '--kernel', k.image], none), 1);
  assert.match(none.output.join(''), /^kexec-menu crash load: The running kernel reserved no memory for a crash kernel .*add crashkernel=256M/);
  const dry = deps(sysfs('0', '0'), calls);
  assert.equal(await run(['load', '--kernel', k.image, '--dry-run', '--cmdline', 'console=ttyS0 rdinit=/init'], dry), 0);
  assert.match(dry.output.join(''), /warning: +The running kernel reserved no memory/);
  assert.match(dry.output.join(''), /cmdline: +console=ttyS0 rdinit=\/init \(26 bytes\)/);
  assert.match(dry.output.join(''), /method: +kexec_file_load with KEXEC_FILE_ON_CRASH( \(falls back to \S+ -p if the kernel lacks it\))?\n/, 'the method line says the on-crash call (no kexec -l)');
  assert.match(dry.output.join(''), /note: +As a crash kernel: into the memory crashkernel= reserved/);
  const outside = deps(sysfs('268435456', '0'), calls, false);
  assert.equal(await run(['load', '--kernel', k.image], outside), 1);
  assert.match(outside.output.join(''), /refuses it here \(no \/etc\/kexec-menu\/image\)/);
  assert.deepEqual(calls, [], 'nothing was loaded');
  assert.deepEqual(readCrashState('/nonexistent'), { reserved: undefined, loaded: undefined });
});
