// The fuzz test's worker: mutates real fixture configs and runs one parser on them. It runs
// in a worker thread so that the test's main thread can stop it when a case hangs (a
// synchronous endless loop would otherwise stop the test runner too). It reports the case it
// is about to run, so a hang names its input (seed + case number reproduce it).
import { parentPort, workerData } from 'node:worker_threads';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MemoryFiles } from '../../src/fs/memory-files';
import type { Diagnostic } from '../../src/fs/diagnostic';
import type { Format, ParsedEntry, Resource } from '../../src/entries/model';
import type { PartitionFiles } from '../../src/fs/files';
import { normalizePath, basename } from '../../src/fs/paths';
import { PARSERS } from '../../src/entries/scan/parsers';

export interface FuzzJob {
  readonly format: Format;
  readonly seed: number;
  readonly cases: number;
  /** Folders whose sub-folders are partition trees (test/fixtures/<format>, samples). */
  readonly treeParents: readonly string[];
}

export type FuzzMessage =
  | { readonly type: 'case'; readonly index: number; readonly what: string }
  | { readonly type: 'problem'; readonly index: number; readonly what: string; readonly problem: string }
  | { readonly type: 'done'; readonly cases: number; readonly configs: number; readonly trees: number; readonly entries: number; readonly diagnostics: number; readonly slowestMs: number; readonly slowest: string };

/** mulberry32: small, seeded, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tree {
  readonly name: string;
  readonly files: MemoryFiles;
  readonly texts: ReadonlyMap<string, string>;
  /** Everything in it, to build a changed copy (for readers that go by file names). */
  readonly listing: ReadonlyMap<string, string | { link: string }>;
}

const MAX_LOADED = 256 * 1024;

function loadTree(root: string): Tree {
  const files = new MemoryFiles();
  const texts = new Map<string, string>();
  const listing = new Map<string, string | { link: string }>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const host = join(dir, name);
      const path = '/' + relative(root, host);
      const st = lstatSync(host);
      if (st.isSymbolicLink()) {
        files.addLink(path, readlinkSync(host));
        listing.set(path, { link: readlinkSync(host) });
      } else if (st.isDirectory()) {
        files.addDir(path);
        walk(host);
      } else {
        const buf = st.size > MAX_LOADED ? Buffer.alloc(0) : readFileSync(host);
        files.addFile(path, buf.toString('utf8'));
        listing.set(path, buf.toString('utf8'));
        if (st.size <= MAX_LOADED && !buf.subarray(0, 8192).includes(0)) texts.set(path, buf.toString('utf8'));
      }
    }
  };
  walk(root);
  return { name: root, files, texts, listing };
}

/** Which text files a parser reads in a tree: those are the ones worth mutating for it. */
function configsRead(tree: Tree, format: Format): string[] {
  const read = new Set<string>();
  const spy: PartitionFiles = Object.create(tree.files) as PartitionFiles;
  spy.readText = (path: string) => {
    const real = tree.files.realPath(path);
    if (real !== undefined && tree.texts.has(real)) read.add(real);
    return tree.files.readText(path);
  };
  PARSERS[format]!.parse(spy, 'fuzz', { efiArch: 'x64' });
  return [...read].sort();
}

/**
 * Hostile lines (issue 17), inserted whole: each must cost only what is past a limit, with a
 * diagnostic, within the case's time. GRUB: a loop of loops making a million entries, a value
 * doubled until it is huge, an eval that runs itself, a configfile back to the file, a kernel
 * inside a loopback image, a huge title; BLS: a huge title line; extlinux and YAML below.
 */
