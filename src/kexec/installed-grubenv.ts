// GRUB's one-shot entry. `grub-reboot X` writes next_entry=X into $prefix/grubenv; the
// grub.cfg that grub-mkconfig writes (00_header) boots it once and clears it at once:
//     if [ "${next_entry}" ] ; then set default="${next_entry}"; set next_entry=; save_env next_entry; …
// kexec-menu reboot --default does the same when it boots that entry: it writes the block
// back with `next_entry=` (empty), in place and at its own size, as save_env does (GRUB
// cannot grow a file; grub-editenv keeps the 1024 bytes), after the kernel is loaded and
// before the hand-over, so that a failed load leaves the one-shot for the next reboot.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BootEntry } from '../entries/model';
import { FileReadError, readRegularFile, readRegularFileOrThrow } from '../fs/regular-file';
import { GRUBENV_SIGNATURE, parseGrubenv } from '../entries/grub/grubenv';
import { BootError } from './errors';

/** grub-editenv writes 1024 bytes; a larger grubenv is not one GRUB wrote, and is not read. */
const MAX_GRUBENV = 64 * 1024;

/** The grubenv beside the grub.cfg an entry was read from ($prefix/grubenv), as a host path. */
export function grubenvFor(entry: BootEntry, partitionRoot: string): string {
  return join(partitionRoot, dirname(entry.source.file), 'grubenv');
}

/** next_entry of a grubenv file, when it is set (non-empty). */
export function pendingNextEntry(path: string): string | undefined {
  // Only a regular file (a FIFO would block, a link to /dev/zero never end): fs/regular-file.ts.
  const read = readRegularFile(path, MAX_GRUBENV);
  if (!read.ok) return undefined;
  const env = parseGrubenv(read.bytes.toString('latin1'));
  const v = env.ok ? env.vars.get('next_entry') : undefined;
  return v ? v : undefined;
}

/** The block with next_entry's value emptied, padded with '#' to its old length (pure). */
export function withoutNextEntry(text: string): string {
  if (!text.startsWith(GRUBENV_SIGNATURE)) return text;
  const lines = text.slice(GRUBENV_SIGNATURE.length).split('\n');
  // A value may hold escaped newlines ("\\\n"): such a line continues the previous one.
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    const continued = skipping;
    skipping = false;
    if (continued) {
      skipping = /(^|[^\\])(\\\\)*\\$/.test(line);
      continue;
    }
    if (line.startsWith('next_entry=')) {
      out.push('next_entry=');
      skipping = /(^|[^\\])(\\\\)*\\$/.test(line);
    } else out.push(line);
  }
  const body = GRUBENV_SIGNATURE + out.join('\n');
  return body.length >= text.length ? body : body + '#'.repeat(text.length - body.length);
}

/** Clears next_entry in `path` in place (and syncs it), as GRUB's save_env next_entry does. */
export function clearNextEntry(path: string): void {
  let text: string;
  try {
    text = readRegularFileOrThrow(path, MAX_GRUBENV).toString('latin1');
  } catch (err) {
    throw err instanceof FileReadError ? new BootError(`${err.message}, so next_entry was left as it is.`, err.code) : err;
  }
  const next = withoutNextEntry(text);
  if (next === text) return;
  if (next.length !== text.length) throw new BootError(`${path} could not be rewritten at its own size, so next_entry was left as it is.`);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.from(next, 'latin1'), 0, next.length, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
