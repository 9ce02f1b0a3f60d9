// Integer and ASCII reads from bytes at an offset, for the on-disk formats we parse by hand
// (superblocks, device trees). The caller checks the length first.

export function le16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
export function le32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
/** A 64-bit little-endian value as a number (exact below 2^53, which sizes and offsets stay under). */
export function le64(b: Uint8Array, o: number): number {
  return le32(b, o) + le32(b, o + 4) * 0x1_0000_0000;
}
export function be16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
export function be32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
export function be64(b: Uint8Array, o: number): number {
  return be32(b, o) * 0x1_0000_0000 + be32(b, o + 4);
}

export function ascii(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[o + i]!);
  return s;
}

/** A NUL-terminated latin1 string of at most `max` bytes (to the end of `b` when it has no NUL). */
export function cString(b: Uint8Array, o: number, max: number): string {
  const stop = Math.min(b.length, o + max);
  let end = o;
  while (end < stop && b[end] !== 0) end++;
  return ascii(b, o, end - o);
}
