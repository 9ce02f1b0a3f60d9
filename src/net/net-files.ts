// The boot server seen as a PartitionFiles, so the disks' format readers read it unchanged.
// Those readers are synchronous and a download is not, so the view holds only what was
// fetched already and remembers every file a reader asked for and did not find; the caller
// fetches those and runs the readers again (readToFixpoint), until nothing new is asked for
// or a bound is reached. An INCLUDE that includes itself is caught by the reader's own
// loop check; the bounds stop a config that names ever new files.
import type { Diagnostic } from '../fs/diagnostic';
import type { PartitionFiles } from '../fs/files';
import { MemoryFiles } from '../fs/memory-files';
import { normalizePath } from '../fs/paths';
import { NetError } from './transfer';

/** A config larger than this is not a config (a kernel named by mistake, a server gone wrong). */
export const MAX_CONFIG_BYTES = 1 << 20;
/** Files fetched for one lookup, all rounds together. */
export const MAX_FILES = 64;
/** New files fetched at once in one round. */
export const MAX_FANOUT = 8;
/** Rounds of read, fetch, read again (an include chain deeper than this stops here). */
export const MAX_ROUNDS = 17;

export class FetchedFiles implements PartitionFiles {
  private readonly tree = new MemoryFiles();
  private readonly absent = new Set<string>();
  /** Paths a reader asked for that are neither here nor known to be missing. */
  readonly wanted = new Set<string>();

  add(path: string, text: string): void {
    this.tree.addFile(path, text);
  }

  /** `alias` reads as `target` (the name a reader looks for, pointing at the file the lookup chose). */
  alias(alias: string, target: string): void {
    this.tree.addLink(alias, target);
  }

  markAbsent(path: string): void {
    this.absent.add(normalizePath(path));
  }

  has(path: string): boolean {
    const p = normalizePath(path);
    return this.tree.isFile(p) || this.absent.has(p);
  }

  readText(path: string): string | undefined {
    const p = normalizePath(path);
    const text = this.tree.readText(p);
    if (text === undefined && !this.absent.has(p) && !this.tree.isDir(p)) this.wanted.add(p);
    return text;
  }

  /** A TFTP server lists nothing: only what was fetched is known. */
  list(path: string): string[] | undefined {
    return this.tree.list(path);
  }

  isFile(path: string): boolean {
    return this.tree.isFile(path);
  }

  isDir(path: string): boolean {
    return this.tree.isDir(path);
  }

  realPath(path: string): string | undefined {
    return this.tree.realPath(path);
  }

  /** Servers compare names exactly (tftpd-hpa, slirp, HTTP): no other case is tried. */
  findIgnoringCase(path: string): string | undefined {
    const p = normalizePath(path);
    return this.tree.realPath(p) === undefined ? undefined : p;
  }

  forOnePass(): PartitionFiles {
    return this;
  }

  /** What arrives is stored whole or not at all (a fetch over the size cap is a diagnostic of its own). */
  readProblems(): readonly never[] {
    return [];
  }
}

/** Fetches one file of the view (its path inside the view), as text; NetError when it cannot. */
export type ConfigFetcher = (path: string) => Promise<string>;

/**
 * Runs `read` on the view, fetches what it asked for and did not have, and runs it again,
 * until it asks for nothing new or a bound is hit. Returns the last run's result, with a
 * diagnostic for each file that could not be fetched for a reason other than "not there"
 * (the reader itself reports a missing include) and for each bound reached.
 */
export async function readToFixpoint<T>(files: FetchedFiles, fetch: ConfigFetcher, read: (files: FetchedFiles) => T, where: string): Promise<{ result: T; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  let fetched = 0;
  for (let round = 1; ; round++) {
    files.wanted.clear();
    const result = read(files);
    const todo = [...files.wanted].filter((p) => !files.has(p));
    if (todo.length === 0) return { result, diagnostics };
    if (round >= MAX_ROUNDS) {
      diagnostics.push({ severity: 'warning', file: where, message: `includes go deeper than ${MAX_ROUNDS} levels: ${todo.join(', ')} not fetched` });
      return { result, diagnostics };
    }
    const room = Math.min(MAX_FANOUT, MAX_FILES - fetched);
    if (room <= 0) {
      diagnostics.push({ severity: 'warning', file: where, message: `more than ${MAX_FILES} files named: ${todo.join(', ')} not fetched` });
      return { result, diagnostics };
    }
    if (todo.length > room) {
      diagnostics.push({ severity: 'warning', file: where, message: `${todo.length} new files named at once; only ${room} fetched in this round, ${todo.slice(room).join(', ')} not fetched` });
      for (const p of todo.slice(room)) files.markAbsent(p);
    }
    const batch = todo.slice(0, room);
    fetched += batch.length;
    await Promise.all(
      batch.map(async (path) => {
        try {
          files.add(path, await fetch(path));
        } catch (err) {
          files.markAbsent(path);
          if (!(err instanceof NetError && err.missing)) {
            diagnostics.push({ severity: 'warning', file: path, message: err instanceof Error ? err.message : String(err) });
          }
        }
      }),
    );
  }
}
