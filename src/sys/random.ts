// Random bytes from the kernel, for device-tree seeds (/chosen/rng-seed) and password salts.
// Buildroot's node is built without OpenSSL, so node:crypto is not there: the kernel's own
// /dev/urandom is read instead.
import { closeSync, openSync, readSync } from 'node:fs';

export type RandomSource = (length: number) => Uint8Array;

export function urandom(length: number, device = '/dev/urandom'): Uint8Array {
  const out = new Uint8Array(length);
  const fd = openSync(device, 'r');
  try {
    let got = 0;
    // /dev/urandom fills whole requests; the bound guards against a device that returns 0.
    for (let tries = 0; got < length && tries < 64; tries++) got += readSync(fd, out, got, length - got, null);
    if (got < length) throw new Error(`${device} returned only ${got} of ${length} bytes`);
  } finally {
    closeSync(fd);
  }
  return out;
}