const HOSTILE = [
  `for a in ${'1 '.repeat(200)}; do for b in ${'1 '.repeat(200)}; do for c in ${'1 '.repeat(25)}; do menuentry "$a$b$c" { linux /v }; done; done; done`,
  'set a=x; ' + 'set a="$a$a$a$a"; '.repeat(12),
  'set c="eval \\$c"; eval $c',
  'loopback loop /x.iso; menuentry iso { linux (loop)/vmlinuz; }',
  `menuentry "${'T'.repeat(300_000)}" { linux /t }`,
  `title ${'Debian '.repeat(50_000)}`,
  // extlinux: one file included 300 times (Debian's installer menus have stdmenu.cfg); YAML:
  // flow brackets and block indicators nested far past the limit, and a title of brackets.
  'include stdmenu.cfg\n'.repeat(300),
  'entries: ' + '['.repeat(5000) + ']'.repeat(4000),
  '- '.repeat(5000) + 'x',
  `  - title: ${'['.repeat(40)}\n    kernel: /x`,
];

const INSERTS = ['{', '}', '"', "'", '\\', '[', ']', '$', '${', '#', ';', '\t', '\0', 'include x', 'source x', 'configfile x', 'blscfg', 'menuentry x {', 'submenu x {', 'label x', 'kernel /x', 'initrd /x', '[all]', '[pi4]', 'entries:', '  - title: x', '&a', '*a'];

/** One to three mutations of a config; returns the new text and what was done. */
function mutate(text: string, path: string, rnd: () => number): { text: string; what: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const what: string[] = [];
  let t = text;
  const n = 1 + Math.floor(rnd() * 3);
  const MB = 1024 * 1024;
  for (let k = 0; k < n; k++) {
    const lines = t.split('\n');
    const at = Math.floor(rnd() * (lines.length + 1));
    const r = rnd();
    if (r < 0.2) {
      const buf = Buffer.from(t, 'utf8');
      const flips = 1 + Math.floor(rnd() * 8);
      for (let f = 0; f < flips && buf.length > 0; f++) buf[Math.floor(rnd() * buf.length)]! ^= 1 << Math.floor(rnd() * 8);
      t = buf.toString('utf8');
      what.push(`flip ${flips} bits`);
    } else if (r < 0.3) {
      const cut = Math.floor(rnd() * (t.length + 1));
      t = t.slice(0, cut);
      what.push(`truncate at ${cut}`);
    } else if (r < 0.45) {
      const line = lines[Math.min(at, lines.length - 1)] ?? '';
      // Many copies, but never more than about 1 MB of them (mutations compound).
      const times = Math.max(1, Math.min(rnd() < 0.1 ? 2000 : 1 + Math.floor(rnd() * 5), Math.floor(MB / (line.length + 1))));
      lines.splice(at, 0, ...Array<string>(times).fill(line));
      t = lines.join('\n');
      what.push(`duplicate line ${at} ×${times}`);
    } else if (r < 0.7) {
      const ins = pick(INSERTS);
      const line = lines[at] ?? '';
      const col = Math.floor(rnd() * (line.length + 1));
      lines[at] = line.slice(0, col) + ins + line.slice(col);
      t = lines.join('\n');
      what.push(`insert ${JSON.stringify(ins)} at ${at}:${col}`);
    } else if (r < 0.8) {
      // Self-includes in every syntax the formats know, and a loop through the file's folder.
      const inc = pick([`include ${path}`, `source ${path}`, `configfile ${path}`, `include ${basename(path)}`, `source $prefix/${basename(path)}`, `include ../${basename(path)}`]);
      lines.splice(at, 0, inc);
      t = lines.join('\n');
      what.push(`self-include ${JSON.stringify(inc)} at ${at}`);
    } else if (r < 0.83 && t.length < 2 * MB) {
      const line = lines[at] ?? 'x';
      lines.splice(at, 0, (line + ' ').repeat(Math.ceil(MB / (line.length + 1))).slice(0, MB));
      t = lines.join('\n');
      what.push(`1 MB line at ${at}`);
    } else if (r < 0.86) {
      const hostile = pick(HOSTILE);
      lines.splice(at, 0, hostile);
      t = lines.join('\n');
      what.push(`hostile line ${JSON.stringify(hostile.slice(0, 40))}… at ${at}`);
    } else if (r < 0.93) {
      const count = 1 + Math.floor(rnd() * 3);
      lines.splice(at, count);
      t = lines.join('\n');
      what.push(`delete ${count} lines at ${at}`);
    } else {
      const b = Math.floor(rnd() * lines.length);
      if (lines.length > 1) [lines[at % lines.length], lines[b]] = [lines[b]!, lines[at % lines.length]!];
      t = lines.join('\n');
      what.push(`swap lines ${at % Math.max(1, lines.length)} and ${b}`);
    }
  }
  return { text: t, what: what.join(', ') };
}

