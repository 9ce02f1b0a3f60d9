// The ELF header of a vmlinux (the System V ABI's "ELF Header", elf(5)): "\x7fELF", EI_CLASS
// at 4 (2: 64-bit), EI_DATA at 5 (2: big-endian), e_machine at 0x12 in the file's byte order.
import { ascii, be16, le16 } from '../../fs/bytes';
import type { Architecture } from '../../machine/arch';

export interface ElfHeader {
  readonly format: 'elf';
  readonly bits: 32 | 64;
  readonly bigEndian: boolean;
  readonly machine: number;
  /** The architecture's name, or `machine N` for an e_machine kexec-menu does not know. */
  readonly machineName: string;
}

/** EM_* values (elf.h) of the architectures a vmlinux is built for. */
const ELF_MACHINES: Readonly<Record<number, Architecture>> = {
  3: 'x86',
  62: 'x86_64',
  40: 'arm',
  183: 'arm64',
  258: 'loongarch64',
  20: 'powerpc',
  21: 'powerpc64',
  22: 's390x',
  8: 'mips',
};

/** The architecture of an e_machine (EM_RISCV, 243, serves both widths). */
export function elfArchitecture(machine: number, bits: number): Architecture | undefined {
  if (machine === 243) return bits === 64 ? 'riscv64' : 'riscv32';
  return ELF_MACHINES[machine];
}

/** The ELF header's class, byte order and machine, or undefined when `head` is no ELF file. */
export function parseElfHeader(head: Uint8Array): ElfHeader | undefined {
  if (head.length < 0x14 || head[0] !== 0x7f || ascii(head, 1, 3) !== 'ELF') return undefined;
  const bits = head[4] === 2 ? 64 : 32;
  const bigEndian = head[5] === 2;
  const machine = (bigEndian ? be16 : le16)(head, 0x12);
  return { format: 'elf', bits, bigEndian, machine, machineName: elfArchitecture(machine, bits) ?? `machine ${machine}` };
}
