// What the native kexec_load adds for an arm64 crash kernel (KEXEC_ON_CRASH), as kexec-tools'
// kexec/arch/arm64/crashdump-arm64.c does it:
// - every segment inside the reservation: the kernel refuses a crash segment outside
//   crashk_res (EADDRNOTAVAIL), which iomem lists as "Crash kernel" (with a second, low one
//   there may be two: kexec-tools loads into the last, crashk_res, and so does this);
// - the ELF core header (crash-elf.ts) from the running kernel's own records: each possible
//   CPU's /sys/devices/system/cpu/cpuN/crash_notes (+ crash_notes_size), /sys/kernel/vmcoreinfo,
//   and iomem's System RAM outside the reservation;
// - /chosen linux,elfcorehdr and linux,usable-memory-range (chosen.ts), which the dump kernel
//   reads instead of the command line's elfcorehdr= and mem=.
// p_vaddr of the RAM headers is the linear map's address: PAGE_OFFSET and PHYS_OFFSET differ on
// every boot (KASLR moves the linear map too), so they are read where kexec-tools reads them,
// from the VMCOREINFO note of /proc/kcore (NUMBER(VA_BITS), NUMBER(PHYS_OFFSET), SYMBOL(_stext),
// NUMBER(kimage_voffset)). Without /proc/kcore (lockdown, no CONFIG_PROC_KCORE) the values are
// kexec-tools' own when it cannot know: PHYS_OFFSET = the first System RAM, PAGE_OFFSET 0, and
// the kernel image at virtual address 2^64-1; /proc/vmcore does not use them either way.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { LayoutError } from './layout-error';
import { type CoreHeaderInput, type NoteBuffer, PT_NOTE, elfCoreHeader } from './crash-elf';
import { type MemoryMap, type Range, describeRange, iomemEntries, subtract } from './memory';

const U64 = (1n << 64n) - 1n;

/** What the running kernel says about itself for the core header. */
export interface CrashSources {
  readonly cpuNotes: readonly NoteBuffer[];
  readonly vmcoreinfo?: NoteBuffer;
  /** The vmcoreinfo text (KEY=value lines), from /proc/kcore; undefined when unreadable. */
  readonly vmcoreinfoText?: string;
}

/** What arm64.ts places and writes for a crash kernel. */
export interface CrashSegments {
  /** The ELF core header, placed as the `elfcorehdr` segment. */
  readonly header: Uint8Array;
  /** /chosen/linux,usable-memory-range: the reservations, the low one last (kexec-tools' order). */
  readonly usable: readonly Range[];
}

export interface CrashLayout {
  /** The memory the segments may use: the reservation only. */
  readonly memory: MemoryMap;
  readonly segments: CrashSegments;
  /** Lines for the log. */
  readonly summary: readonly string[];
}

/** A sysfs CPU list ("0", "0-3", "0-1,4-7"). */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',').filter((p) => p !== '')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi && out.length < 65536; c++) out.push(c);
  }
  return out;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** Bytes of `path` from `offset`, at most `length`; undefined when it cannot be read. */
function readAt(path: string, offset: number, length: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(length);
    return buf.subarray(0, readSync(fd, buf, 0, length, offset));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The VMCOREINFO note's text in an ELF64 little-endian core file (/proc/kcore). */
export function kcoreVmcoreinfo(path: string): string | undefined {
  const ehdr = readAt(path, 0, 64);
  if (!ehdr || ehdr.length < 64 || ehdr.readUInt32BE(0) !== 0x7f454c46 || ehdr[4] !== 2 || ehdr[5] !== 1) return undefined;
  const phoff = Number(ehdr.readBigUInt64LE(32));
  const phentsize = ehdr.readUInt16LE(54);
  const phnum = Math.min(ehdr.readUInt16LE(56), 4096);
  const phdrs = readAt(path, phoff, phentsize * phnum);
  if (!phdrs || phentsize < 56) return undefined;
  for (let i = 0; (i + 1) * phentsize <= phdrs.length; i++) {
    const at = i * phentsize;
    if (phdrs.readUInt32LE(at) !== PT_NOTE) continue;
    const notes = readAt(path, Number(phdrs.readBigUInt64LE(at + 8)), Math.min(Number(phdrs.readBigUInt64LE(at + 32)), 1 << 20));
    if (!notes) return undefined;
    const pad4 = (n: number) => Math.ceil(n / 4) * 4;
    for (let off = 0; off + 12 <= notes.length; ) {
      const namesz = notes.readUInt32LE(off);
      const descsz = notes.readUInt32LE(off + 4);
      const name = notes.subarray(off + 12, off + 12 + namesz).toString('latin1').replace(/\0+$/, '');
      const desc = off + 12 + pad4(namesz);
      if (name === 'VMCOREINFO') return notes.subarray(desc, desc + descsz).toString('latin1').replace(/\0+$/, '');
      off = desc + pad4(descsz);
    }
  }
  return undefined;
}

/** /sys and /proc/kcore under `root`, as kexec-tools reads them (a CPU without crash_notes is skipped). */
export function readCrashSources(root = '/'): CrashSources {
  const cpu = join(root, 'sys/devices/system/cpu');
  const cpuNotes: NoteBuffer[] = [];
  for (const n of parseCpuList(readText(join(cpu, 'possible')) ?? '0')) {
    const address = readText(join(cpu, `cpu${n}/crash_notes`));
    if (address === undefined || !/^\s*[0-9a-f]+\s*$/i.test(address)) continue;
    // kexec-tools' MAX_NOTE_BYTES when crash_notes_size is missing (kernels before 4.2).
    const size = Number.parseInt(readText(join(cpu, `cpu${n}/crash_notes_size`)) ?? '1024', 10);
    cpuNotes.push({ address: Number.parseInt(address, 16), size });
  }
  const info = /^\s*(?:0x)?([0-9a-f]+)\s+(?:0x)?([0-9a-f]+)/i.exec(readText(join(root, 'sys/kernel/vmcoreinfo')) ?? '');
  const text = kcoreVmcoreinfo(join(root, 'proc/kcore'));
  return {
    cpuNotes,
    ...(info ? { vmcoreinfo: { address: Number.parseInt(info[1]!, 16), size: Number.parseInt(info[2]!, 16) } } : {}),
    ...(text !== undefined ? { vmcoreinfoText: text } : {}),
  };
}

/** The linear map and the kernel image's offset, as p_vaddr needs them. */
export interface LinearMap {
  readonly pageOffset: bigint;
  readonly physOffset: bigint;
  /** Kernel image virtual minus physical (kimage_voffset); undefined: unknown. */
  readonly kimageVoffset?: bigint;
  readonly source: string;
}

function vmcoreinfoValue(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) if (line.startsWith(`${key}=`)) return line.slice(key.length + 1).trim();
  return undefined;
}

