// Crash kernels (kdump): a kernel loaded into the memory that `crashkernel=` reserved, which
// the running kernel starts by itself when it panics. The new kernel finds the old one's
// memory as /proc/vmcore. What is here is only what differs from a normal boot; the plan,
// the loaders and the sentences are the boot path's own (plan.ts, loader.ts, errors.ts):
// - the reservation, read from /sys/kernel/kexec_crash_size (0: none), and whether a crash
//   kernel is loaded (/sys/kernel/kexec_crash_loaded);
// - the command line: the running one, without `crashkernel=` and the boot loader's own
//   words, plus what kdump-tools adds (`nr_cpus=1 reset_devices irqpoll`) and the init the
//   user chooses (`systemd.unit=`, `init=`, `rdinit=`), each replacing the running value.
// Loading itself is loadPlan(plan, { crash: true }): KEXEC_FILE_ON_CRASH, KEXEC_ON_CRASH or
// `kexec -p`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitCmdline } from './cmdline';
import type { Architecture } from '../machine/arch';

/** What kdump-tools and Fedora's kdump add for the dump kernel: one CPU, devices reset, interrupts polled. */
export const CRASH_PARAMS = ['nr_cpus=1', 'reset_devices', 'irqpoll'] as const;

/** Words of the running command line that must not reach the crash kernel. */
const DROPPED = ['BOOT_IMAGE', 'initrd', 'crashkernel'];

export interface CrashCmdlineOptions {
  /** `systemd.unit=` for the dump kernel (kdump-tools: kdump-tools-dump.service). */
  readonly unit?: string;
  /** `init=`: the program the initramfs (or the kernel) starts on the root file system. */
  readonly init?: string;
  /** `rdinit=`: the program the kernel starts inside the initramfs. */
  readonly rdinit?: string;
  /** Words added at the end. */
  readonly append?: string;
}

const keyOf = (word: string): string => {
  const eq = word.indexOf('=');
  return eq === -1 ? word : word.slice(0, eq);
};

/**
 * The crash kernel's command line from the running one (/proc/cmdline): `crashkernel=`,
 * `BOOT_IMAGE=` and `initrd=` dropped, then `nr_cpus=1 reset_devices irqpoll` and the chosen
 * unit or init, each replacing what the running line says for the same key. Words after a
 * lone `--` (init's) stay after it.
 */
export function crashCmdline(running: string, options: CrashCmdlineOptions = {}): string {
  const words = splitCmdline(running);
  const dash = words.indexOf('--');
  const kernel = dash === -1 ? words : words.slice(0, dash);
  const init = dash === -1 ? undefined : words.slice(dash + 1);
  const added = [
    ...CRASH_PARAMS,
    ...(options.unit !== undefined ? [`systemd.unit=${options.unit}`] : []),
    ...(options.init !== undefined ? [`init=${options.init}`] : []),
    ...(options.rdinit !== undefined ? [`rdinit=${options.rdinit}`] : []),
    ...splitCmdline(options.append ?? ''),
  ];
  const replaced = new Set([...DROPPED, ...added.map(keyOf)]);
  const kept = kernel.filter((w) => !replaced.has(keyOf(w)));
  return [...kept, ...added, ...(init !== undefined ? ['--', ...init] : [])].join(' ');
}

/** The crash reservation and whether a crash kernel is in it (undefined: the kernel does not say). */
export interface CrashState {
  /** Bytes reserved by crashkernel= (0: none). */
  readonly reserved: number | undefined;
  readonly loaded: boolean | undefined;
}

function readNumber(path: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(path, 'latin1').trim(), 10);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** /sys/kernel/kexec_crash_size and /sys/kernel/kexec_crash_loaded under `root`. */
export function readCrashState(root = '/'): CrashState {
  const loaded = readNumber(join(root, 'sys/kernel/kexec_crash_loaded'));
  return { reserved: readNumber(join(root, 'sys/kernel/kexec_crash_size')), loaded: loaded === undefined ? undefined : loaded !== 0 };
}

/** What to put on the command line: Debian's kdump-tools reserves about this much for a distribution kernel and its initrd. */
export function suggestedReservation(arch: Architecture): string {
  return arch === 'arm' ? '128M' : '256M';
}

export function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

/** Why no crash kernel can be loaded, as one sentence; undefined when memory is reserved. */
export function reservationProblem(state: CrashState, arch: Architecture): string | undefined {
  if (state.reserved === undefined) {
    return 'The running kernel has no /sys/kernel/kexec_crash_size, so it was built without crash-kernel support (CONFIG_CRASH_DUMP / CONFIG_KEXEC) and cannot load a crash kernel.';
  }
  if (state.reserved > 0) return undefined;
  return `The running kernel reserved no memory for a crash kernel (/sys/kernel/kexec_crash_size is 0): add crashkernel=${suggestedReservation(arch)} to its command line, reboot, and load the crash kernel again.`;
}

/** A crash kernel larger than the reservation cannot fit; said before the kernel says ENOMEM. */
export function sizeProblem(loadBytes: number, reserved: number): string | undefined {
  if (loadBytes < reserved) return undefined;
  return `The crash kernel and its initrd take ${mib(loadBytes)} as files, and the ${mib(reserved)} that crashkernel= reserved cannot hold them once unpacked: reserve more (crashkernel=) or use a smaller initrd.`;
}

/** One line for `crash status`. */
export function describeCrashState(state: CrashState, arch: Architecture): string {
  const problem = reservationProblem(state, arch);
  if (problem) return `No crash kernel is loaded. ${problem}`;
  const reserved = `${mib(state.reserved!)} reserved by crashkernel=`;
  if (state.loaded === undefined) return `${reserved}; /sys/kernel/kexec_crash_loaded cannot be read, so whether a crash kernel is loaded is unknown.`;
  return state.loaded ? `A crash kernel is loaded (${reserved}); a panic starts it.` : `No crash kernel is loaded (${reserved}).`;
}
