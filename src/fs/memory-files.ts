// An in-memory partition, for tests, fuzzing and the benchmark: the same confinement rules
// as a real mounted tree (symlinks followed inside the partition only).
import type { PartitionFiles, ReadProblem } from './files';
import { basename, dirname, normalizePath, realPathInside } from './paths';

type Node = { kind: 'file'; text: string } | { kind: 'dir' } | { kind: 'link'; target: string };

export class MemoryFiles implements PartitionFiles {
  private readonly nodes = new Map<string, Node>([['/', { kind: 'dir' }]]);

  /**
   * `tree` maps paths to file contents; a value `{ link: 'target' }` makes a symlink.
   * Parent folders are created as needed.
   */
  constructor(tree: Record<string, string | { link: string }> = {}) {
    for (const [path, value] of Object.entries(tree)) {
      if (typeof value === 'string') this.addFile(path, value);
      else this.addLink(path, value.link);
    }
  }

  addFile(path: string, text: string): this {
    const p = normalizePath(path);
    this.mkdirs(dirname(p));
    this.nodes.set(p, { kind: 'file', text });
    return this;
  }

  addLink(path: string, target: string): this {
    const p = normalizePath(path);
    this.mkdirs(dirname(p));
    this.nodes.set(p, { kind: 'link', target });
    return this;
  }

  addDir(path: string): this {
    this.mkdirs(normalizePath(path));
    return this;
  }

  private mkdirs(dir: string): void {
    let p = '';
    for (const part of dir.split('/').filter(Boolean)) {
      p += '/' + part;
      if (!this.nodes.has(p)) this.nodes.set(p, { kind: 'dir' });
    }
  }

  realPath(path: string): string | undefined {
    return realPathInside(path, (p) => {
      const node = this.nodes.get(p);
      if (!node) return { kind: 'missing' };
      return node.kind === 'link' ? { kind: 'link', target: node.target } : { kind: 'present' };
    });
  }

  private node(path: string): Node | undefined {
    const real = this.realPath(path);
    return real === undefined ? undefined : this.nodes.get(real);
  }

  readText(path: string): string | undefined {
    const node = this.node(path);
    return node?.kind === 'file' ? node.text : undefined;
  }

  list(path: string): string[] | undefined {
    const real = this.realPath(path);
    if (real === undefined || this.nodes.get(real)?.kind !== 'dir') return undefined;
    const names: string[] = [];
    for (const p of this.nodes.keys()) {
      if (p !== '/' && dirname(p) === real) names.push(basename(p));
    }
    return names;
  }

  isFile(path: string): boolean {
    return this.node(path)?.kind === 'file';
  }

  isDir(path: string): boolean {
    return this.node(path)?.kind === 'dir';
  }

  /** Already in memory: nothing to remember. */
  forOnePass(): PartitionFiles {
    return this;
  }

  /** Its files are strings already: nothing special, too large or undecodable. */
  readProblems(): readonly ReadProblem[] {
    return [];
  }

  findIgnoringCase(path: string): string | undefined {
    return findIgnoringCase(this, path);
  }
}

/**
 * Shared by every PartitionFiles: walks the path one component at a time, ignoring case.
 * `dangling` hears of each component found that is a symlink leading to nothing on the
 * partition (outside it, or a loop).
 */
export function findIgnoringCase(files: PartitionFiles, path: string, dangling?: (onDisk: string) => void): string | undefined {
  let current = '/';
  for (const part of normalizePath(path).split('/').filter(Boolean)) {
    const names = files.list(current);
    if (!names) return undefined;
    const exact = names.find((n) => n === part);
    const lower = part.toLowerCase();
    const match = exact ?? names.find((n) => n.toLowerCase() === lower);
    if (match === undefined) return undefined;
    current = current === '/' ? `/${match}` : `${current}/${match}`;
    // What follows it, if anything, is then not found, as without `dangling`.
    if (dangling !== undefined && files.realPath(current) === undefined) dangling(current);
  }
  return current;
}
