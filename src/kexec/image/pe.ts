// The PE/COFF header an EFI-stub kernel carries (x86 bzImage, arm64/riscv Image, EFI zboot).
// Layout: Microsoft's PE Format specification ("MS-DOS stub": e_lfanew at 0x3c; "COFF File
// Header": Machine at +4, NumberOfSections at +6, SizeOfOptionalHeader at +20 after "PE\0\0";
// "Section Table": 40-byte entries, SizeOfRawData at +16, PointerToRawData at +20).
import { ascii, le16, le32 } from '../../fs/bytes';
import type { Architecture } from '../../machine/arch';

/** IMAGE_FILE_MACHINE_* values of the architectures Linux builds an EFI stub for. */
const PE_MACHINES: Readonly<Record<number, Architecture>> = {
  0x8664: 'x86_64',
  0x014c: 'x86',
  0xaa64: 'arm64',
  0x01c2: 'arm',
  0x01c4: 'arm',
  0x5064: 'riscv64',
  0x5032: 'riscv32',
  0x6264: 'loongarch64',
};

export interface PeHeader {
  /** The Machine field's architecture, when it is one Linux builds for. */
  readonly machine?: Architecture;
  /** End of the last section's raw data: the least size the file must have. */
  readonly rawEnd: number;
}

/** The PE header of an image starting "MZ", or undefined when there is none in `head`. */
export function parsePeHeader(head: Uint8Array): PeHeader | undefined {
  if (head.length < 0x40 || head[0] !== 0x4d || head[1] !== 0x5a) return undefined;
  const pe = le32(head, 0x3c);
  if (pe === 0 || pe + 24 > head.length || ascii(head, pe, 4) !== 'PE\0\0') return undefined;
  const machine = PE_MACHINES[le16(head, pe + 4)];
  const sections = le16(head, pe + 6);
  const table = pe + 24 + le16(head, pe + 20);
  let rawEnd = 0;
  for (let i = 0; i < Math.min(sections, 96); i++) {
    const s = table + i * 40;
    if (s + 40 > head.length) break;
    const rawSize = le32(head, s + 16);
    if (rawSize > 0) rawEnd = Math.max(rawEnd, le32(head, s + 20) + rawSize);
  }
  return { ...(machine ? { machine } : {}), rawEnd };
}
