// The ELF core header a crash kernel is handed (`linux,elfcorehdr` on arm64): what the dump
// kernel's fs/proc/vmcore.c turns into /proc/vmcore. kexec-tools builds it in user space for
// kexec_load (kexec/crashdump-elf.c); the kernel builds the same for kexec_file_load
// (crash_prepare_elf64_headers). Only headers, no data: every program header points at
// memory of the crashed kernel, which the dump kernel reads in place.
// - one PT_NOTE per possible CPU: the kernel's per-CPU crash_notes buffer, where it saves the
//   CPU's registers at the panic (p_offset = p_paddr = its physical address, p_vaddr 0);
// - one PT_NOTE for vmcoreinfo (symbols and offsets makedumpfile and crash need);
// - one PT_LOAD for the kernel image (as kexec-tools' kern_size header: dump tools find the
//   kernel's own text at its kimage address);
// - one PT_LOAD per System RAM range outside the crash reservation, p_vaddr in the linear map.
// The dump kernel reads only p_offset/p_paddr/p_filesz; p_vaddr is for the dump tools.

/** A physical range of the crashed kernel's memory, [start, end). */
export interface PhysRange {
  readonly start: number;
  readonly end: number;
}

/** A note buffer in the running kernel's memory. */
export interface NoteBuffer {
  readonly address: number;
  readonly size: number;
}

export interface CoreHeaderInput {
  /** Each possible CPU's crash_notes, in CPU order. */
  readonly cpuNotes: readonly NoteBuffer[];
  readonly vmcoreinfo?: NoteBuffer;
  /** The kernel image as iomem's "Kernel code" start to "Kernel data" end, with the virtual address of its start. */
  readonly kernelImage?: PhysRange & { readonly vaddr: bigint };
  /** The memory to dump: System RAM without the crash reservation. */
  readonly ram: readonly PhysRange[];
  /** Physical to virtual for the RAM headers' p_vaddr. */
  readonly toVirtual: (phys: number) => bigint;
}

export const EM_AARCH64 = 183;
export const ET_CORE = 4;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
const PF_RWX = 7;
export const EHDR_SIZE = 64;
export const PHDR_SIZE = 56;
/** kexec-tools' ELF_CORE_HEADER_ALIGN: the header's size is rounded up to it. */
export const ELF_CORE_HEADER_ALIGN = 1024;
const U64 = (1n << 64n) - 1n;

interface Phdr {
  readonly type: number;
  readonly flags: number;
  readonly offset: bigint;
  readonly vaddr: bigint;
  readonly paddr: bigint;
  readonly size: bigint;
}

const big = (n: number): bigint => BigInt(n);

function programHeaders(input: CoreHeaderInput): Phdr[] {
  const note = (n: NoteBuffer): Phdr => ({ type: PT_NOTE, flags: 0, offset: big(n.address), vaddr: 0n, paddr: big(n.address), size: big(n.size) });
  const load = (r: PhysRange, vaddr: bigint): Phdr => ({ type: PT_LOAD, flags: PF_RWX, offset: big(r.start), vaddr: vaddr & U64, paddr: big(r.start), size: big(r.end - r.start) });
  return [
    ...input.cpuNotes.map(note),
    ...(input.vmcoreinfo ? [note(input.vmcoreinfo)] : []),
    ...(input.kernelImage ? [load(input.kernelImage, input.kernelImage.vaddr)] : []),
    ...input.ram.map((r) => load(r, input.toVirtual(r.start))),
  ];
}

/** The ELF64 little-endian core header, zero-padded to ELF_CORE_HEADER_ALIGN. */
export function elfCoreHeader(input: CoreHeaderInput): Uint8Array {
  const phdrs = programHeaders(input);
  const used = EHDR_SIZE + phdrs.length * PHDR_SIZE;
  const out = new Uint8Array(Math.ceil(used / ELF_CORE_HEADER_ALIGN) * ELF_CORE_HEADER_ALIGN);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2 /* ELFCLASS64 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */, 0 /* ELFOSABI_NONE */]);
  v.setUint16(16, ET_CORE, true);
  v.setUint16(18, EM_AARCH64, true);
  v.setUint32(20, 1, true); // e_version
  // e_entry 0, e_shoff 0, e_flags 0: a core file has no entry and no sections.
  v.setBigUint64(32, BigInt(EHDR_SIZE), true); // e_phoff
  v.setUint16(52, EHDR_SIZE, true);
  v.setUint16(54, PHDR_SIZE, true);
  v.setUint16(56, phdrs.length, true);
  phdrs.forEach((p, i) => {
    const at = EHDR_SIZE + i * PHDR_SIZE;
    v.setUint32(at, p.type, true);
    v.setUint32(at + 4, p.flags, true);
    v.setBigUint64(at + 8, p.offset, true);
    v.setBigUint64(at + 16, p.vaddr, true);
    v.setBigUint64(at + 24, p.paddr, true);
    v.setBigUint64(at + 32, p.size, true); // p_filesz
    v.setBigUint64(at + 40, p.size, true); // p_memsz
    // p_align 0, as kexec-tools and the kernel write it.
  });
  return out;
}
