// Little helpers every superblock probe shares: integer reads (src/fs/bytes.ts), checksums, and turning
// label and UUID bytes into text exactly the way libblkid does (so `LABEL=` and `UUID=` in
// configs match what blkid, udev and the distributions' tools print).

import { ascii, be16, be32, be64, le16, le32, le64 } from '../../fs/bytes';

export { ascii, be16, be32, be64, le16, le32, le64 };

export function isPowerOf2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function table(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}
const CRC32C = table(0x82f63b78);
const CRC32 = table(0xedb88320);

/** CRC-32C (Castagnoli) from `seed`, without the final inversion (as ext4 and libblkid use it). */
export function crc32c(seed: number, b: Uint8Array, from = 0, to = b.length): number {
  let c = seed >>> 0;
  for (let i = from; i < to; i++) c = CRC32C[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

/** CRC-32 (IEEE) from `seed`, without the final inversion (f2fs). */
export function crc32(seed: number, b: Uint8Array, from = 0, to = b.length): number {
  let c = seed >>> 0;
  for (let i = from; i < to; i++) c = CRC32[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

const C_SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

/** Bytes as text: UTF-8 when they are valid UTF-8, else one character per byte (Latin-1). */
function bytesToText(b: Uint8Array): string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  const utf8 = buf.toString('utf8');
  return Buffer.from(utf8, 'utf8').equals(buf) ? utf8 : buf.toString('latin1');
}

/**
 * libblkid's blkid_probe_set_label(): the bytes up to the first NUL, trailing C whitespace
 * removed; undefined when nothing is left.
 */
export function rawLabel(b: Uint8Array, o: number, n: number): string | undefined {
  let end = o;
  while (end < o + n && b[end] !== 0) end++;
  while (end > o && C_SPACE.has(b[end - 1]!)) end--;
  return end > o ? bytesToText(b.subarray(o, end)) : undefined;
}

/**
 * libblkid's blkid_probe_set_utf8label() for UTF-16: code units up to the first NUL (pairs
 * joined), then trailing whitespace removed.
 */
export function utf16Label(b: Uint8Array, o: number, n: number, endian: 'le' | 'be'): string | undefined {
  const unit = (i: number) => (endian === 'le' ? le16(b, i) : be16(b, i));
  let s = '';
  for (let i = o; i + 2 <= o + n; i += 2) {
    let c = unit(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 4 <= o + n) {
      const c2 = unit(i + 2);
      if (c2 >= 0xdc00 && c2 <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00);
        i += 2;
      }
    }
    if (c === 0) break;
    s += String.fromCodePoint(c);
  }
  s = s.replace(/[ \t\n\v\f\r]+$/, '');
  return s === '' ? undefined : s;
}

/** 16 bytes as a lowercase RFC 4122 string; undefined when they are all zero (libblkid sets no UUID then). */
export function uuidString(b: Uint8Array, o: number): string | undefined {
  if (isZero(b, o, 16)) return undefined;
  const h = Buffer.from(b.buffer, b.byteOffset + o, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function isZero(b: Uint8Array, o: number, n: number): boolean {
  for (let i = o; i < o + n; i++) if (b[i] !== 0) return false;
  return true;
}

/** Two hex digits, uppercase. */
export function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
