// What the boot planner needs to know about the running machine, gathered in one place so
// tests can hand in another machine (an arm64 board from an x86 build host).
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { delimiter, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { machineContextFromSystem } from '../machine/context';
import { type Architecture, runningArch } from '../machine/arch';
import { type CpuParking, readCpuParking } from './psci';
import { type RandomSource, urandom } from '../sys/random';

export interface RunningSystem {
  readonly arch: Architecture;
  /** /proc/cmdline. */
  readonly procCmdline: string;
  /** Root `compatible` of the running board, most specific first (device-tree machines). */
  readonly compatible?: readonly string[];
  /** The tree the firmware handed to the running kernel (/sys/firmware/fdt), read on demand. */
  readonly runningFdt: () => Uint8Array | undefined;
  readonly runningFdtSource: string;
  /** Whether the running kernel has kexec_file_load (CONFIG_KEXEC_FILE), when its config says. */
  readonly kexecFile?: boolean;
  /** Path of kexec-tools' `kexec` found on PATH. */
  readonly kexecProgram?: string;
  readonly cpuParking?: CpuParking;
  readonly random: RandomSource;
  readonly isRoot: boolean;
  /** Folder for temporary files (kexec-tools needs files): /run or /tmp, tmpfs in the initramfs. */
  readonly tmpDir: string;
}

/** An executable named `name` in the folders of `path` (a PATH value). */
export function findOnPath(name: string, path: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      if (!statSync(p).isFile()) continue;
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** CONFIG_<name> of the running kernel from /proc/config.gz or /boot/config-<release>. */
export function kernelConfigOption(name: string, root = '/'): boolean | undefined {
  let text: string | undefined;
  try {
    text = gunzipSync(readFileSync(join(root, 'proc/config.gz'))).toString('latin1');
  } catch {
    try {
      text = readFileSync(join(root, 'boot', `config-${release()}`), 'latin1');
    } catch {
      return undefined;
    }
  }
  if (new RegExp(`^CONFIG_${name}=[ym]$`, 'm').test(text)) return true;
  if (new RegExp(`^# CONFIG_${name} is not set$`, 'm').test(text)) return false;
  return undefined;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return fallback;
  }
}

function writableDir(candidates: readonly string[]): string {
  for (const d of candidates) {
    try {
      accessSync(d, constants.W_OK);
      if (statSync(d).isDirectory()) return d;
    } catch {
      /* next */
    }
  }
  return '/tmp';
}

export function detectRunningSystem(options: { path?: string; root?: string } = {}): RunningSystem {
  const root = options.root ?? '/';
  const machine = machineContextFromSystem(join(root, 'proc/device-tree'));
  const kexecFile = kernelConfigOption('KEXEC_FILE', root);
  const kexecProgram = findOnPath('kexec', options.path ?? process.env.PATH);
  const cpuParking = readCpuParking(root);
  const fdtPath = join(root, 'sys/firmware/fdt');
  return {
    arch: runningArch(),
    procCmdline: readOr(join(root, 'proc/cmdline'), '').trim(),
    ...(machine.compatible ? { compatible: machine.compatible } : {}),
    runningFdt: () => {
      try {
        return readFileSync(fdtPath);
      } catch {
        return undefined;
      }
    },
    runningFdtSource: fdtPath,
    ...(kexecFile !== undefined ? { kexecFile } : {}),
    ...(kexecProgram ? { kexecProgram } : {}),
    ...(cpuParking ? { cpuParking } : {}),
    random: (n) => urandom(n),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    tmpDir: writableDir(['/run', '/tmp']),
  };
}
