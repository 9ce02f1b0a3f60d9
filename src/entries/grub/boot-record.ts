// What running a menu entry's body loads, as GRUB's loader commands would: the kernel and
// its command line, initrds, a device tree, or a loader kexec cannot stand in for.
import type { Resource } from '../model';
import { basename } from '../../fs/paths';

export interface BootRecord {
  kernel?: { readonly resource: Resource; readonly args: readonly string[]; readonly command: string; readonly line: number };
  initrds: Resource[];
  devicetree?: Resource;
  /** A loader other than Linux (`chainloader`, `multiboot2`, `fwsetup`…): not kexec-able. */
  otherLoader?: { readonly command: string; readonly line: number };
  /** `configfile` run by the entry: GRUB then shows that file's menu. */
  configfile?: { readonly path: string; readonly line: number } | { readonly unreadable: string; readonly line: number };
  notes: string[];
}

export function emptyBootRecord(): BootRecord {
  return { initrds: [], notes: [] };
}

/**
 * The kernel command line GRUB's Linux loader builds from the words after the kernel path
 * (grub-core/lib/cmdline.c): joined by spaces, a word with a space in it put in double quotes,
 * and `\`, `'`, `"` escaped with a backslash. (GRUB also prepends `BOOT_IMAGE=<path>` on x86
 * and EFI; that is GRUB's own addition, not part of the config, and is left out.)
 */
export function loaderCmdline(args: readonly string[]): string {
  return args
    .map((arg) => {
      let out = '';
      for (let i = 0; i < arg.length; i++) {
        const c = arg[i]!;
        if (c === '\\' && arg[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(arg.slice(i + 2, i + 4))) {
          out += arg.slice(i, i + 4);
          i += 3;
          continue;
        }
        if (c === '\\' || c === "'" || c === '"') out += '\\';
        out += c;
      }
      return arg.includes(' ') ? `"${out}"` : out;
    })
    .join(' ');
}

const KERNEL_NAME = /^(?:vmlinuz|vmlinux|kernel|bzImage|zImage|Image|uImage|linux)-(.+?)(?:\.efi)?$/;

/** The version in a kernel's file name (`vmlinuz-6.1.0-13-amd64` → `6.1.0-13-amd64`). */
export function kernelVersion(path: string): string | undefined {
  const m = KERNEL_NAME.exec(basename(path));
  return m?.[1];
}
