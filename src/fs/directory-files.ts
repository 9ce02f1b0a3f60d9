// A mounted partition (or a sample tree) seen through PartitionFiles: every path is taken
// inside `root`, and symlinks are followed as if `root` were `/` (chroot rules), so neither
// `..`, an absolute symlink nor a relative one that climbs out can reach outside it.
import { isUtf8 } from 'node:buffer';
import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PartitionFiles, ReadProblem } from './files';
import { findIgnoringCase } from './memory-files';
import { type PathStep, normalizePath, realPathInside } from './paths';
import { readRegularFile } from './regular-file';

/**
 * Larger files are not configs: the largest real ones (a grub.cfg listing a hundred kernels,
 * Debian's installer menus) are a few hundred KB, and reading more only costs memory (a
 * parser holds several times a file's size). A larger file is a read problem of the pass.
 */
export const MAX_TEXT_BYTES = 4 * 1024 * 1024;

/** What one pass has learnt of a partition's tree: symlink steps by path inside it, the rest by host path. */
interface PassMemory {
  readonly steps: Map<string, PathStep>;
  readonly kinds: Map<string, FileKind | undefined>;
  readonly listings: Map<string, readonly string[] | undefined>;
  /** By host path: each file's first problem, named as the reader asked for it. */
  readonly problems: Map<string, ReadProblem>;
}

interface FileKind {
  readonly file: boolean;
  readonly dir: boolean;
  readonly size: number;
  /** A FIFO, device or socket: never read. */
  readonly special: boolean;
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
    return new DirectoryFiles(this.root, { steps: new Map(), kinds: new Map(), listings: new Map(), problems: new Map() });
  }

  readProblems(): readonly ReadProblem[] {
    return this.memory === undefined ? [] : [...this.memory.problems.values()];
  }

  private problem(host: string, p: ReadProblem): void {
    if (this.memory !== undefined && !this.memory.problems.has(host)) this.memory.problems.set(host, { ...p, path: normalizePath(p.path) });
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
    const known = remembered(this.memory?.kinds, host, () => {
      try {
        const st = statSync(host, { throwIfNoEntry: false });
        if (st === undefined) return undefined;
        return { file: st.isFile(), dir: st.isDirectory(), size: st.size, special: st.isFIFO() || st.isCharacterDevice() || st.isBlockDevice() || st.isSocket() };
      } catch {
        return undefined;
      }
    });
    if (known === undefined) return undefined;
    // A reader looked for a file here and will skip this one: say why, once.
    if (known.special) this.problem(host, { path, problem: 'not-regular' });
    return { host, kind: known };
  }

  readText(path: string): string | undefined {
    const found = this.kind(path);
    if (found === undefined || !found.kind.file) return undefined;
    if (found.kind.size > MAX_TEXT_BYTES) {
      this.problem(found.host, { path, problem: 'too-large', size: found.kind.size, limit: MAX_TEXT_BYTES });
      return undefined;
    }
    // Checked again on the opened file: the stat above may be a pass's memory of the path.
    const read = readRegularFile(found.host, MAX_TEXT_BYTES);
    if (!read.ok) {
      if (read.reason !== 'missing') this.problem(found.host, { path, problem: read.reason, ...(read.reason === 'too-large' ? { limit: MAX_TEXT_BYTES } : {}) });
      return undefined;
    }
    if (!isUtf8(read.bytes)) this.problem(found.host, { path, problem: 'invalid-utf8' });
    return read.bytes.toString('utf8');
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
    if (this.memory === undefined) return findIgnoringCase(this, path);
    return findIgnoringCase(this, path, (onDisk) => {
      const link = this.step(onDisk);
      const host = join(this.root, onDisk);
      this.problem(host, { path: onDisk, problem: 'dangling-link', ...(link.kind === 'link' ? { target: link.target } : {}) });
    });
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
