// The settings' `password:` is a salted PBKDF2-HMAC-SHA256 hash, never the password itself.
// Buildroot's node is built without OpenSSL, so node:crypto does not exist in the image:
// SHA-256, HMAC and PBKDF2 are written out here (FIPS 180-4, RFC 2104, RFC 8018) and the
// tests check them against node:crypto and Python's passlib on the build machine.
//
// The format is passlib's pbkdf2_sha256 (so `python3 -c 'from passlib.hash import
// pbkdf2_sha256; print(pbkdf2_sha256.hash("…"))'` makes a valid one too):
//   $pbkdf2-sha256$<rounds>$<salt>$<checksum>
// salt and checksum in "adapted base64" (the standard alphabet with '.' for '+', no padding),
// checksum 32 bytes. `kexec-menu passwd` prints one.

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
  0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
  0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** One SHA-256 compression of the 64-byte block at `off` into state `h`. */
function compress(h: Uint32Array, block: Uint8Array, off: number, w: Uint32Array): void {
  for (let t = 0; t < 16; t++) {
    const j = off + t * 4;
    w[t] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const a = w[t - 15]!;
    const b = w[t - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
  }
  let a = h[0]!,
    b = h[1]!,
    c = h[2]!,
    d = h[3]!,
    e = h[4]!,
    f = h[5]!,
    g = h[6]!,
    hh = h[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K[t]! + w[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
}

/** SHA-256 state after absorbing whole blocks; `length` counts bytes absorbed so far. */
class Sha256 {
  readonly h: Uint32Array;
  private readonly w = new Uint32Array(64);
  private length = 0;
  private readonly tail = new Uint8Array(64);
  private tailLength = 0;

  constructor(state?: { h: Uint32Array; length: number }) {
    this.h = new Uint32Array(state ? state.h : INITIAL);
    this.length = state ? state.length : 0;
  }

  snapshot(): { h: Uint32Array; length: number } {
    if (this.tailLength !== 0) throw new Error('snapshot only on a block boundary');
    return { h: new Uint32Array(this.h), length: this.length };
  }

  update(data: Uint8Array): this {
    let off = 0;
    if (this.tailLength > 0) {
      const take = Math.min(64 - this.tailLength, data.length);
      this.tail.set(data.subarray(0, take), this.tailLength);
      this.tailLength += take;
      off = take;
      if (this.tailLength === 64) {
        compress(this.h, this.tail, 0, this.w);
        this.tailLength = 0;
      }
    }
    for (; off + 64 <= data.length; off += 64) compress(this.h, data, off, this.w);
    if (off < data.length) {
      this.tail.set(data.subarray(off), 0);
      this.tailLength = data.length - off;
    }
    this.length += data.length;
    return this;
  }

  digest(): Uint8Array {
    const bits = this.length * 8;
    const padLength = this.tailLength < 56 ? 56 - this.tailLength : 120 - this.tailLength;
    const pad = new Uint8Array(padLength + 8);
    pad[0] = 0x80;
    // Message length in bits, big-endian 64-bit (lengths here are far below 2^53).
    const hi = Math.floor(bits / 0x100000000);
    const lo = bits >>> 0;
    const p = padLength;
    pad[p] = hi >>> 24;
    pad[p + 1] = hi >>> 16;
    pad[p + 2] = hi >>> 8;
    pad[p + 3] = hi;
    pad[p + 4] = lo >>> 24;
    pad[p + 5] = lo >>> 16;
    pad[p + 6] = lo >>> 8;
    pad[p + 7] = lo;
    this.update(pad);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      const v = this.h[i]!;
      out[i * 4] = v >>> 24;
      out[i * 4 + 1] = v >>> 16;
      out[i * 4 + 2] = v >>> 8;
      out[i * 4 + 3] = v;
    }
    return out;
  }
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Sha256().update(data).digest();
}

/** HMAC-SHA256 with the key's inner and outer states computed once (PBKDF2 reuses them). */
class HmacSha256 {
  private readonly inner: { h: Uint32Array; length: number };
  private readonly outer: { h: Uint32Array; length: number };

  constructor(key: Uint8Array) {
    const k = new Uint8Array(64);
    k.set(key.length > 64 ? sha256(key) : key);
    const ipad = k.map((b) => b ^ 0x36);
    const opad = k.map((b) => b ^ 0x5c);
    this.inner = new Sha256().update(ipad).snapshot();
    this.outer = new Sha256().update(opad).snapshot();
  }

  innerState(): Uint32Array {
    return new Uint32Array(this.inner.h);
  }

  outerState(): Uint32Array {
    return new Uint32Array(this.outer.h);
  }

  mac(data: Uint8Array): Uint8Array {
    const inner = new Sha256(this.inner).update(data).digest();
    return new Sha256(this.outer).update(inner).digest();
  }
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new HmacSha256(key).mac(data);
}

/**
 * PBKDF2-HMAC-SHA256 (RFC 8018 section 5.2). The iterations hash 32-byte values, so each
 * HMAC is two compressions of one fixed-layout block (the value, 0x80, the bit length of
 * 64 + 32 bytes) from the key's precomputed inner and outer states, without allocation.
 */
export function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Uint8Array {
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('iterations must be a positive integer');
  const prf = new HmacSha256(password);
  const inner = prf.innerState();
  const outer = prf.outerState();
  const out = new Uint8Array(length);
  const blocks = Math.ceil(length / 32);
  const block = new Uint8Array(64);
  block[32] = 0x80;
  block[62] = 0x03; // (64 + 32) * 8 = 768 bits = 0x0300
  const h = new Uint32Array(8);
  const w = new Uint32Array(64);
  const u = new Uint8Array(32);
  const put = (state: Uint32Array): void => {
    for (let i = 0; i < 8; i++) {
      const v = state[i]!;
      block[i * 4] = v >>> 24;
      block[i * 4 + 1] = v >>> 16;
      block[i * 4 + 2] = v >>> 8;
      block[i * 4 + 3] = v;
    }
  };
  for (let i = 1; i <= blocks; i++) {
    const first = new Uint8Array(salt.length + 4);
    first.set(salt);
    first[salt.length] = i >>> 24;
    first[salt.length + 1] = i >>> 16;
    first[salt.length + 2] = i >>> 8;
    first[salt.length + 3] = i;
    u.set(prf.mac(first));
    const t = u.slice();
    for (let n = 1; n < iterations; n++) {
      block.set(u, 0);
      h.set(inner);
      compress(h, block, 0, w);
      put(h);
      h.set(outer);
      compress(h, block, 0, w);
      put(h);
      u.set(block.subarray(0, 32));
      for (let j = 0; j < 32; j++) t[j]! ^= u[j]!;
    }
    out.set(t.subarray(0, Math.min(32, length - (i - 1) * 32)), (i - 1) * 32);
  }
  return out;
}

/** passlib's "adapted base64": standard alphabet, '.' for '+', no padding. */
export function ab64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
}

export function ab64Decode(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9./]*$/.test(text) || text.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(text.replace(/\./g, '+'), 'base64'));
}

