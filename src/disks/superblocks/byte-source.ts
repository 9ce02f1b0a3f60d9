// Bounded reads from a file or block device for superblock probing. Every probe reads
// through a ByteSource: a read past the end, an I/O error or a read beyond the budget gives
// undefined (the probe then says "not this file system"), never an exception or a hang.
import { closeSync, readSync } from 'node:fs';
import { openRegularFileOrThrow } from '../../fs/regular-file';

export interface ByteSource {
  /** `length` bytes at `offset`, or undefined when they cannot all be read. */
  read(offset: number, length: number): Uint8Array | undefined;
  /** Size in bytes when known (files; block devices when the caller tells). */
  readonly size: number | undefined;
}

/** Largest single read a probe may ask for (an exFAT/FAT32 cluster, an XFS sector). */
export const MAX_READ = 1 << 20;
/** Bytes one identification may read from the device in all. */
export const READ_BUDGET = 16 << 20;

const BLOCK = 4096;
const CACHE_BLOCKS = 256;

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, length) {
      if (!(offset >= 0 && length >= 0 && length <= MAX_READ && offset + length <= bytes.length)) return undefined;
      return bytes.subarray(offset, offset + length);
    },
  };
}

/**
 * Reads an open file descriptor in aligned 4 KiB blocks, keeping recent blocks (directory
 * walks read 32 bytes at a time), within READ_BUDGET bytes from the device.
 */
export function fdSource(fd: number, size?: number, budget = READ_BUDGET): ByteSource {
  const cache = new Map<number, Uint8Array>();
  let spent = 0;
  const block = (index: number): Uint8Array | undefined => {
    const hit = cache.get(index);
    if (hit) return hit;
    if (spent + BLOCK > budget) return undefined;
    spent += BLOCK;
    const buf = new Uint8Array(BLOCK);
    let got = 0;
    try {
      // Bounded: each readSync advances or returns 0 (end of file), which stops the loop.
      while (got < BLOCK) {
        const n = readSync(fd, buf, got, BLOCK - got, index * BLOCK + got);
        if (n <= 0) break;
        got += n;
      }
    } catch {
      return undefined;
    }
    const data = got === BLOCK ? buf : buf.subarray(0, got);
    if (cache.size >= CACHE_BLOCKS) cache.clear();
    cache.set(index, data);
    return data;
  };
  return {
    size,
    read(offset, length) {
      if (!(Number.isSafeInteger(offset) && offset >= 0 && Number.isSafeInteger(length) && length >= 0 && length <= MAX_READ)) return undefined;
      if (size !== undefined && offset + length > size) return undefined;
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const pos = offset + done;
        const b = block(Math.floor(pos / BLOCK));
        const within = pos % BLOCK;
        if (!b || b.length <= within) return undefined;
        const n = Math.min(b.length - within, length - done);
        out.set(b.subarray(within, within + n), done);
        done += n;
      }
      return out;
    },
  };
}

/**
 * Opens `path` read-only and hands a ByteSource to `fn`; the descriptor is closed after. Only
 * a regular file or a block device, checked on the descriptor opened without blocking (a FIFO
 * would block, /dev/zero read zeros for ever): anything else throws FileReadError.
 */
export function withFileSource<T>(path: string, fn: (src: ByteSource) => T, size?: number): T {
  const { fd, size: fileSize, blockDevice } = openRegularFileOrThrow(path, { blockDevices: true });
  try {
    return fn(fdSource(fd, size ?? (blockDevice ? undefined : fileSize)));
  } finally {
    closeSync(fd);
  }
}
