// Reading a file that a disk, a settings path or a command-line argument names, safely: a
// FIFO would block the menu for ever on open or read, and a link to /dev/zero or a device
// would read without end. So the file is opened without blocking and without becoming our
// terminal, and checked on the opened descriptor (not on the path, which could change between
// a stat and the open) to be a regular file (or, where the caller reads devices, a block
// device) no larger than the caller's limit. Every open of such a path goes through
// openRegularFile; readers that stream or read in pieces keep its descriptor.
import { type ReadStream, closeSync, constants, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import type { Diagnostic } from './diagnostic';
import type { ReadProblem } from './files';

export type RegularFileRead =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: 'missing' | 'not-regular' | 'too-large' | 'unreadable'; readonly size?: number; readonly code?: string };

export type RegularFileOpen =
  | {
      readonly ok: true;
      readonly fd: number;
      /** The file's size; 0 for a block device (fstat does not say, sysfs does). */
      readonly size: number;
      readonly blockDevice: boolean;
    }
  | {
      readonly ok: false;
      readonly reason: 'missing' | 'not-regular' | 'unreadable';
      /** For `unreadable`: the errno name the open gave (EACCES, EIO, ELOOP…). */
      readonly code?: string;
      /** Block devices were allowed (the sentence says so). */
      readonly blockDevices?: true;
    };

export interface OpenOptions {
  /** A block device is fine too (`inspect /dev/sda`, superblock probes); never a character device. */
  readonly blockDevices?: boolean;
}

/**
 * Opens `path` read-only, non-blocking (a FIFO opens at once instead of waiting for a writer)
 * and never as our controlling terminal, then checks the descriptor. On success the caller
 * owns `fd` and closes it.
 */
export function openRegularFile(path: string, options: OpenOptions = {}): RegularFileOpen {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { ok: false, reason: 'missing' } : { ok: false, reason: 'unreadable', ...(code !== undefined ? { code } : {}) };
  }
  try {
    const st = fstatSync(fd);
    const blockDevice = options.blockDevices === true && st.isBlockDevice();
    if (st.isFile() || blockDevice) return { ok: true, fd, size: blockDevice ? 0 : st.size, blockDevice };
  } catch {
    closeSync(fd);
    return { ok: false, reason: 'unreadable' };
  }
  closeSync(fd);
  return { ok: false, reason: 'not-regular', ...(options.blockDevices ? { blockDevices: true as const } : {}) };
}

/**
 * A path that could not be read as a regular file (or block device where allowed): `message`
 * is the one sentence naming it; `code` the errno name, as the kernel's own kernel_read_file
 * answers a kexec_file_load of such a file: ENOENT, the open's own errno, EINVAL for a FIFO,
 * character device, socket or folder, EFBIG for a file over the reader's limit.
 */
export class FileReadError extends Error {
  readonly code: string;
  constructor(
    readonly path: string,
    failure: Extract<RegularFileOpen | RegularFileRead, { ok: false }>,
    maxBytes = 0,
  ) {
    super(describeFailedRead(path, failure, maxBytes));
    this.name = 'FileReadError';
    this.code = { missing: 'ENOENT', unreadable: failure.code ?? 'EIO', 'not-regular': 'EINVAL', 'too-large': 'EFBIG' }[failure.reason];
  }
}

/** openRegularFile, throwing FileReadError instead of returning a failure. */
export function openRegularFileOrThrow(path: string, options: OpenOptions = {}): Extract<RegularFileOpen, { ok: true }> {
  const opened = openRegularFile(path, options);
  if (!opened.ok) throw new FileReadError(path, opened);
  return opened;
}

/** A stream of a regular file's bytes from `start` to `end` (inclusive, as createReadStream counts), from a checked descriptor. */
export function regularFileStream(path: string, range: { readonly start?: number; readonly end?: number } = {}): ReadStream {
  const { fd } = openRegularFileOrThrow(path);
  return createReadStream(path, { fd, autoClose: true, start: range.start ?? 0, ...(range.end !== undefined ? { end: range.end } : {}), highWaterMark: 1 << 20 });
}

/** readRegularFile, throwing FileReadError instead of returning a failure. */
export function readRegularFileOrThrow(path: string, maxBytes: number): Buffer {
  const read = readRegularFile(path, maxBytes);
  if (!read.ok) throw new FileReadError(path, read, maxBytes);
  return read.bytes;
}

export function readRegularFile(path: string, maxBytes: number): RegularFileRead {
  const opened = openRegularFile(path);
  if (!opened.ok) return { ok: false, reason: opened.reason, ...(opened.code !== undefined ? { code: opened.code } : {}) };
  const fd = opened.fd;
  try {
    if (opened.size > maxBytes) return { ok: false, reason: 'too-large', size: opened.size };
    // One byte more than the size: a file that grows while we read is still cut at the limit.
    const bytes = Buffer.allocUnsafe(Math.min(opened.size, maxBytes) + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, bytes, got, bytes.length - got, null);
      if (n === 0) break;
      got += n;
      if (got === bytes.length) return { ok: false, reason: 'too-large', size: got };
    }
    return { ok: true, bytes: bytes.subarray(0, got) };
  } catch {
    return { ok: false, reason: 'unreadable' };
  } finally {
    closeSync(fd);
  }
}

/** One sentence for a failed read, naming the file (for diagnostics and errors). */
export function describeFailedRead(path: string, r: Extract<RegularFileRead | RegularFileOpen, { ok: false }>, maxBytes: number): string {
  switch (r.reason) {
    case 'missing':
      return `${path} does not exist`;
    case 'not-regular':
      return 'blockDevices' in r
        ? `${path} is neither a regular file nor a block device (a FIFO, character device, socket or folder is never read)`
        : `${path} is not a regular file (a FIFO, device or folder is never read)`;
    case 'too-large':
      return `${path} is larger than the ${formatBytes(maxBytes)} such a file may be`;
    case 'unreadable':
      return `${path} cannot be read${r.code ? ` (${r.code})` : ''}`;
  }
}

/** The diagnostic for a file a pass could not read as it is (see PartitionFiles.readProblems); `file` is inside the partition. */
export function readProblemDiagnostic(p: ReadProblem): Diagnostic {
  switch (p.problem) {
    case 'not-regular':
      return { severity: 'warning', file: p.path, message: 'not read: it is a FIFO, device or socket, not a regular file (reading one could block the menu or never end)' };
    case 'too-large':
      return { severity: 'error', file: p.path, message: `not read: ${p.size !== undefined ? `at ${formatBytes(p.size)} it` : 'it'} is larger than the ${p.limit !== undefined ? formatBytes(p.limit) : 'size'} a boot config may be` };
    case 'unreadable':
      return { severity: 'error', file: p.path, message: 'not read: the file cannot be read (an I/O or permission error)' };
    case 'dangling-link':
      return {
        severity: 'warning',
        file: p.path,
        message: `not read: it is a symbolic link${p.target !== undefined ? ` to ${p.target}` : ''} that leads to nothing on this partition (links are followed inside the partition only)`,
      };
    case 'invalid-utf8':
      return { severity: 'info', file: p.path, message: 'holds bytes that are not UTF-8: each was read as U+FFFD, so a title or path with one may not show or match as meant' };
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} bytes`;
}
