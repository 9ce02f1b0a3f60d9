// The layout's promises (docs/architecture.md), checked on the source itself: no import cycle
// between files or between folders of src/, the layers in their order, and no file too big
// to read in one sitting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const top = join(__dirname, '../..');
const SRC = join(top, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative module a file imports, exports from, import()s or require()s, as a path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\(\s*|^import\s+)'(\.[^']+)'/gm)].map((m) => m[1]!);
  return specs.map((spec) => {
    const base = normalize(join(dirname(file), spec)).replace(/\.js$/, '');
    if (existsSync(`${base}.ts`)) return `${base}.ts`;
    if (existsSync(join(base, 'index.ts'))) return join(base, 'index.ts');
    throw new Error(`${relative(top, file)} imports ${spec}, which is not a module of src/`);
  });
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => relative(top, f);

/** Strongly connected components with more than one member, or a member importing itself (Tarjan). */
function cycles<T>(nodes: Iterable<T>, edges: (n: T) => Iterable<T>): T[][] {
  let next = 0;
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const stack: T[] = [];
  const onStack = new Set<T>();
  const found: T[][] = [];
  const visit = (v: T): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: T[] = [];
    let w: T;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || [...edges(v)].includes(v)) found.push(component);
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return found;
}

/** A file's folder; src/cli.ts, the program's entry, belongs with the commands in src/cli/. */
const folderOf = (f: string) => (f === join(SRC, 'cli.ts') ? join(SRC, 'cli') : dirname(f));

test('no import cycle between files of src/', () => {
  assert.deepEqual(cycles(files, (f) => graph.get(f)!).map((c) => c.map(rel).sort()), []);
});

test('no import cycle between folders of src/ (a subfolder counts as a folder of its own)', () => {
  const folders = new Map<string, Set<string>>();
  for (const [f, deps] of graph) {
    const from = folderOf(f);
    const set = folders.get(from) ?? new Set<string>();
    for (const d of deps) if (folderOf(d) !== from) set.add(folderOf(d));
    folders.set(from, set);
  }
  assert.deepEqual(cycles(folders.keys(), (d) => folders.get(d) ?? []).map((c) => c.map(rel).sort()), []);
});

/** Layers from the bottom up: a folder imports only folders of its own layer or below. */
const LAYERS: readonly (readonly string[])[] = [
  ['fs', 'machine', 'sys'],
  ['disks/superblocks', 'entries', 'entries/grub', 'entries/scan', 'kexec/image', 'kexec/dt', 'kexec/native'],
  ['kexec', 'settings'],
  ['disks', 'net'],
  ['ui'],
  ['cli'],
];

test('the layers of docs/architecture.md: disks and net read files into the fs view, entries read only the fs view, nothing imports upwards', () => {
  const layerOf = (folder: string): number => {
    const name = relative(SRC, folder);
    const layer = LAYERS.findIndex((l) => l.includes(name));
    assert.notEqual(layer, -1, `src/${name} is in no layer of this test (add it where docs/architecture.md puts it)`);
    return layer;
  };
  const upward: string[] = [];
  for (const [f, deps] of graph) {
    for (const d of deps) if (layerOf(folderOf(d)) > layerOf(folderOf(f))) upward.push(`${rel(f)} -> ${rel(d)}`);
  }
  assert.deepEqual(upward, []);
  // The format readers are pure: files in, entries and diagnostics out.
  const readers = files.filter((f) => relative(SRC, f).startsWith('entries/') && !relative(SRC, f).startsWith('entries/scan/'));
  const touching = readers.filter((f) => /from 'node:fs'|require\('node:fs'\)|from 'node:child_process'/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(touching.map(rel), []);
});

test('no file in src/ is over 450 lines', () => {
  const long = files.map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 450);
  assert.deepEqual(long, []);
});
