// The arm64 Image header (Linux's Documentation/arch/arm64/booting.rst, "Call the kernel
// image"): 64 bytes, all fields little-endian: text_offset at 0x08, image_size at 0x10,
// flags at 0x18 (bit 0 big-endian kernel, bits 1-2 page size 4K/16K/64K or unspecified, bit 3
// physical placement anywhere), the magic "ARM\x64" at 0x38.
import { ascii, le64 } from '../../fs/bytes';

export interface Arm64ImageHeader {
  readonly format: 'arm64-image';
  readonly textOffset: number;
  readonly imageSize: number;
  readonly bigEndian: boolean;
  /** Kernel page size, when the header says (flags bits 1-2). */
  readonly pageSize?: 4096 | 16384 | 65536;
  /** flags bit 3: may be placed anywhere in memory, not only near the start of DRAM. */
  readonly placeAnywhere: boolean;
}

const PAGE_SIZES = [undefined, 4096, 16384, 65536] as const;

/** The header of an arm64 Image, or undefined when `head` does not start with one. */
export function parseArm64Header(head: Uint8Array): Arm64ImageHeader | undefined {
  if (head.length < 0x40 || ascii(head, 0x38, 4) !== 'ARMd') return undefined;
  const flags = le64(head, 0x18);
  const pageSize = PAGE_SIZES[(flags >> 1) & 3];
  return {
    format: 'arm64-image',
    textOffset: le64(head, 0x08),
    imageSize: le64(head, 0x10),
    bigEndian: (flags & 1) !== 0,
    ...(pageSize ? { pageSize } : {}),
    placeAnywhere: (flags & 8) !== 0,
  };
}
