// The 32-bit ARM zImage header (Linux's arch/arm/boot/compressed/head.S, documented in
// Documentation/arch/arm/booting.rst): the magic 0x016f2818 at 0x24, the zImage's start and
// end addresses at 0x28 and 0x2c, and 0x04030201 at 0x30 whose byte order tells the kernel's
// endianness. The compressed kernel the decompressor carries follows later in the file.
import { be32, le32 } from '../../fs/bytes';
import type { Compression } from './compression';

const ZIMAGE_MAGIC = 0x016f2818;

/**
 * CRC-32 (IEEE, reflected, as xz uses) of a few bytes, bit by bit: node:zlib's crc32 exists
 * only from Node 20.15, and the armhf image's node (the registry's newest armv7l build) is
 * 20.11.
 */
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export interface ArmZImageHeader {
  readonly format: 'arm-zimage';
  readonly start: number;
  readonly end: number;
  readonly bigEndian: boolean;
  /** The compression of the kernel inside the decompressor, when its magic is found. */
  readonly payloadCompression?: Compression;
}

/** The header of a 32-bit ARM zImage, or undefined when `head` does not carry its magic. */
export function parseZImageHeader(head: Uint8Array): ArmZImageHeader | undefined {
  if (head.length < 0x34) return undefined;
  const bigEndian = le32(head, 0x24) !== ZIMAGE_MAGIC;
  if (bigEndian && be32(head, 0x24) !== ZIMAGE_MAGIC) return undefined;
  const rd = bigEndian ? be32 : le32;
  const payload = zImagePayload(head);
  return { format: 'arm-zimage', start: rd(head, 0x28), end: rd(head, 0x2c), bigEndian, ...(payload ? { payloadCompression: payload.method } : {}) };
}

/** Magics of the methods a zImage's kernel can be compressed with (CONFIG_KERNEL_*). */
const PAYLOAD_MAGICS: ReadonlyArray<readonly [Compression, Buffer]> = [
  ['gzip', Buffer.from([0x1f, 0x8b, 0x08])],
  ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ['lz4', Buffer.from([0x02, 0x21, 0x4c, 0x18])],
  ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
  ['lzo', Buffer.from([0x89, 0x4c, 0x5a, 0x4f])],
];

/**
 * Whether a magic at `at` can start a stream rather than be the decompressor's own copy of
 * it (the xz decoder carries "\xfd7zXZ\0" as data): RFC 1952's reserved FLG bits are zero;
 * the .xz file format's (tukaani.org/xz/xz-file-format.txt, 2.1.1) stream flags are followed
 * by their CRC32.
 */
function startsStream(method: Compression, b: Uint8Array, at: number): boolean {
  if (method === 'gzip') return (b[at + 3]! & 0xe0) === 0;
  if (method === 'xz') return at + 12 <= b.length && crc32(b.subarray(at + 6, at + 8)) === le32(b, at + 8);
  return true;
}

/**
 * The compressed kernel inside a zImage's decompressor: the method of the first magic found
 * past the header, and the offset of the first of its magics that can start a stream (none
 * when the head holds only the decompressor's copy).
 */
export function zImagePayload(head: Uint8Array): { readonly method: Compression; readonly offset?: number } | undefined {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  let first: { method: Compression; magic: Buffer; at: number } | undefined;
  for (const [method, magic] of PAYLOAD_MAGICS) {
    const at = bytes.indexOf(magic, 0x40);
    if (at !== -1 && (!first || at < first.at)) first = { method, magic, at };
  }
  if (!first) return undefined;
  // Bounded: each step moves past the previous hit.
  for (let at = first.at; at !== -1; at = bytes.indexOf(first.magic, at + 1)) {
    if (startsStream(first.method, bytes, at)) return { method: first.method, offset: at };
  }
  return { method: first.method };
}
