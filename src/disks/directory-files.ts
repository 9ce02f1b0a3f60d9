// A mounted partition (or a sample tree) seen through PartitionFiles: every path is taken
// inside `root`, and symlinks are followed as if `root` were `/` (chroot rules), so neither
// `..`, an absolute symlink nor a relative one that climbs out can reach outside it.
import { lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PartitionFiles } from '../entries/model';
import { findIgnoringCase } from '../entries/memory-files';
import { realPathInside } from '../entries/paths';

/** Larger files are not configs; reading them would only cost memory (the fuzz and bench use 10 MB). */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;

export class DirectoryFiles implements PartitionFiles {
  constructor(readonly root: string) {}

  /** Host path of a path inside the partition, after confined symlink resolution. */
  hostPath(path: string): string | undefined {
    const real = this.realPath(path);
    return real === undefined ? undefined : join(this.root, real);
  }

  // Missing paths are the common case (every format looks for its files on every
  // partition): throwIfNoEntry spares building an Error with its stack for each.
  realPath(path: string): string | undefined {
    return realPathInside(path, (p) => {
      try {
        const host = join(this.root, p);
        const st = lstatSync(host, { throwIfNoEntry: false });
        if (st === undefined) return { kind: 'missing' };
        return st.isSymbolicLink() ? { kind: 'link', target: readlinkSync(host) } : { kind: 'present' };
      } catch {
        return { kind: 'missing' };
      }
    });
  }

  readText(path: string): string | undefined {
    const host = this.hostPath(path);
    if (host === undefined) return undefined;
    try {
      const st = statSync(host, { throwIfNoEntry: false });
      if (st === undefined || !st.isFile() || st.size > MAX_TEXT_BYTES) return undefined;
      return readFileSync(host, 'utf8');
    } catch {
      return undefined;
    }
  }

  list(path: string): string[] | undefined {
    const host = this.hostPath(path);
    if (host === undefined) return undefined;
    try {
      return readdirSync(host);
    } catch {
      return undefined;
    }
  }

  isFile(path: string): boolean {
    const host = this.hostPath(path);
    try {
      return host !== undefined && statSync(host, { throwIfNoEntry: false })?.isFile() === true;
    } catch {
      return false;
    }
  }

  isDir(path: string): boolean {
    const host = this.hostPath(path);
    try {
      return host !== undefined && statSync(host, { throwIfNoEntry: false })?.isDirectory() === true;
    } catch {
      return false;
    }
  }

  findIgnoringCase(path: string): string | undefined {
    return findIgnoringCase(this, path);
  }
}
