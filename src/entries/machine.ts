// The running machine as the formats see it: its UEFI architecture name (BLS `architecture`),
// its Raspberry Pi model (config.txt filters) and its device-tree `compatible` list (DTB choice).
import { readFileSync } from 'node:fs';
import type { MachineContext } from './model';

/** Node's process.arch → the UEFI names BLS uses (Boot Loader Specification, `architecture`). */
const EFI_ARCH: Readonly<Record<string, string>> = {
  x64: 'x64',
  ia32: 'ia32',
  arm64: 'aa64',
  arm: 'arm',
  riscv64: 'riscv64',
  loong64: 'loongarch64',
};

export function efiArchOf(nodeArch: string): string {
  return EFI_ARCH[nodeArch] ?? nodeArch;
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

export function machineContextFromSystem(deviceTree = '/proc/device-tree', nodeArch: string = process.arch): MachineContext {
  const model = readDeviceTreeText(`${deviceTree}/model`);
  const compatible = readDeviceTreeText(`${deviceTree}/compatible`);
  const modelText = model === undefined ? undefined : splitStringList(model)[0];
  return {
    efiArch: efiArchOf(nodeArch),
    ...(modelText !== undefined && modelText.startsWith('Raspberry Pi') ? { piModel: modelText } : {}),
    ...(compatible !== undefined ? { compatible: splitStringList(compatible) } : {}),
  };
}
