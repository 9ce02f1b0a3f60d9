// Reading a file that a disk, a settings path or a command-line argument names, safely: a
// FIFO would block the menu for ever on open or read, and a link to /dev/zero or a device
// would read without end. So the file is opened without blocking and without becoming our
// terminal, and checked on the opened descriptor (not on the path, which could change between
// a stat and the open) to be a regular file no larger than the caller's limit.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Diagnostic } from './diagnostic';
import type { ReadProblem } from './files';

export type RegularFileRead =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: 'missing' | 'not-regular' | 'too-large' | 'unreadable'; readonly size?: number };

export function readRegularFile(path: string, maxBytes: number): RegularFileRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    return { ok: false, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable' };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: 'not-regular' };
    if (st.size > maxBytes) return { ok: false, reason: 'too-large', size: st.size };
    // One byte more than the size: a file that grows while we read is still cut at the limit.
    const bytes = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
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
export function describeFailedRead(path: string, r: Extract<RegularFileRead, { ok: false }>, maxBytes: number): string {
  switch (r.reason) {
    case 'missing':
      return `${path} does not exist`;
    case 'not-regular':
      return `${path} is not a regular file (a FIFO, device or folder is never read)`;
    case 'too-large':
      return `${path} is larger than the ${formatBytes(maxBytes)} such a file may be`;
    case 'unreadable':
      return `${path} cannot be read`;
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
