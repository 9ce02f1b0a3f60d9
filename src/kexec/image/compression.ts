// Whole-file compression as kernels and initrds come: which method a file starts with, and
// whether this Node can decompress it. node:zlib has gzip everywhere and zstd only from
// Node 22.15 / 23.8; xz, lz4, bzip2, lzma and lzo have no decoder without a dependency.
import { regularFileStream } from '../../fs/regular-file';
import { pipeline, type Transform } from 'node:stream';
import * as zlib from 'node:zlib';

export type Compression = 'gzip' | 'xz' | 'zstd' | 'lz4' | 'bzip2' | 'lzma' | 'lzo';

const MAGICS: ReadonlyArray<readonly [Compression, readonly number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['lz4', [0x02, 0x21, 0x4c, 0x18]], // legacy frame, what the kernel's build writes
  ['lz4', [0x04, 0x22, 0x4d, 0x18]], // LZ4 frame format
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['lzo', [0x89, 0x4c, 0x5a, 0x4f]],
  // lzma-alone has no magic; 5d 00 00 (lc/lp/pb = 3/0/2 and a dictionary < 16 MiB) is what
  // the kernel's `lzma` rule and `file` go by.
  ['lzma', [0x5d, 0x00, 0x00]],
];

/** The compression a buffer starts with, if any. */
export function detectCompression(head: Uint8Array): Compression | undefined {
  for (const [name, magic] of MAGICS) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return name;
  }
  return undefined;
}

/** The compression method named in an EFI zboot header (`gzip`, `zstd`, `lzma`, `xzkern`…). */
export function zbootCompression(name: string): Compression | undefined {
  switch (name) {
    case 'gzip':
      return 'gzip';
    case 'zstd':
    case 'zstd22':
      return 'zstd';
    case 'lzma':
      return 'lzma';
    case 'xzkern':
    case 'xz':
      return 'xz';
    case 'lz4':
      return 'lz4';
    case 'lzo':
      return 'lzo';
    case 'bzip2':
      return 'bzip2';
    default:
      return undefined;
  }
}

type StreamFactory = () => Transform;

/** node:zlib's zstd decoder, which @types/node 20 does not know about. */
function zstdFactory(): StreamFactory | undefined {
  const create = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  return typeof create === 'function' ? () => create() : undefined;
}

/** Why this Node cannot decompress a method, or undefined when it can. */
export function cannotDecompress(method: Compression): string | undefined {
  if (method === 'gzip') return undefined;
  if (method === 'zstd') return zstdFactory() ? undefined : `this Node (${process.version}) has no zstd decoder (node:zlib has one from 22.15)`;
  return `Node has no ${method} decoder (node:zlib reads only gzip, deflate, brotli and, from 22.15, zstd)`;
}

function decoder(method: Compression): Transform {
  if (method === 'gzip') return zlib.createGunzip();
  const zstd = method === 'zstd' ? zstdFactory() : undefined;
  if (zstd) return zstd();
  throw new Error(cannotDecompress(method));
}

/**
 * The decompressed bytes of a file range as a stream. Errors of the file and of the decoder
 * both end it (pipeline destroys every stage), so a caller that stops reading early leaves
 * nothing open.
 */
export function decompressedStream(path: string, method: Compression, start = 0, end?: number): AsyncIterable<Buffer> & { destroy(): void } {
  const src = regularFileStream(path, { start, ...(end !== undefined ? { end: end - 1 } : {}) });
  const dec = decoder(method);
  pipeline(src, dec, () => {
    /* errors surface through the iteration of `dec` */
  });
  return dec;
}

/** Decompresses a file range into memory, refusing outputs larger than `limit` bytes. */
export async function decompressFile(path: string, method: Compression, limit: number, start = 0, end?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const stream = decompressedStream(path, method, start, end);
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > limit) {
      stream.destroy();
      throw new Error(`it decompresses to more than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
