// How kernel and initramfs files are named when they lie in a folder without a config:
// Debian/Ubuntu (vmlinuz-VER + initrd.img-VER), Fedora and dracut (initramfs-VER.img),
// SUSE (initrd-VER), Alpine (initramfs-FLAVOR), Arch (vmlinuz-linux + initramfs-linux.img
// and initramfs-linux-fallback.img), and the bare names of kernels built by hand or
// copied by flash-kernel (Image, zImage, bzImage, /vmlinuz links). The extlinux parser
// uses kernelVersionOf too, to show the version of the kernel a label boots.

/** Kernel file names: a known stem, then nothing, `-VERSION` or `.SUFFIX` (Image.gz, vmlinuz.old). */
const KERNEL_NAME = /^(vmlinuz|vmlinux|bzImage|zImage|Image|uImage)(?:([-.])(.+))?$/;

/** Files beside kernels that are not kernels: signatures, checksums, package-manager backups. */
const NOT_A_KERNEL = /\.(sig|asc|sha\d*|hmac|p7s|dpkg-[a-z]+|rpmnew|rpmsave|bak|config|map)$/i;

/** True when `name` (a file name, no folder) looks like a kernel image. */
export function isKernelName(name: string): boolean {
  return KERNEL_NAME.test(name) && !NOT_A_KERNEL.test(name);
}

/**
 * What follows `STEM-` in a kernel file name (`vmlinuz-6.1.0-13-amd64` → `6.1.0-13-amd64`,
 * `vmlinuz-linux` → `linux`), or undefined for names without one.
 */
export function kernelSuffixOf(name: string): string | undefined {
  const m = KERNEL_NAME.exec(name);
  return m && m[2] === '-' ? m[3] : undefined;
}

/** The version in a kernel file name, when the part after `STEM-` starts with a digit. */
export function kernelVersionOf(name: string): string | undefined {
  const suffix = kernelSuffixOf(name);
  return suffix !== undefined && /^\d/.test(suffix) ? suffix : undefined;
}

/**
 * Initramfs names that go with a kernel suffix, in the order distributions' boot loader
 * scripts look for them (GRUB's 10_linux: initrd.img-, initrd-, initramfs-…img, then the
 * un-suffixed forms). The first one present is used.
 */
export function initrdNamesFor(suffix: string): string[] {
  return [
    `initrd.img-${suffix}`,
    `initrd-${suffix}.img`,
    `initrd-${suffix}.gz`,
    `initrd-${suffix}`,
    `initramfs-${suffix}.img`,
    `initramfs-${suffix}`,
  ];
}

/**
 * Early microcode images that boot loaders put before the initramfs, in the order GRUB's
 * grub-mkconfig (GRUB_EARLY_INITRD_LINUX_STOCK) lists them; Arch's wiki and Alpine's
 * syslinux.cfg give Intel before AMD too.
 */
export const EARLY_MICROCODE_NAMES: readonly string[] = [
  'intel-uc.img',
  'intel-ucode.img',
  'amd-uc.img',
  'amd-ucode.img',
  'early_ucode.cpio',
  'microcode.cpio',
];
