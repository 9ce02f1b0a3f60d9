// What a kernel image or device tree is, read from its own header: format, architecture,
// the kernel's version string, and whether this machine can kexec it. The menu uses it to
// show versions of loose kernels and to grey out kernels of another architecture; the
// loader uses it to decide how to load.
//
// Formats (offsets from each format's documentation):
// - x86 bzImage: Documentation/arch/x86/boot.rst, setup header at 0x1f1, "HdrS" at 0x202;
//   the version string lives at 0x200 + kernel_version.
// - arm64 Image: Documentation/arch/arm64/booting.rst, "ARM\x64" at 0x38.
// - 32-bit ARM zImage: magic 0x016f2818 at 0x24, start/end at 0x28/0x2c, 0x04030201 at 0x30.
// - riscv Image: Documentation/arch/riscv/boot-image-header.rst, "RSC\x05" at 0x38
//   ("RISCV\0\0\0" at 0x30 in older kernels).
// - ELF vmlinux: e_machine.
// - EFI zboot: drivers/firmware/efi/libstub/zboot-header.S, "zimg" at 4, payload offset and
//   size at 8 and 12, the compression name at 0x18.
// - whole-file gzip/xz/zstd/lz4/bzip2 (Image.gz…): compression.ts.
import { closeSync, fstatSync, openSync, readSync, readFileSync, statSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { endianness } from 'node:os';
import { type Architecture, runningArch } from '../machine/arch';
import { BootError, explainBootFailure } from './errors';
import { cannotDecompress, decompressedStream, detectCompression, zbootCompression, type Compression } from './compression';
import { FdtError, MAX_FDT_SIZE, boardIdentity, findNode, getProp, parseFdt, readFdtHeader, stringList } from './fdt';

/** Kernel architecture names (the kernel's ARCH plus bitness): x86_64, x86, arm64, arm, riscv64… */
export interface BzImageHeader {
  readonly format: 'bzImage';
  /** Boot protocol version, "2.15". */
  readonly protocol: string;
  readonly setupSects: number;
  /** loadflags LOADED_HIGH: a bzImage (protected-mode code at 1 MiB) rather than a zImage. */
  readonly loadedHigh: boolean;
  readonly relocatable: boolean;
  /** xloadflags (protocol 2.12+). */
  readonly kernel64: boolean;
  readonly canBeLoadedAbove4G: boolean;
  readonly efiHandover32: boolean;
  readonly efiHandover64: boolean;
  readonly efiKexec: boolean;
  /** Size of the file the setup header describes: (setup_sects + 1) * 512 + syssize * 16. */
  readonly declaredSize: number;
  readonly payloadOffset?: number;
  readonly payloadLength?: number;
  readonly initSize?: number;
}

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

export interface ArmZImageHeader {
  readonly format: 'arm-zimage';
  readonly start: number;
  readonly end: number;
  readonly bigEndian: boolean;
  /** The compression of the kernel inside the decompressor, when its magic is found. */
  readonly payloadCompression?: Compression;
}

export interface RiscvImageHeader {
  readonly format: 'riscv-image';
  readonly textOffset: number;
  readonly imageSize: number;
  /** Header version "major.minor". */
  readonly headerVersion: string;
}

export interface ElfHeader {
  readonly format: 'elf';
  readonly bits: 32 | 64;
  readonly bigEndian: boolean;
  readonly machine: number;
  /** The architecture's name, or `machine N` for an e_machine kexec-menu does not know. */
  readonly machineName: string;
}

export interface ZbootHeader {
  readonly format: 'efi-zboot';
  /** As the header names it: gzip, zstd, lzma, xzkern, lz4, lzo, bzip2. */
  readonly compression: string;
  readonly payloadOffset: number;
  readonly payloadSize: number;
  /** Architecture from the PE header's machine field. */
  readonly peArchitecture?: Architecture;
  /** The image inside, when it could be decompressed. */
  readonly inner?: KernelHeader;
  /** Why the image inside could not be looked at. */
  readonly innerUnavailable?: string;
}

export interface CompressedHeader {
  readonly format: 'compressed';
  readonly method: Compression;
  readonly inner?: KernelHeader;
  readonly innerUnavailable?: string;
  /** From the gzip trailer (modulo 4 GiB, which no kernel reaches). */
  readonly uncompressedSize?: number;
}

export type KernelHeader = BzImageHeader | Arm64ImageHeader | ArmZImageHeader | RiscvImageHeader | ElfHeader | ZbootHeader | CompressedHeader;

export interface Verdict {
  readonly ok: boolean;
  readonly reason: string;
}

export interface KernelImageInfo {
  readonly kind: 'kernel';
  readonly path: string;
  readonly size: number;
  readonly header: KernelHeader;
  /** One line like file(1) prints. */
  readonly description: string;
  readonly architecture?: Architecture;
  /** The kernel's banner after "Linux version ", e.g. "6.1.0-13-amd64 (debian-kernel@…) #1 SMP …". */
  readonly version?: string;
  /** The first word of the version: what `uname -r` prints once it runs. */
  readonly release?: string;
  /** Why no version could be read, when none was. */
  readonly versionUnavailable?: string;
  readonly canKexecHere: Verdict;
}

export interface DeviceTreeInfo {
  readonly kind: 'devicetree';
  readonly path: string;
  readonly size: number;
  readonly totalSize: number;
  readonly version: number;
  readonly model?: string;
  readonly compatible: readonly string[];
  readonly reservations: number;
  /** /chosen/kaslr-seed is present and non-zero (arm64 kexec needs it cleared). */
  readonly kaslrSeed: boolean;
  readonly bootargs?: string;
}

const HEAD_SIZE = 64 * 1024;
/** A decompressed kernel larger than this is not a kernel (arm64 debug builds reach ~200 MiB). */
export const MAX_KERNEL_SIZE = 512 * 1024 * 1024;
const BANNER = Buffer.from('Linux version ', 'latin1');
const MAX_BANNER = 512;

class FormatError extends Error {}

function readHead(path: string, length: number, position = 0): { head: Buffer; size: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
    let got = 0;
    // Bounded: each read either advances or ends the loop.
    while (got < head.length) {
      const n = readSync(fd, head, got, head.length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return { head: head.subarray(0, got), size };
  } finally {
    closeSync(fd);
  }
}

function u16(b: Buffer, off: number): number {
  return off + 2 <= b.length ? b.readUInt16LE(off) : 0;
}
function u32(b: Buffer, off: number): number {
  return off + 4 <= b.length ? b.readUInt32LE(off) : 0;
}
function u64n(b: Buffer, off: number): number {
  return off + 8 <= b.length ? Number(b.readBigUInt64LE(off)) : 0;
}
function cString(b: Buffer, off: number, max: number): string {
  const end = b.indexOf(0, off);
  return b.toString('latin1', off, end === -1 ? Math.min(b.length, off + max) : Math.min(end, off + max));
}

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

interface PeInfo {
  readonly machine?: Architecture;
  /** End of the last section's raw data: the least size the file must have. */
  readonly rawEnd: number;
}

/** The PE header an EFI-stub kernel carries (x86 bzImage, arm64/riscv Image, zboot). */
function readPe(head: Buffer): PeInfo | undefined {
  if (head[0] !== 0x4d || head[1] !== 0x5a) return undefined;
  const pe = u32(head, 0x3c);
  if (pe === 0 || pe + 24 > head.length || head.toString('latin1', pe, pe + 4) !== 'PE\0\0') return undefined;
  const machine = PE_MACHINES[u16(head, pe + 4)];
  const sections = u16(head, pe + 6);
  const table = pe + 24 + u16(head, pe + 20);
  let rawEnd = 0;
  for (let i = 0; i < Math.min(sections, 96); i++) {
    const s = table + i * 40;
    if (s + 40 > head.length) break;
    const rawSize = u32(head, s + 16);
    const rawPtr = u32(head, s + 20);
    if (rawSize > 0) rawEnd = Math.max(rawEnd, rawPtr + rawSize);
  }
  return { ...(machine ? { machine } : {}), rawEnd };
}

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

function elfArchitecture(machine: number, bits: number): Architecture | undefined {
  if (machine === 243) return bits === 64 ? 'riscv64' : 'riscv32';
  return ELF_MACHINES[machine];
}

/** Parses the header of an uncompressed image (not a whole-file-compressed one). */
function parseRawHeader(head: Buffer): KernelHeader | undefined {
  // x86 setup header
  if (head.length >= 0x264 && head.toString('latin1', 0x202, 0x206) === 'HdrS') {
    const protocol = u16(head, 0x206);
    const setupSects = head[0x1f1] || 4;
    const loadflags = head[0x211]!;
    const xload = protocol >= 0x20c ? u16(head, 0x236) : 0;
    const syssize = u32(head, 0x1f4);
    return {
      format: 'bzImage',
      protocol: `${protocol >> 8}.${String(protocol & 0xff).padStart(2, '0')}`,
      setupSects,
      loadedHigh: (loadflags & 1) !== 0,
      relocatable: protocol >= 0x205 && head[0x234] !== 0,
      kernel64: (xload & 1) !== 0,
      canBeLoadedAbove4G: (xload & 2) !== 0,
      efiHandover32: (xload & 4) !== 0,
      efiHandover64: (xload & 8) !== 0,
      efiKexec: (xload & 16) !== 0,
      declaredSize: (setupSects + 1) * 512 + syssize * 16,
      ...(protocol >= 0x208 ? { payloadOffset: u32(head, 0x248) + (setupSects + 1) * 512, payloadLength: u32(head, 0x24c) } : {}),
      ...(protocol >= 0x20a ? { initSize: u32(head, 0x260) } : {}),
    };
  }
  if (head.length >= 0x40 && head.toString('latin1', 0x38, 0x3c) === 'ARMd') {
    const flags = u64n(head, 0x18);
    const pageSizes = [undefined, 4096, 16384, 65536] as const;
    const pageSize = pageSizes[(flags >> 1) & 3];
    return {
      format: 'arm64-image',
      textOffset: u64n(head, 0x08),
      imageSize: u64n(head, 0x10),
      bigEndian: (flags & 1) !== 0,
      ...(pageSize ? { pageSize } : {}),
      placeAnywhere: (flags & 8) !== 0,
    };
  }
  if (head.length >= 0x40 && (head.toString('latin1', 0x38, 0x3c) === 'RSC\x05' || head.toString('latin1', 0x30, 0x38) === 'RISCV\0\0\0')) {
    const v = u32(head, 0x28);
    return { format: 'riscv-image', textOffset: u64n(head, 0x08), imageSize: u64n(head, 0x10), headerVersion: `${v >>> 16}.${v & 0xffff}` };
  }
  if (head.length >= 0x34 && (u32(head, 0x24) === 0x016f2818 || head.readUInt32BE(0x24) === 0x016f2818)) {
    const bigEndian = u32(head, 0x24) !== 0x016f2818;
    const rd = (off: number) => (bigEndian ? head.readUInt32BE(off) : head.readUInt32LE(off));
    return { format: 'arm-zimage', start: rd(0x28), end: rd(0x2c), bigEndian, ...payloadCompressionOf(head) };
  }
  if (head.length >= 0x14 && head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF') {
    const bits = head[4] === 2 ? 64 : 32;
    const bigEndian = head[5] === 2;
    const machine = bigEndian ? head.readUInt16BE(0x12) : head.readUInt16LE(0x12);
    return { format: 'elf', bits, bigEndian, machine, machineName: elfArchitecture(machine, bits) ?? `machine ${machine}` };
  }
  return undefined;
}

/** The compressed kernel inside a 32-bit ARM zImage's decompressor: the first magic found. */
function payloadCompressionOf(head: Buffer): { payloadCompression?: Compression } {
  const candidates: Array<[Compression, Buffer]> = [
    ['gzip', Buffer.from([0x1f, 0x8b, 0x08])],
    ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
    ['lz4', Buffer.from([0x02, 0x21, 0x4c, 0x18])],
    ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
    ['lzo', Buffer.from([0x89, 0x4c, 0x5a, 0x4f])],
  ];
  let best: [Compression, number] | undefined;
  for (const [name, magic] of candidates) {
    const at = head.indexOf(magic, 0x40);
    if (at !== -1 && (!best || at < best[1])) best = [name, at];
  }
  return best ? { payloadCompression: best[0] } : {};
}

/** "Linux version X" in a stream of a kernel's bytes, as `file` and `strings` find it. */
async function findBanner(chunks: AsyncIterable<Buffer> & { destroy?(): void }, limit: number): Promise<string | undefined> {
  let carry = Buffer.alloc(0);
  let seen = 0;
  let firstSeen: string | undefined;
  try {
    for await (const chunk of chunks) {
      seen += chunk.length;
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      let pending: number | undefined;
      // Bounded by the buffer: each step moves past the previous hit.
      for (let from = 0; ; ) {
        const at = buf.indexOf(BANNER, from);
        if (at === -1) break;
        const start = at + BANNER.length;
        const stop = buf.subarray(start, start + MAX_BANNER).findIndex((b) => b === 0 || b === 0x0a);
        if (stop === -1 && buf.length - start < MAX_BANNER) {
          pending = at; // the banner continues in the next chunk
          break;
        }
        const text = buf.toString('latin1', start, start + (stop === -1 ? MAX_BANNER : stop));
        // Skip printf formats ("Linux version %s") and prose; the banner starts with a release.
        // Kernels since 6.1 also carry a copy without the build number ("# SMP"), made
        // before the final link; the one with "#<n>" is what `uname -v` shows.
        if (/^[0-9]/.test(text)) {
          if (/ #\d/.test(text)) return text.trim();
          firstSeen ??= text.trim();
        }
        from = start;
      }
      carry = Buffer.from(pending !== undefined ? buf.subarray(pending) : buf.subarray(Math.max(0, buf.length - BANNER.length + 1)));
      if (seen > limit) break;
    }
  } finally {
    chunks.destroy?.();
  }
  return firstSeen;
}

/** Reads a stream until `limit` bytes have passed, then stops it. */
async function readPast(chunks: AsyncIterable<Buffer> & { destroy?(): void }, limit: number): Promise<undefined> {
  let seen = 0;
  try {
    for await (const chunk of chunks) {
      seen += chunk.length;
      if (seen >= limit) break;
    }
  } finally {
    chunks.destroy?.();
  }
  return undefined;
}

/** The version string a bzImage's setup header points at (0x200 + kernel_version). */
function bzImageVersion(head: Buffer, readAt: (offset: number) => Buffer): string | undefined {
  const ptr = u16(head, 0x20e);
  if (!ptr) return undefined;
  const at = 0x200 + ptr;
  const bytes = at + MAX_BANNER <= head.length ? head.subarray(at, at + MAX_BANNER) : readAt(at);
  const text = cString(bytes, 0, MAX_BANNER);
  return /^[0-9]/.test(text) ? text.trim() : undefined;
}

function fileChunks(path: string, start = 0): AsyncIterable<Buffer> & { destroy(): void } {
  return createReadStream(path, { start, highWaterMark: 1 << 20 });
}

/** Collects the first `n` bytes of a stream while passing every chunk on. */
function teeHead(src: AsyncIterable<Buffer> & { destroy(): void }, n: number): { head: () => Buffer; total: () => number; chunks: AsyncIterable<Buffer> & { destroy(): void } } {
  const parts: Buffer[] = [];
  let have = 0;
  let total = 0;
  const chunks = {
    async *[Symbol.asyncIterator]() {
      for await (const c of src) {
        total += c.length;
        if (have < n) {
          parts.push(c.subarray(0, n - have));
          have += Math.min(c.length, n - have);
        }
        yield c as Buffer;
      }
    },
    destroy: () => src.destroy(),
  };
  return { head: () => Buffer.concat(parts), total: () => total, chunks };
}

function architectureOf(h: KernelHeader | undefined): Architecture | undefined {
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

function describe(h: KernelHeader): string {
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

/** Whether a kernel of this header can be started by kexec from a machine of `host` arch. */
export function kexecVerdict(h: KernelHeader, host: Architecture): Verdict {
  const arch = architectureOf(h);
  if (h.format === 'compressed' || h.format === 'efi-zboot') {
    if (!h.inner) {
      if (arch && arch !== host) return { ok: false, reason: `it is a kernel for ${arch}; this machine is ${host}` };
      return { ok: true, reason: `${h.format === 'efi-zboot' ? 'an EFI zboot image' : `${h.method}-compressed`} whose contents could not be checked (${h.innerUnavailable ?? 'unknown contents'})` };
    }
    const inner = kexecVerdict(h.inner, host);
    return inner.ok ? { ok: true, reason: `${inner.reason}, decompressed before loading` } : inner;
  }
  if (h.format === 'bzImage') {
    if (host === 'x86_64') {
      if (h.kernel64) return { ok: true, reason: 'a 64-bit x86 kernel on a 64-bit x86 machine' };
      return { ok: true, reason: 'a 32-bit x86 kernel: only kexec-tools loads it (kexec_file_load takes 64-bit kernels)' };
    }
    // Every bzImage starts in 32-bit protected mode, so a 32-bit system can start a 64-bit one.
    if (host === 'x86') return { ok: true, reason: 'an x86 kernel on an x86 machine' };
    return { ok: false, reason: `it is an x86 kernel; this machine is ${host}` };
  }
  if (arch !== host) return { ok: false, reason: `it is a kernel for ${arch}; this machine is ${host}` };
  if ((h.format === 'arm64-image' || h.format === 'arm-zimage' || h.format === 'elf') && h.bigEndian && endianness() === 'LE') {
    return { ok: false, reason: 'it is a big-endian kernel; this machine runs little-endian' };
  }
  return { ok: true, reason: `${describe(h).split(',')[0]} for this ${host} machine` };
}

function wrapError(path: string, err: unknown): BootError {
  if (err instanceof BootError) return err;
  if (err instanceof FormatError) return new BootError(`${path}: ${err.message}.`, 'ENOEXEC');
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string' && (err as { code: string }).code.startsWith('E')) {
    return new BootError(explainBootFailure(err, { stage: 'read', file: path }), (err as { code: string }).code);
  }
  // zlib's errors ("unexpected end of file", "incorrect header check") have Z_* codes.
  const msg = err instanceof Error ? err.message : String(err);
  return new BootError(`${path}: its compressed data is damaged or truncated (${msg}).`, 'ENOEXEC');
}

function checkTruncation(h: KernelHeader, head: Buffer, size: number, what: string): void {
  const short = (need: number, by: string) => {
    if (size < need) throw new FormatError(`${what} is truncated: ${by} says at least ${need} bytes, it has ${size}`);
  };
  if (h.format === 'bzImage') short(h.declaredSize, 'its setup header');
  if (h.format === 'arm-zimage' && h.end > h.start) short(h.end - h.start, 'its zImage header');
  const pe = readPe(head);
  if (pe && pe.rawEnd > 0 && h.format !== 'elf') short(pe.rawEnd, 'its PE section table');
}

interface Looked {
  readonly header: KernelHeader;
  readonly version?: string;
  readonly versionUnavailable?: string;
}

/** Why an image's version is missing when only its header was wanted. */
const BANNER_NOT_READ = 'not looked for (header only)';

/** How far into an image to read: its header only, or on to the version banner. */
type Reach = 'header' | 'banner';

/** Looks at a stream of a decompressed image: its header and, as far as `reach` says, its banner. */
async function lookInside(stream: AsyncIterable<Buffer> & { destroy(): void }, what: string, reach: Reach): Promise<Looked> {
  const tee = teeHead(stream, HEAD_SIZE);
  // Without the banner, decompression stops once the header is in.
  const found = reach === 'banner' ? await findBanner(tee.chunks, MAX_KERNEL_SIZE) : await readPast(tee.chunks, HEAD_SIZE);
  const head = tee.head();
  const inner = parseRawHeader(head);
  if (!inner) throw new FormatError(`${what} does not hold a Linux kernel image kexec-menu recognises`);
  const version = found ?? (inner.format === 'bzImage' ? bzImageVersion(head, () => Buffer.alloc(0)) : undefined);
  return { header: inner, ...(version !== undefined ? { version } : { versionUnavailable: reach === 'banner' ? 'no "Linux version" banner inside' : BANNER_NOT_READ }) };
}

/**
 * Reads a kernel image's header (and, where the header has no version, its banner).
 * Throws BootError with one sentence naming the file when it is unreadable, truncated,
 * corrupt, or not a kernel.
 */
export function inspectKernelImage(path: string, hostArch: Architecture = runningArch()): Promise<KernelImageInfo> {
  return inspectImage(path, hostArch, 'banner');
}

/**
 * Whether the kernel in `path` can be started from a machine of `hostArch`, from its header
 * alone: no banner search through a whole image, and a compressed one is decompressed only
 * as far as its header (the menu checks every entry's kernel this way in the background).
 * Throws BootError as inspectKernelImage does.
 */
export async function kexecVerdictOfFile(path: string, hostArch: Architecture = runningArch()): Promise<Verdict> {
  return (await inspectImage(path, hostArch, 'header')).canKexecHere;
}

async function inspectImage(path: string, hostArch: Architecture, reach: Reach): Promise<KernelImageInfo> {
  try {
    const { head, size } = readHead(path, HEAD_SIZE);
    if (size < 512) throw new FormatError(`${size} bytes is too short to be a kernel image`);
    let header: KernelHeader | undefined = parseRawHeader(head);
    let version: string | undefined;
    let versionUnavailable: string | undefined;

    if (header) {
      checkTruncation(header, head, size, 'the image');
      if (header.format === 'bzImage') {
        version = bzImageVersion(head, (at) => readHead(path, MAX_BANNER, at).head);
        if (version === undefined) versionUnavailable = 'the setup header has no kernel_version string';
      } else if (reach === 'header') {
        versionUnavailable = BANNER_NOT_READ;
      } else if (header.format === 'arm-zimage') {
        const method = header.payloadCompression;
        if (method === 'gzip') {
          // The decompressor's payload is a gzip stream ending in junk the decompressor ignores;
          // the banner is found long before that.
          const at = head.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), 0x40);
          version = await findBanner(decompressedStream(path, 'gzip', at), MAX_KERNEL_SIZE).catch(() => undefined);
        }
        if (version === undefined) versionUnavailable = method && method !== 'gzip' ? `the kernel inside the zImage is ${method}-compressed, which kexec-menu does not decompress` : 'no readable kernel inside the zImage';
      } else {
        version = await findBanner(fileChunks(path), MAX_KERNEL_SIZE);
        if (version === undefined) versionUnavailable = 'no "Linux version" banner in the image';
      }
    } else if (head.toString('latin1', 0, 2) === 'MZ' && head.toString('latin1', 4, 8) === 'zimg') {
      const payloadOffset = u32(head, 8);
      const payloadSize = u32(head, 12);
      const compression = cString(head, 0x18, 32);
      const pe = readPe(head);
      if (payloadOffset < 0x40 || payloadOffset + payloadSize > size) {
        throw new FormatError(`the EFI zboot header puts its payload at ${payloadOffset}+${payloadSize}, beyond the file's ${size} bytes (truncated?)`);
      }
      const method = zbootCompression(compression);
      const why = method ? cannotDecompress(method) : `unknown compression "${compression}"`;
      let inner: Looked | undefined;
      if (method && !why) inner = await lookInside(decompressedStream(path, method, payloadOffset, payloadOffset + payloadSize), 'the EFI zboot payload', reach);
      header = {
        format: 'efi-zboot',
        compression,
        payloadOffset,
        payloadSize,
        ...(pe?.machine ? { peArchitecture: pe.machine } : {}),
        ...(inner ? { inner: inner.header } : { innerUnavailable: why! }),
      };
      version = inner?.version;
      versionUnavailable = inner ? inner.versionUnavailable : why;
    } else {
      const method = detectCompression(head);
      if (!method) throw new FormatError('not a Linux kernel image kexec-menu recognises (no bzImage, arm64/riscv Image, zImage, ELF, EFI zboot or compression header)');
      const why = cannotDecompress(method);
      let inner: Looked | undefined;
      if (!why) inner = await lookInside(decompressedStream(path, method), `the ${method}-compressed data`, reach);
      const uncompressedSize = method === 'gzip' && size >= 4 ? readHead(path, 4, size - 4).head.readUInt32LE(0) : undefined;
      header = {
        format: 'compressed',
        method,
        ...(inner ? { inner: inner.header } : { innerUnavailable: why! }),
        ...(uncompressedSize !== undefined ? { uncompressedSize } : {}),
      };
      version = inner?.version;
      versionUnavailable = inner ? inner.versionUnavailable : why;
    }

    const architecture = architectureOf(header);
    return {
      kind: 'kernel',
      path,
      size,
      header,
      description: describe(header),
      ...(architecture ? { architecture } : {}),
      ...(version !== undefined ? { version, release: version.split(/\s/)[0]! } : { versionUnavailable: versionUnavailable ?? 'unknown' }),
      canKexecHere: kexecVerdict(header, hostArch),
    };
  } catch (err) {
    throw wrapError(path, err);
  }
}

/** Bigger than any DTB a kernel accepts by far; a file past this is not read whole. */
const MAX_DTB_FILE = 4 * MAX_FDT_SIZE;

/** Reads a DTB file whole, with its size bounded. Throws BootError naming the file. */
export function readDeviceTreeFile(path: string): Uint8Array {
  try {
    const size = statSync(path).size;
    if (size > MAX_DTB_FILE) throw new FdtError(`${path} is ${size} bytes, far larger than a device tree`);
    return readFileSync(path);
  } catch (err) {
    if (err instanceof FdtError) throw new BootError(`${err.message}.`, 'EINVAL');
    throw wrapError(path, err);
  }
}

/** Model, compatible list and size of a DTB file. Throws BootError naming the file. */
export function inspectDeviceTree(path: string): DeviceTreeInfo {
  const bytes = readDeviceTreeFile(path);
  try {
    const header = readFdtHeader(bytes, path);
    const fdt = parseFdt(bytes, path);
    const id = boardIdentity(fdt);
    const chosen = findNode(fdt, '/chosen');
    const seed = chosen ? getProp(chosen, 'kaslr-seed') : undefined;
    const bootargs = chosen ? stringList(getProp(chosen, 'bootargs'))[0] : undefined;
    return {
      kind: 'devicetree',
      path,
      size: bytes.length,
      totalSize: header.totalSize,
      version: header.version,
      ...(id.model !== undefined ? { model: id.model } : {}),
      compatible: id.compatible,
      reservations: fdt.reservations.length,
      kaslrSeed: seed !== undefined && seed.some((b) => b !== 0),
      ...(bootargs !== undefined ? { bootargs } : {}),
    };
  } catch (err) {
    if (err instanceof FdtError) throw new BootError(`${err.message}.`, 'EINVAL');
    throw err;
  }
}

/** Whether a file starts like a DTB (for `inspect` to choose the reader). */
export function looksLikeDeviceTree(path: string): boolean {
  try {
    const { head } = readHead(path, 4);
    return head.length === 4 && head.readUInt32BE(0) === 0xd00dfeed;
  } catch {
    return false;
  }
}

/** Inspects a kernel or a DTB, whichever the file is. */
export async function inspectBootFile(path: string, hostArch: Architecture = runningArch()): Promise<KernelImageInfo | DeviceTreeInfo> {
  return looksLikeDeviceTree(path) ? inspectDeviceTree(path) : inspectKernelImage(path, hostArch);
}
