// Every kernel image header kexec-menu reads, as one union: which format an uncompressed
// image's first bytes are, its architecture and a one-line description. The formats' own
// layouts are in the module of each.
import type { Architecture } from '../../machine/arch';
import type { Compression } from './compression';
import { type Arm64ImageHeader, parseArm64Header } from './arm64';
import { type BzImageHeader, parseBzImageHeader } from './bzimage';
import { type ElfHeader, elfArchitecture, parseElfHeader } from './elf';
import { type RiscvImageHeader, parseRiscvHeader } from './riscv';
import type { ZbootFields } from './zboot';
import { type ArmZImageHeader, parseZImageHeader } from './zimage';

/** A whole file compressed (Image.gz…), with the image inside when it could be looked at. */
export interface CompressedHeader {
  readonly format: 'compressed';
  readonly method: Compression;
  readonly inner?: KernelHeader;
  readonly innerUnavailable?: string;
  /** From the gzip trailer (modulo 4 GiB, which no kernel reaches). */
  readonly uncompressedSize?: number;
}

export interface ZbootHeader extends ZbootFields {
  /** The image inside, when it could be decompressed. */
  readonly inner?: KernelHeader;
  /** Why the image inside could not be looked at. */
  readonly innerUnavailable?: string;
}

export type KernelHeader = BzImageHeader | Arm64ImageHeader | ArmZImageHeader | RiscvImageHeader | ElfHeader | ZbootHeader | CompressedHeader;

/** The header of an uncompressed image (not a zboot or whole-file-compressed one), by its magic. */
export function parseRawHeader(head: Uint8Array): KernelHeader | undefined {
  return parseBzImageHeader(head) ?? parseArm64Header(head) ?? parseRiscvHeader(head) ?? parseZImageHeader(head) ?? parseElfHeader(head);
}

export function architectureOf(h: KernelHeader | undefined): Architecture | undefined {
  if (!h) return undefined;
  switch (h.format) {
    case 'bzImage':
      return h.kernel64 ? 'x86_64' : 'x86';
    case 'arm64-image':
      return 'arm64';
    case 'arm-zimage':
      return 'arm';
    case 'riscv-image':
      return 'riscv64';
    case 'elf':
      return elfArchitecture(h.machine, h.bits);
    case 'efi-zboot':
      return architectureOf(h.inner) ?? h.peArchitecture;
    case 'compressed':
      return architectureOf(h.inner);
  }
}

/** One line like file(1) prints. */
export function describe(h: KernelHeader): string {
  switch (h.format) {
    case 'bzImage':
      return `x86 ${h.loadedHigh ? 'bzImage' : 'zImage'}, boot protocol ${h.protocol}${h.kernel64 ? ', 64-bit' : ', 32-bit'}${h.relocatable ? ', relocatable' : ''}${h.efiHandover64 || h.efiHandover32 ? ', EFI handover' : ''}`;
    case 'arm64-image':
      return `arm64 Image, ${h.bigEndian ? 'big' : 'little'}-endian${h.pageSize ? `, ${h.pageSize / 1024}K pages` : ''}, text offset 0x${h.textOffset.toString(16)}, image size ${h.imageSize}`;
    case 'arm-zimage':
      return `32-bit ARM zImage, ${h.bigEndian ? 'big' : 'little'}-endian${h.payloadCompression ? `, ${h.payloadCompression}-compressed kernel inside` : ''}`;
    case 'riscv-image':
      return `RISC-V Image, header version ${h.headerVersion}, image size ${h.imageSize}`;
    case 'elf':
      return `ELF ${h.bits}-bit ${h.bigEndian ? 'MSB' : 'LSB'} vmlinux for ${h.machineName}`;
    case 'efi-zboot':
      return `EFI zboot image (${h.compression}-compressed payload of ${h.payloadSize} bytes)${h.inner ? ` holding ${describe(h.inner)}` : ''}`;
    case 'compressed':
      return `${h.method}-compressed${h.inner ? ` ${describe(h.inner)}` : ' file'}`;
  }
}