const hexBig = (s: string | undefined): bigint | undefined => (s !== undefined && /^(0x)?[0-9a-f]+$/i.test(s) ? BigInt(s.startsWith('0x') ? s : `0x${s}`) : undefined);

/**
 * PAGE_OFFSET as kexec-tools' get_page_offset computes it: since 5.4 the linear map is the
 * lower half of the kernel's addresses (-(1 << VA_BITS)), before it the upper half; which one
 * is told by where the kernel image (_stext) lies.
 */
export function linearMap(vmcoreinfo: string | undefined, ram: readonly Range[]): LinearMap {
  const vaBits = Number(vmcoreinfo !== undefined ? vmcoreinfoValue(vmcoreinfo, 'NUMBER(VA_BITS)') : undefined);
  const physOffset = vmcoreinfo !== undefined ? hexBig(vmcoreinfoValue(vmcoreinfo, 'NUMBER(PHYS_OFFSET)')) : undefined;
  const stext = vmcoreinfo !== undefined ? hexBig(vmcoreinfoValue(vmcoreinfo, 'SYMBOL(_stext)')) : undefined;
  const voffset = vmcoreinfo !== undefined ? hexBig(vmcoreinfoValue(vmcoreinfo, 'NUMBER(kimage_voffset)')) : undefined;
  if (Number.isInteger(vaBits) && vaBits > 32 && vaBits <= 52 && physOffset !== undefined && stext !== undefined) {
    const mid = (U64 << BigInt(vaBits - 1)) & U64;
    const pageOffset = stext < mid ? mid : (U64 << BigInt(vaBits)) & U64;
    return { pageOffset, physOffset, ...(voffset !== undefined ? { kimageVoffset: voffset } : {}), source: `vmcoreinfo (VA_BITS=${vaBits})` };
  }
  return { pageOffset: 0n, physOffset: BigInt(ram[0]?.start ?? 0), source: 'no vmcoreinfo from /proc/kcore: PHYS_OFFSET from iomem, PAGE_OFFSET 0, as kexec-tools without it' };
}

export const toVirtual = (map: LinearMap, phys: number): bigint => (BigInt(phys) - map.physOffset + map.pageOffset) & U64;

/**
 * The crash kernel's memory and core header from /proc/iomem's text, the map native-loader.ts made
 * of it (System RAM, reservations) and the running kernel's records.
 */
export function crashLayout(iomem: string, memory: MemoryMap, sources: CrashSources): CrashLayout {
  const entries = iomemEntries(iomem);
  const crash = entries.filter((e) => e.name === 'Crash kernel').map(({ start, end }) => ({ start, end })).sort((a, b) => a.start - b.start);
  const target = crash[crash.length - 1];
  if (!target) throw new LayoutError('/proc/iomem shows no "Crash kernel" range, so there is no reserved memory to load a crash kernel into: add crashkernel=256M to the running kernel\'s command line and reboot.', 'EADDRNOTAVAIL');
  const code = entries.find((e) => e.name === 'Kernel code');
  const data = entries.find((e) => e.name === 'Kernel data');
  const map = linearMap(sources.vmcoreinfoText, memory.ram);
  const ram = subtract(memory.ram, crash);
  const input: CoreHeaderInput = {
    cpuNotes: sources.cpuNotes,
    ...(sources.vmcoreinfo ? { vmcoreinfo: sources.vmcoreinfo } : {}),
    ...(code && data && data.end > code.start ? { kernelImage: { start: code.start, end: data.end, vaddr: map.kimageVoffset !== undefined ? (BigInt(code.start) + map.kimageVoffset) & U64 : U64 } } : {}),
    ram,
    toVirtual: (p) => toVirtual(map, p),
  };
  const header = elfCoreHeader(input);
  return {
    memory: { ram: [target], reserved: memory.reserved },
    segments: { header, usable: [...crash].reverse() },
    summary: [
      `crash kernel: segments in the Crash kernel range ${describeRange(target)}; usable-memory-range ${crash.map(describeRange).join(', ')}`,
      `crash kernel: ELF core header of ${header.length} bytes: ${input.cpuNotes.length} CPU note(s), ${input.vmcoreinfo ? 'vmcoreinfo' : 'no vmcoreinfo'}, ${ram.length} RAM range(s) ${ram.map(describeRange).join(', ')}; p_vaddr from ${map.source}`,
    ],
  };
}
