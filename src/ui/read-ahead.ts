// Reads the kernel and initrds once through before they are loaded, reporting bytes, so the
// menu can show a gauge while a large image comes off slow media (an SD card, USB 1.1):
// kexec_file_load and kexec-tools then read them from the page cache. A read error here is
// the same error the loader would have met, found before anything is loaded.
import { open } from 'node:fs/promises';
import type { BootProgress } from './backend';

export interface ReadAheadFile {
  readonly path: string;
  /** What to call it on screen (a path inside its partition). */
  readonly label: string;
  readonly size: number;
}

const CHUNK = 1 << 20;

/**
 * Reads every file to its end (at most its planned size: a file that grew is not read on
 * forever), calling `progress` after each chunk and once at the end. Throws the fs error.
 */
export async function readAhead(files: readonly ReadAheadFile[], progress: (p: BootProgress) => void): Promise<void> {
  const total = files.reduce((n, f) => n + f.size, 0);
  let done = 0;
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (const f of files) {
    progress({ file: f.label, done, total });
    const handle = await open(f.path, 'r');
    try {
      let offset = 0;
      while (offset < f.size) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, f.size - offset), offset);
        if (bytesRead === 0) break; // shorter than planned: the loader will say so
        offset += bytesRead;
        done += bytesRead;
        progress({ file: f.label, done, total });
      }
    } finally {
      await handle.close();
    }
  }
  progress({ file: files[files.length - 1]?.label ?? '', done: total, total });
}