const NAME_PARTS = ['vmlinuz', 'vmlinux', 'Image', 'zImage', 'bzImage', 'kernel', 'initrd.img', 'initramfs', 'initrd', 'uInitrd', 'config', 'System.map', 'linux', 'lts', 'fallback', 'dtb', 'dtbs'];
const NAME_TAILS = ['', '-', '--', '.img', '.old', '.bak', '~', '-6.1.0-13-amd64', '-6.1', '-6', '-a.b.c', '-' + 'x'.repeat(300), '-\u00e9', '-0-rescue', '.efi', '.gz', '-linux', '-linux-fallback.img', '.dpkg-tmp'];
const DIRS = ['/', '/boot', '/boot/efi', '/efi', '/boot/dtbs', '/usr/lib/modules/6.1.0', '/boot/boot'];

/** For readers that go by file names (loose kernels): a copy of the tree with strange names added. */
function mutateNames(tree: Tree, rnd: () => number): { files: MemoryFiles; what: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const files = new MemoryFiles(Object.fromEntries(tree.listing));
  const what: string[] = [];
  const n = 1 + Math.floor(rnd() * 6);
  for (let k = 0; k < n; k++) {
    const path = `${pick(DIRS)}/${pick(NAME_PARTS)}${pick(NAME_TAILS)}`.replace(/^\/\//, '/');
    const r = rnd();
    if (r < 0.5) files.addFile(path, 'x');
    else if (r < 0.65) files.addDir(path);
    else if (r < 0.8) files.addLink(path, path); // a link to itself
    else if (r < 0.9) files.addLink(path, `../../${pick(NAME_PARTS)}`);
    else files.addLink(path, '/');
    what.push(`${r < 0.5 ? 'file' : r < 0.65 ? 'folder' : 'link'} ${path}`);
  }
  return { files, what: what.join(', ') };
}

function checkResource(r: Resource, where: string): string | undefined {
  if (typeof r?.path !== 'string' || normalizePath(r.path) !== r.path) return `${where}: path ${JSON.stringify(r?.path)} is not normalised`;
  if (!r.partition || typeof r.partition.by !== 'string') return `${where}: no partition selector`;
  return undefined;
}

const LINED_FORMATS: ReadonlySet<Format> = new Set<Format>(['grub', 'bls']);

/** The contract of FormatParser's output, checked on every result. */
export function wellFormed(format: Format, entries: readonly ParsedEntry[], diagnostics: readonly Diagnostic[]): string | undefined {
  if (!Array.isArray(entries) || !Array.isArray(diagnostics)) return 'entries or diagnostics is not an array';
  const ids = new Set<string>();
  for (const e of entries) {
    const name = `entry ${JSON.stringify(e.localId)}`;
    if (typeof e.localId !== 'string' || e.localId === '') return `${name}: empty local id`;
    if (ids.has(e.localId)) return `${name}: local id used twice`;
    ids.add(e.localId);
    if (typeof e.title !== 'string') return `${name}: title is not text`;
    if (!e.kernel) return `${name}: no kernel`;
    const bad =
      checkResource(e.kernel, `${name} kernel`) ??
      e.initrds.map((r: Resource) => checkResource(r, `${name} initrd`)).find(Boolean) ??
      e.overlays.map((r: Resource) => checkResource(r, `${name} overlay`)).find(Boolean) ??
      (e.devicetree ? checkResource(e.devicetree.resource, `${name} devicetree`) : undefined);
    if (bad) return bad;
    if (typeof e.cmdline !== 'string') return `${name}: cmdline is not text`;
    if (e.source?.format !== format) return `${name}: source.format is ${e.source?.format}`;
    if (typeof e.source.file !== 'string' || e.source.file === '') return `${name}: source has no file`;
    // 0: no particular line (a loose kernel has no config; config.txt may name no kernel).
    if (!Number.isInteger(e.source.line) || e.source.line < 0) return `${name}: source line ${e.source.line}`;
  }
  for (const d of diagnostics) {
    if (typeof d.file !== 'string' || d.file === '') return `diagnostic ${JSON.stringify(d.message)} has no file`;
    // These readers name a line in every diagnostic (issue 17); the others may still name only the file.
    if (LINED_FORMATS.has(format) && d.line === undefined) return `diagnostic ${JSON.stringify(d.message.slice(0, 80))} has no line`;
    if (!['error', 'warning', 'info'].includes(d.severity)) return `diagnostic severity ${d.severity}`;
    if (d.line !== undefined && (!Number.isInteger(d.line) || d.line < 1)) return `diagnostic line ${d.line}`;
    if (typeof d.message !== 'string' || d.message === '') return 'diagnostic without message';
  }
  return undefined;
}

function run(job: FuzzJob): void {
  const post = (m: FuzzMessage): void => parentPort!.postMessage(m);
  const parser = PARSERS[job.format]!;
  const trees: Tree[] = [];
  for (const parent of job.treeParents) {
    let names: string[];
    try {
      names = readdirSync(parent).sort();
    } catch {
      continue;
    }
    for (const name of names) if (lstatSync(join(parent, name)).isDirectory()) trees.push(loadTree(join(parent, name)));
  }
  const targets = trees.flatMap((tree) => configsRead(tree, job.format).map((path) => ({ tree, path })));
  // A reader that reads no config text (loose kernels) is fuzzed through file names instead.
  const byNames = targets.length === 0;
  const rnd = prng(job.seed);
  let entries = 0;
  let diagnostics = 0;
  let slowestMs = 0;
  let slowest = '';
  for (let i = 0; i < job.cases && trees.length > 0; i++) {
    let files: PartitionFiles;
    let what: string;
    let restore = (): void => {};
    if (byNames) {
      const tree = trees[Math.floor(rnd() * trees.length)]!;
      const m = mutateNames(tree, rnd);
      files = m.files;
      what = `${tree.name}: ${m.what}`;
    } else {
      const { tree, path } = targets[Math.floor(rnd() * targets.length)]!;
      const original = tree.texts.get(path)!;
      const m = mutate(original, path, rnd);
      what = `${tree.name}${path}: ${m.what}`;
      tree.files.addFile(path, m.text);
      files = tree.files;
      restore = () => tree.files.addFile(path, original);
    }
    post({ type: 'case', index: i, what });
    const start = performance.now();
    let problem: string | undefined;
    try {
      const r = parser.parse(files, 'fuzz', { efiArch: 'x64' });
      problem = wellFormed(job.format, r.entries, r.diagnostics);
      entries += r.entries.length;
      diagnostics += r.diagnostics.length;
    } catch (err) {
      problem = `threw ${err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 3).join(' | ') : String(err)}`;
    }
    const ms = performance.now() - start;
    if (ms > slowestMs) {
      slowestMs = ms;
      slowest = what;
    }
    restore();
    if (problem) post({ type: 'problem', index: i, what, problem });
  }
  post({ type: 'done', cases: trees.length > 0 ? job.cases : 0, configs: byNames ? 0 : targets.length, trees: trees.length, entries, diagnostics, slowestMs, slowest });
}

if (parentPort && workerData) run(workerData as FuzzJob);
