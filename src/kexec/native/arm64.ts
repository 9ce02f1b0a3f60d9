// The arm64 layout for kexec_load (Documentation/arch/arm64/booting.rst; compare u-root's
// pkg/boot/linux/load_linux_image.go and kexec-tools' kexec/arch/arm64/kexec-arm64.c):
// - the Image at a 2 MiB-aligned base + text_offset, its memsz the header's image_size (the
//   kernel's BSS and early page tables live past the file's end);
// - the initrd above it, inside the 1 GiB-aligned window that holds the kernel (booting.rst
//   asks for it to be reachable from the kernel's early linear map);
// - the device tree, 8-byte aligned (a page here), at most 2 MiB, above the initrd;
// - the trampoline. With kexec_load the kernel jumps to the entry with x0 undefined and no
//   device tree: arm64's machine_kexec leaves that to "purgatory". kexec-tools' purgatory also
//   checks SHA-256 of each segment (5-25 s under QEMU); ours only sets the registers booting.rst
//   asks for and branches, as u-root's does.
import { LayoutError } from './layout-error';
import { MAX_FDT_SIZE, type Fdt, serializeFdt } from '../dt/fdt';
import type { RandomSource } from '../../sys/random';
import { writeChosen } from './chosen';
import type { CrashSegments } from './crash-arm64';
import { type Range, alignUp } from './memory';
import { type Layout, Placer, type Segment, checkSegments } from './segments';
import type { MemoryMap } from './memory';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** Pages of any arm64 kernel (4, 16 or 64 KiB): aligning to 64 KiB suits them all. */
export const ARM64_PAGE = 64 * 1024;
/** booting.rst: image_size 0 is a kernel older than 3.17, whose text_offset is 0x80000. */
const LEGACY_TEXT_OFFSET = 0x80000;

/**
 * The trampoline's six instructions, little-endian words, each with its assembly. The two
 * literals follow: the kernel's entry (offset 24) and the device tree's address (offset 32).
 * LDR (literal) is 0x58000000 | imm19 << 5 | Rt, imm19 = (literal - pc) / 4.
 */
const TRAMPOLINE_CODE: readonly number[] = [
  0x580000c4, // ldr x4, #24   (pc 0 -> literal at 24: imm19 = 6)  kernel entry
  0x580000e0, // ldr x0, #28   (pc 4 -> literal at 32: imm19 = 7)  device tree, booting.rst's x0
  0xaa1f03e1, // mov x1, xzr   (orr x1, xzr, xzr)                 x1-x3 must be 0 ("reserved")
  0xaa1f03e2, // mov x2, xzr
  0xaa1f03e3, // mov x3, xzr
  0xd61f0080, // br  x4
];
export const TRAMPOLINE_SIZE = TRAMPOLINE_CODE.length * 4 + 16;

/** The trampoline's 40 bytes for a kernel entry and a device-tree address. */
export function arm64Trampoline(kernelEntry: number, dtb: number): Uint8Array {
  const out = new Uint8Array(TRAMPOLINE_SIZE);
  const view = new DataView(out.buffer);
  TRAMPOLINE_CODE.forEach((w, i) => view.setUint32(i * 4, w, true));
  view.setBigUint64(24, BigInt(kernelEntry), true);
  view.setBigUint64(32, BigInt(dtb), true);
  return out;
}

export interface Arm64Kernel {
  /** The uncompressed Image. */
  readonly bytes: Uint8Array;
  readonly textOffset: number;
  /** The header's image_size: what the kernel occupies once running (0 before 3.17). */
  readonly imageSize: number;
  readonly bigEndian: boolean;
}

export interface LayoutInput<K> {
  readonly kernel: K;
  /** The initrd bytes (several already concatenated), or none. */
  readonly initrd?: Uint8Array;
  /** The device tree to pass (already fixed up); /chosen is written here. */
  readonly fdt: Fdt;
  readonly cmdline: string;
  readonly memory: MemoryMap;
  readonly random: RandomSource;
  /** A crash kernel (arm64): `memory` is the reservation, and the core header is placed in it too. */
  readonly crash?: CrashSegments;
}

/** Places the arm64 segments; the returned layout has already passed checkSegments. */
export function layoutArm64(input: LayoutInput<Arm64Kernel>): Layout & { changes: string[] } {
  const k = input.kernel;
  if (k.bigEndian) throw new LayoutError('The kernel is a big-endian arm64 Image; kexec-menu runs little-endian and its loader does not start big-endian kernels.', 'ENOEXEC');
  const textOffset = k.imageSize === 0 ? LEGACY_TEXT_OFFSET : k.textOffset;
  const imageSize = Math.max(k.imageSize || k.bytes.length, k.bytes.length);
  const placer = new Placer(input.memory, ARM64_PAGE);
  const kernel = placer.place('kernel', imageSize, { align: 2 * MiB, offset: textOffset });
  const windowEnd = Math.floor(kernel / GiB) * GiB + GiB;
  const kernelEnd = kernel + alignUp(imageSize, ARM64_PAGE);
  const segments: Segment[] = [placer.segment('kernel', k.bytes, kernel, imageSize)];
  let initrd: { start: number; end: number } | undefined;
  if (input.initrd && input.initrd.length > 0) {
    const at = placer.place('initrd', input.initrd.length, { min: kernelEnd, max: windowEnd });
    initrd = { start: at, end: at + input.initrd.length };
    segments.push(placer.segment('initrd', input.initrd, at));
  }
  let elfcorehdr: Range | undefined;
  if (input.crash) {
    // Above the Image, as the rest: memory below it may be outside the crash kernel's linear map.
    const at = placer.place('elfcorehdr', input.crash.header.length, { min: kernelEnd });
    elfcorehdr = { start: at, end: at + input.crash.header.length };
    segments.push(placer.segment('elfcorehdr', input.crash.header, at));
  }
  // /chosen is written before the tree is placed: its size does not depend on the addresses
  // (fixed 64-bit cells, the root's cells for the crash ranges), only on which properties there are.
  const crash = elfcorehdr && input.crash ? { crash: { elfcorehdr, usable: input.crash.usable } } : {};
  const changes = writeChosen(input.fdt, { bootargs: input.cmdline, ...(initrd ? { initrd } : {}), random: input.random, kaslrSeed: true, ...crash });
  const dtb = serializeFdt(input.fdt);
  if (dtb.length > MAX_FDT_SIZE) throw new LayoutError(`The device tree is ${dtb.length} bytes once /chosen is written, more than the 2 MiB an arm64 kernel maps.`, 'EFBIG');
  const dtbAt = placer.place('dtb', dtb.length, { min: kernelEnd, max: windowEnd });
  segments.push(placer.segment('dtb', dtb, dtbAt));
  const trampolineAt = placer.place('trampoline', TRAMPOLINE_SIZE, { min: kernelEnd });
  segments.push(placer.segment('trampoline', arm64Trampoline(kernel, dtbAt), trampolineAt));
  checkSegments(segments, input.memory, ARM64_PAGE);
  return { entry: trampolineAt, segments, dtb, changes };
}
