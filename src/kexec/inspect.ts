// What a kernel image or device tree is, read from its own header: format, architecture,
// the kernel's version string, and whether this machine can kexec it. The menu uses it to
// show versions of loose kernels and to grey out kernels of another architecture; the
// loader uses it to decide how to load.
//
// Each format's header is parsed in its own module of ./image/ (bzImage, arm64 and riscv
// Image, 32-bit ARM zImage, ELF, the PE header of EFI stubs, EFI zboot), each citing its
// format's documentation; whole-file gzip/xz/zstd/lz4/bzip2 (Image.gz…) is compression.ts.
// This module reads the files, looks through decompression for the image inside and the
// "Linux version" banner, and judges whether this machine can kexec what it found.
import { closeSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { be32, cString, le32 } from '../fs/bytes';
import { FileReadError, openRegularFileOrThrow, readRegularFileOrThrow, regularFileStream } from '../fs/regular-file';
import { type Architecture, runningArch } from '../machine/arch';
import { BootError, explainBootFailure } from './errors';
import { cannotDecompress, decompressedStream, detectCompression, zbootCompression } from './image/compression';
import { FdtError, MAX_FDT_SIZE, boardIdentity, findNode, getProp, parseFdt, readFdtHeader, stringList } from './dt/fdt';
import { bzImageVersionOffset } from './image/bzimage';
import { type KernelHeader, architectureOf, describe, parseRawHeader } from './image/header';
import { parsePeHeader } from './image/pe';
import { parseZbootHeader } from './image/zboot';
import { zImagePayload } from './image/zimage';

export type { Arm64ImageHeader } from './image/arm64';
export type { BzImageHeader } from './image/bzimage';
export type { ElfHeader } from './image/elf';
export type { CompressedHeader, KernelHeader, ZbootHeader } from './image/header';
export type { RiscvImageHeader } from './image/riscv';
export type { ArmZImageHeader } from './image/zimage';

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

/** Bytes of a regular file (never a FIFO or device: see fs/regular-file.ts) from `position`. */
function readHead(path: string, length: number, position = 0): { head: Buffer; size: number } {
  const { fd, size } = openRegularFileOrThrow(path);
  try {
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
  const at = bzImageVersionOffset(head);
  if (at === undefined) return undefined;
  const bytes = at + MAX_BANNER <= head.length ? head.subarray(at, at + MAX_BANNER) : readAt(at);
  const text = cString(bytes, 0, MAX_BANNER);
  return /^[0-9]/.test(text) ? text.trim() : undefined;
}

function fileChunks(path: string, start = 0): AsyncIterable<Buffer> & { destroy(): void } {
  return regularFileStream(path, { start });
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
  if (err instanceof FileReadError) return new BootError(explainBootFailure(err, { stage: 'read', file: path }), err.code);
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
  const pe = parsePeHeader(head);
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
    const zboot = header ? undefined : parseZbootHeader(head);
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
        const at = method === 'gzip' ? zImagePayload(head)?.offset : undefined;
        if (at !== undefined) {
          // The decompressor's payload is a gzip stream ending in junk the decompressor ignores;
          // the banner is found long before that.
          version = await findBanner(decompressedStream(path, 'gzip', at), MAX_KERNEL_SIZE).catch(() => undefined);
        }
        if (version === undefined) versionUnavailable = method && method !== 'gzip' ? `the kernel inside the zImage is ${method}-compressed, which kexec-menu does not decompress` : 'no readable kernel inside the zImage';
      } else {
        version = await findBanner(fileChunks(path), MAX_KERNEL_SIZE);
        if (version === undefined) versionUnavailable = 'no "Linux version" banner in the image';
      }
    } else if (zboot) {
      const { compression, payloadOffset, payloadSize } = zboot;
      if (payloadOffset < 0x40 || payloadOffset + payloadSize > size) {
        throw new FormatError(`the EFI zboot header puts its payload at ${payloadOffset}+${payloadSize}, beyond the file's ${size} bytes (truncated?)`);
      }
      const method = zbootCompression(compression);
      const why = method ? cannotDecompress(method) : `unknown compression "${compression}"`;
      let inner: Looked | undefined;
      if (method && !why) inner = await lookInside(decompressedStream(path, method, payloadOffset, payloadOffset + payloadSize), 'the EFI zboot payload', reach);
      header = {
        ...zboot,
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
      const uncompressedSize = method === 'gzip' && size >= 4 ? le32(readHead(path, 4, size - 4).head, 0) : undefined;
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
    return readRegularFileOrThrow(path, MAX_DTB_FILE);
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
    return head.length === 4 && be32(head, 0) === 0xd00dfeed;
  } catch {
    return false;
  }
}

/** Inspects a kernel or a DTB, whichever the file is. */
export async function inspectBootFile(path: string, hostArch: Architecture = runningArch()): Promise<KernelImageInfo | DeviceTreeInfo> {
  return looksLikeDeviceTree(path) ? inspectDeviceTree(path) : inspectKernelImage(path, hostArch);
}
