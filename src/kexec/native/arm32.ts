// The 32-bit ARM layout for kexec_load (arch/arm/kernel/machine_kexec.c; compare kexec-tools'
// kexec/arch/arm/kexec-zImage-arm.c). Device-tree boards only: the kernel passes the last
// segment that starts with the FDT magic in r2, and with none it passes ATAGs that kexec-menu
// does not build, so a board without a device tree (ATAG-only) is not supported.
// - the zImage (or an uncompressed Image) at the start of RAM + 0x8000. The zImage's
//   decompressor writes the kernel at its own 128 MiB-aligned base + TEXT_OFFSET
//   (AUTO_ZRELADDR) and may first move itself past the end of that kernel. TEXT_OFFSET is not
//   in the zImage and is not always 0x8000: a multiplatform kernel with Amlogic Meson or
//   Qualcomm MSM support has 0x208000 (Debian's armmp: "Kernel code" at RAM + 0x208000 in
//   QEMU), one with Axxia 0x308000 (arch/arm/Makefile), so the largest is assumed;
// - the initrd and the device tree above all of that: TEXT_OFFSET, the decompressed kernel
//   with its BSS (the zImage's "KLSZ" table, when it has one), a copy of the zImage and a
//   margin for the decompressor's stack and heap, and at least four times the zImage as
//   kexec-tools assumes; and low enough for the kernel's lowmem (below 760 MiB above the
//   start of RAM: 768 MiB under the default 3G/1G split less the vmalloc area's 8 MiB gap).
// The running kernel's /proc/iomem on 32-bit ARM lists no memblock "reserved" lines (arm64's
// does), so what must survive comes from the running tree (/memreserve/, /reserved-memory).
// There is no trampoline: the kernel enters the zImage with r0 = 0, r1 = the machine number
// and r2 = the device tree, as a boot loader does.
import { LayoutError } from './layout-error';
import { type Fdt, serializeFdt } from '../dt/fdt';
import { writeChosen } from './chosen';
import { alignUp, hex } from './memory';
import { type Layout, Placer, type Segment, checkSegments } from './segments';
import type { LayoutInput } from './arm64';

export const ARM_PAGE = 4096;
const TEXT_OFFSET = 0x8000;
/** The largest TEXT_OFFSET in arch/arm/Makefile (CONFIG_ARCH_AXXIA). */
export const MAX_TEXT_OFFSET = 0x308000;
const MiB = 1024 * 1024;
/** The decompressor's stack (4 KiB) and malloc heap (64 KiB), rounded up generously. */
const DECOMPRESSOR_MARGIN = 1 * MiB;
const LOWMEM = 760 * MiB;
const ZIMAGE_MAGIC = 0x016f2818;
const ZIMAGE_TABLE_MAGIC = 0x45454545;
const TAG_KERNEL_SIZE = 0x5a534c4b;

export interface ArmKernel {
  readonly bytes: Uint8Array;
}

/** Bytes the zImage's decompressed kernel and BSS take, from its "KLSZ" tag; undefined without one. */
export function zImageKernelSize(bytes: Uint8Array): number | undefined {
  if (bytes.length < 0x40) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0x24, true) !== ZIMAGE_MAGIC || v.getUint32(0x34, true) !== ZIMAGE_TABLE_MAGIC) return undefined;
  // The table: { size in words, tag, data... } entries, ending with a size of 0.
  let off = v.getUint32(0x38, true) - v.getUint32(0x28, true);
  for (let n = 0; n < 16 && off >= 0 && off + 8 <= bytes.length; n++) {
    const words = v.getUint32(off, true);
    if (words === 0) break;
    if (v.getUint32(off + 4, true) === TAG_KERNEL_SIZE && off + 16 <= bytes.length) {
      const sizeAt = v.getUint32(off + 8, true);
      const bss = v.getUint32(off + 12, true);
      if (sizeAt + 4 > bytes.length) return undefined;
      return v.getUint32(sizeAt, true) + bss;
    }
    off += words * 4;
  }
  return undefined;
}

/** Places the 32-bit ARM segments; the returned layout has already passed checkSegments. */
export function layoutArm(input: LayoutInput<ArmKernel>): Layout & { changes: string[] } {
  const k = input.kernel.bytes;
  const ramBase = input.memory.ram[0]!.start;
  const placer = new Placer(input.memory, ARM_PAGE);
  const kernel = placer.place('kernel', k.length, { align: 128 * MiB, offset: TEXT_OFFSET, max: ramBase + 128 * MiB });
  if (kernel !== ramBase + TEXT_OFFSET) throw new LayoutError(`The start of RAM + 0x8000 (${hex(ramBase + TEXT_OFFSET)}) is reserved, where a 32-bit ARM zImage must go (EINVAL).`, 'EINVAL');
  const unpacked = zImageKernelSize(k);
  // Measured from the start of RAM (the decompressor's base), not from the zImage.
  const extent = Math.max(TEXT_OFFSET + 4 * k.length, unpacked !== undefined ? MAX_TEXT_OFFSET + unpacked + k.length + DECOMPRESSOR_MARGIN : 0);
  const above = ramBase + alignUp(extent, ARM_PAGE);
  const max = ramBase + LOWMEM;
  const segments: Segment[] = [placer.segment('kernel', k, kernel)];
  let initrd: { start: number; end: number } | undefined;
  if (input.initrd && input.initrd.length > 0) {
    const at = placer.place('initrd', input.initrd.length, { min: above, max });
    initrd = { start: at, end: at + input.initrd.length };
    segments.push(placer.segment('initrd', input.initrd, at));
  }
  const changes = writeChosen(input.fdt, { bootargs: input.cmdline, ...(initrd ? { initrd } : {}), random: input.random, kaslrSeed: false });
  const dtb = serializeFdt(input.fdt);
  const dtbAt = placer.place('dtb', dtb.length, { min: above, max });
  segments.push(placer.segment('dtb', dtb, dtbAt));
  checkSegments(segments, input.memory, ARM_PAGE);
  return { entry: kernel, segments, dtb, changes };
}

/** A device tree is what makes the board bootable this way; say so when there is none. */
export function requireTree(fdt: Fdt | undefined): Fdt {
  if (!fdt) throw new LayoutError('This 32-bit ARM board has no device tree (no /sys/firmware/fdt and none from the entry): ATAG-only boards are not supported by kexec-menu.', 'ENOEXEC');
  return fdt;
}