/**
 * Rounds `kexec-menu passwd` uses: passlib's own default for pbkdf2_sha256. The check runs
 * in pure JavaScript on the target, once per try: about 0.1 s on the build machine
 * (2 × 29000 SHA-256 compressions), several times that on a small board or under emulation.
 * The rounds are stored in the hash, so `passwd --rounds N` makes a stronger one.
 */
export const DEFAULT_ROUNDS = 29_000;
/** A hash asking for more would freeze the menu for minutes on a small board. */
export const MAX_ROUNDS = 2_000_000;

export interface PasswordHash {
  readonly rounds: number;
  readonly salt: Uint8Array;
  readonly checksum: Uint8Array;
}

/** Parses `$pbkdf2-sha256$…`; a string saying what is wrong when it is not one. */
export function parsePasswordHash(encoded: string): PasswordHash | string {
  const m = /^\$pbkdf2-sha256\$(\d{1,9})\$([A-Za-z0-9./]*)\$([A-Za-z0-9./]+)$/.exec(encoded.trim());
  if (!m) return "the password is not a '$pbkdf2-sha256$ROUNDS$SALT$HASH' hash (make one with `kexec-menu passwd`)";
  const rounds = Number(m[1]);
  if (rounds < 1 || rounds > MAX_ROUNDS) return `the password hash asks for ${rounds} rounds; 1 to ${MAX_ROUNDS} are accepted`;
  const salt = ab64Decode(m[2]!);
  const checksum = ab64Decode(m[3]!);
  if (!salt || !checksum || checksum.length !== 32) return 'the password hash has a damaged salt or checksum';
  return { rounds, salt, checksum };
}

export function formatPasswordHash(h: PasswordHash): string {
  return `$pbkdf2-sha256$${h.rounds}$${ab64Encode(h.salt)}$${ab64Encode(h.checksum)}`;
}

export function hashPassword(password: string, salt: Uint8Array, rounds = DEFAULT_ROUNDS): string {
  const checksum = pbkdf2Sha256(Buffer.from(password, 'utf8'), salt, rounds, 32);
  return formatPasswordHash({ rounds, salt, checksum });
}

/** Compares in time independent of where the first difference is. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function verifyPassword(password: string, hash: PasswordHash): boolean {
  return sameBytes(pbkdf2Sha256(Buffer.from(password, 'utf8'), hash.salt, hash.rounds, hash.checksum.length), hash.checksum);
}
