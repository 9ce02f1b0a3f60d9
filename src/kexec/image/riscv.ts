// The RISC-V Image header (Linux's Documentation/arch/riscv/boot-image-header.rst): 64 bytes,
// little-endian: text_offset at 0x08, image_size at 0x10, version at 0x28 (major in the high
// 16 bits), the magic "RISCV\0\0\0" at 0x30 (deprecated) and "RSC\x05" at 0x38.
import { ascii, le32, le64 } from '../../fs/bytes';

export interface RiscvImageHeader {
  readonly format: 'riscv-image';
  readonly textOffset: number;
  readonly imageSize: number;
  /** Header version "major.minor". */
  readonly headerVersion: string;
}

/** The header of a RISC-V Image (either magic), or undefined when `head` has none. */
export function parseRiscvHeader(head: Uint8Array): RiscvImageHeader | undefined {
  if (head.length < 0x40 || (ascii(head, 0x38, 4) !== 'RSC\x05' && ascii(head, 0x30, 8) !== 'RISCV\0\0\0')) return undefined;
  const v = le32(head, 0x28);
  return { format: 'riscv-image', textOffset: le64(head, 0x08), imageSize: le64(head, 0x10), headerVersion: `${v >>> 16}.${v & 0xffff}` };
}
