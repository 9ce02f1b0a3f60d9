// The running machine as the formats see it: its UEFI architecture name (BLS `architecture`),
// its Raspberry Pi model (config.txt filters) and its device-tree `compatible` list (DTB choice).
import { readFileSync } from 'node:fs';
import { type Architecture, type EfiArch, efiArchOf, runningArch } from './arch';

/** Facts about the running machine that formats filter on. */
export interface MachineContext {
  /** UEFI architecture name as BLS `architecture` uses it: x64, ia32, aa64, arm, riscv64, loongarch64. */
  readonly efiArch: EfiArch;
  /**
   * Raspberry Pi model string from the device tree (`/proc/device-tree/model`), e.g.
   * "Raspberry Pi 3 Model B Plus Rev 1.3", when running on a Pi; config.txt filters use it.
   */
  readonly piModel?: string;
  /** The running board's root `compatible` list, most specific first (for DTB selection). */
  readonly compatible?: readonly string[];
}

function readDeviceTreeText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** A device-tree string list property: NUL-separated, NUL-terminated. */
export function splitStringList(raw: string): string[] {
  return raw.split('\0').filter((s) => s.length > 0);
}

export function machineContextFromSystem(deviceTree = '/proc/device-tree', arch: Architecture = runningArch()): MachineContext {
  const model = readDeviceTreeText(`${deviceTree}/model`);
  const compatible = readDeviceTreeText(`${deviceTree}/compatible`);
  const modelText = model === undefined ? undefined : splitStringList(model)[0];
  return {
    efiArch: efiArchOf(arch),
    ...(modelText !== undefined && modelText.startsWith('Raspberry Pi') ? { piModel: modelText } : {}),
    ...(compatible !== undefined ? { compatible: splitStringList(compatible) } : {}),
  };
}
