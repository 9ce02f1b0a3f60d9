// Where grub.cfg lives on a partition: GRUB's prefix folder on a root or /boot file system
// (Debian/Ubuntu /boot/grub, Fedora/openSUSE /boot/grub2, or /grub, /grub2 on a separate
// /boot), and the ESP copies or stubs in /EFI/<distro>/. Full configs come first, so a stub
// that hands over to one of them (`configfile`) finds it already listed and adds nothing.
import type { PartitionFiles } from '../../fs/files';

const PREFIX_CONFIGS = ['/boot/grub/grub.cfg', '/grub/grub.cfg', '/boot/grub2/grub.cfg', '/grub2/grub.cfg'];

export interface ConfigLocation {
  /** The path as found (what messages name). */
  readonly path: string;
  /** With symlinks followed: the same file reached twice is read once. */
  readonly realPath: string;
}

export function findConfigs(files: PartitionFiles): ConfigLocation[] {
  const found: ConfigLocation[] = [];
  const seen = new Set<string>();
  const add = (path: string | undefined): void => {
    if (path === undefined || !files.isFile(path)) return;
    const realPath = files.realPath(path) ?? path;
    if (seen.has(realPath)) return;
    seen.add(realPath);
    found.push({ path, realPath });
  };
  for (const path of PREFIX_CONFIGS) add(files.findIgnoringCase(path));
  // FAT is case-insensitive and firmware setups write EFI/BOOT, efi/boot, EFI/Boot…
  const efi = files.findIgnoringCase('/EFI');
  const vendors = efi === undefined ? undefined : files.list(efi);
  for (const vendor of (vendors ?? []).sort()) {
    const dir = `${efi}/${vendor}`;
    if (!files.isDir(dir)) continue;
    add(files.findIgnoringCase(`${dir}/grub.cfg`));
  }
  return found;
}
