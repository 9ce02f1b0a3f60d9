// A mounted partition (or a sample tree) seen through PartitionFiles: every path is taken
// inside `root`, and symlinks are followed as if `root` were `/` (chroot rules), so neither
// `..`, an absolute symlink nor a relative one that climbs out can reach outside it.
import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PartitionFiles } from './files';
import { findIgnoringCase } from './memory-files';
import { type PathStep, realPathInside } from './paths';
import { readRegularFile } from './regular-file';

/** Larger files are not configs; reading them would only cost memory (the fuzz and bench use 10 MB). */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;

/** What one pass has learnt of a partition's tree: symlink steps by path inside it, the rest by host path. */
interface PassMemory {
  readonly steps: Map<string, PathStep>;
  readonly kinds: Map<string, FileKind | undefined>;
  readonly listings: Map<string, readonly string[] | undefined>;
}

interface FileKind {
  readonly file: boolean;
  readonly dir: boolean;
  readonly size: number;
}

export class DirectoryFiles implements PartitionFiles {
  /** `memory`: set on a view made by forOnePass(); a plain view asks the file system every time. */
  constructor(
    readonly root: string,
    private readonly memory?: PassMemory,
  ) {}

  // One scan asks the same few paths many times: each format looks for its files, and every
  // lookup walks each component of the path for symlinks (the demo's six trees: 820 calls
  // for 138 paths).
  forOnePass(): DirectoryFiles {
    return new DirectoryFiles(this.root, { steps: new Map(), kinds: new Map(), listings: new Map() });
  }

  /** Host path of a path inside the partition, after confined symlink resolution. */
  hostPath(path: string): string | undefined {
    const real = this.realPath(path);
    return real === undefined ? undefined : join(this.root, real);
  }

  realPath(path: string): string | undefined {
    return realPathInside(path, (p) => remembered(this.memory?.steps, p, () => this.step(p)));
  }

  // Missing paths are the common case (every format looks for its files on every
  // partition): throwIfNoEntry spares building an Error with its stack for each.
  private step(path: string): PathStep {
    try {
      const host = join(this.root, path);
      const st = lstatSync(host, { throwIfNoEntry: false });
      if (st === undefined) return { kind: 'missing' };
      return st.isSymbolicLink() ? { kind: 'link', target: readlinkSync(host) } : { kind: 'present' };
    } catch {
      return { kind: 'missing' };
    }
  }

  /** What the path, symlinks followed, is; undefined when it is missing or unreadable. */
  private kind(path: string): { readonly host: string; readonly kind: FileKind } | undefined {
    const host = this.hostPath(path);
    if (host === undefined) return undefined;
    const kind = remembered(this.memory?.kinds, host, () => {
      try {
        const st = statSync(host, { throwIfNoEntry: false });
        return st === undefined ? undefined : { file: st.isFile(), dir: st.isDirectory(), size: st.size };
      } catch {
        return undefined;
      }
    });
    return kind === undefined ? undefined : { host, kind };
  }

  readText(path: string): string | undefined {
    const found = this.kind(path);
    if (found === undefined || !found.kind.file || found.kind.size > MAX_TEXT_BYTES) return undefined;
    // Checked again on the opened file: the stat above may be a pass's memory of the path.
    const read = readRegularFile(found.host, MAX_TEXT_BYTES);
    return read.ok ? read.bytes.toString('utf8') : undefined;
  }

  list(path: string): string[] | undefined {
    const host = this.hostPath(path);
    if (host === undefined) return undefined;
    const names = remembered(this.memory?.listings, host, () => {
      try {
        return readdirSync(host);
      } catch {
        return undefined;
      }
    });
    // A copy: callers may sort it.
    return names === undefined ? undefined : [...names];
  }

  isFile(path: string): boolean {
    return this.kind(path)?.kind.file === true;
  }

  isDir(path: string): boolean {
    return this.kind(path)?.kind.dir === true;
  }

  findIgnoringCase(path: string): string | undefined {
    return findIgnoringCase(this, path);
  }
}

/** The answer in `memory` for `key`, or `ask()`'s, kept there; without memory, always asked. */
function remembered<T>(memory: Map<string, T> | undefined, key: string, ask: () => T): T {
  if (memory === undefined) return ask();
  if (memory.has(key)) return memory.get(key) as T;
  const answer = ask();
  memory.set(key, answer);
  return answer;
}
