// Warns before a kexec that will fail with EBUSY ("CPUs are stuck in the kernel").
//
// An arm64 kernel can kexec only once every secondary CPU has been taken offline, and a CPU
// goes offline only through PSCI firmware (cpu_die). Boards that start their CPUs by
// `spin-table` (Raspberry Pi 3 with its stock firmware, QEMU's raspi3b) have no way back:
// kexec then refuses unless the running kernel set up a single CPU (`nr_cpus=1`; `maxcpus=1`
// still leaves the others possible and parked in the spin table, and fails the same way).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** Counts the CPUs in a kernel CPU list ("0-3", "0,2-5", "0"). */
export function countCpuList(list: string): number {
  let n = 0;
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return Number.NaN;
    n += m[2] !== undefined ? Number(m[2]) - Number(m[1]) + 1 : 1;
  }
  return n;
}

export interface CpuParking {
  /** CPUs the running kernel may bring up (/sys/devices/system/cpu/possible). */
  readonly possible: number;
  /** enable-method of each /cpus/cpu@… node, in order ("psci", "spin-table", or absent). */
  readonly enableMethods: readonly (string | undefined)[];
}

/** Reads what the check needs from a root folder (`/` on the machine, a tree in tests). */
export function readCpuParking(root = '/'): CpuParking | undefined {
  const possibleText = read(join(root, 'sys/devices/system/cpu/possible'));
  const cpusDir = join(root, 'sys/firmware/devicetree/base/cpus');
  let names: string[];
  try {
    names = readdirSync(cpusDir).sort();
  } catch {
    return undefined; // no device tree (ACPI machines boot their CPUs through PSCI anyway)
  }
  const cpuNodes = names.filter((n) => n === 'cpu' || n.startsWith('cpu@'));
  const enableMethods = cpuNodes.map((n) => read(join(cpusDir, n, 'enable-method'))?.split('\0')[0]);
  const possible = possibleText === undefined ? cpuNodes.length : countCpuList(possibleText);
  return { possible, enableMethods };
}

/**
 * A sentence warning that kexec will fail because CPUs cannot be parked, or undefined.
 * Only arm64 has this rule (32-bit ARM platforms park CPUs through their own SMP ops).
 */
export function cpuParkingWarning(parking: CpuParking | undefined, arch: string): string | undefined {
  if (arch !== 'arm64' || !parking || !(parking.possible > 1)) return undefined;
  const other = parking.enableMethods.filter((m) => m !== 'psci');
  if (parking.enableMethods.length > 0 && other.length === 0) return undefined;
  const how = [...new Set(other.map((m) => m ?? 'no enable-method'))].join(', ');
  return (
    `kexec will fail with "CPUs are stuck in the kernel": this board starts its CPUs by ${how}, without PSCI firmware, ` +
    `so the ${parking.possible - 1} secondary CPUs cannot be parked; add nr_cpus=1 to the running kernel's command line.`
  );
}

/** The check on the running machine (sysfs is read only on arm64, where the rule applies). */
export function cpuParkingWarningHere(arch: string, root = '/'): string | undefined {
  return arch === 'arm64' ? cpuParkingWarning(readCpuParking(root), arch) : undefined;
}
