// Start-up: from spawning the process to the menu's first complete frame (the demo's entries
// and the help line, which is drawn last), against `node -e 0` on the same node, on an 80x24
// pseudo-terminal. Every variant runs once per round, rounds interleaved, so that a burst of
// load from another process hits all of them alike. The pty harness's own time (script,
// sh, stty) is measured alone and taken out of every number ("net").
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PtyOptions, harnessMs, runOnPty } from './pty';
import { runBundler } from './sizes';
import { type Sample, sample } from './stats';

export interface NodeBinary {
  /** "host node v20.20.2", "image node v22.22.0" */
  readonly label: string;
  readonly path: string;
  readonly version: string;
  /** module.enableCompileCache / NODE_COMPILE_CACHE: Node 22.1 and later. */
  readonly compileCache: boolean;
}

export interface Program {
  /** "build/ (one file per module)", "bundle", "V8 snapshot" */
  readonly label: string;
  /** What comes between node and the command: the script, or node options and the script. */
  readonly args: readonly string[];
  /** Only for this node binary (a snapshot blob works only with the node that made it). */
  readonly onlyFor?: string;
  /**
   * Not the menu: a reference drawn like it (bench/floor-entry.ts, blessed alone), so that
   * the menu's time splits into the screen library's share and kexec-menu's own.
   */
  readonly reference?: true;
  /** What the image ships: the targets are judged on it. */
  readonly shipped?: true;
  /** Run once for each node before the timed runs (the node writes its code cache). */
  readonly prepare?: (node: NodeBinary) => void;
  /** Environment variables it runs with (the shipped program: the console launcher's). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface StartupVariant {
  readonly node: NodeBinary;
  /** undefined: `node -e 0`, the baseline. */
  readonly program?: Program;
  readonly compileCache: boolean;
}

export interface StartupResult {
  readonly variant: StartupVariant;
  readonly raw: Sample;
  /** raw minus the harness's median. */
  readonly net: Sample;
}

export interface StartupReport {
  /** Rounds: each variant ran this many times. */
  readonly runs: number;
  readonly harness: Sample;
  readonly results: readonly StartupResult[];
  /** Why a variant is missing (e.g. no compile cache before Node 22.1). */
  readonly notes: readonly string[];
}

/** What the demo's first complete frame shows: its first entry, and the help line, drawn last. */
export const FIRST_FRAME = ['Debian GNU/Linux', '? help'];

function nodeVersion(path: string): string | undefined {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function supportsCompileCache(version: string): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 1);
}

/**
 * The node running this benchmark, and the node the image runs if scripts/image.sh has
 * fetched it for this machine's architecture (cache/npm/node-linux-<arch>-<version>/).
 */
export function findNodes(top: string): NodeBinary[] {
  const host = process.execPath;
  const nodes: NodeBinary[] = [{ label: `host node ${process.version}`, path: host, version: process.version, compileCache: supportsCompileCache(process.version) }];
  const arch = process.arch === 'x64' ? 'x64' : process.arch;
  const cache = join(top, 'cache/npm');
  const dirs = existsSync(cache) ? readdirSync(cache).filter((n) => n.startsWith(`node-linux-${arch}-`) && !n.endsWith('.tgz')) : [];
  for (const dir of dirs.sort()) {
    const path = join(cache, dir, 'bin/node');
    const version = existsSync(path) ? nodeVersion(path) : undefined;
    if (version && version !== process.version) nodes.push({ label: `image node ${version}`, path, version, compileCache: supportsCompileCache(version) });
  }
  return nodes;
}

/**
 * The variables the image's console launcher exports for the menu (its `export` lines, run
 * by sh), without those a console sets for every program (PATH, HOME, TERM).
 */
export function launcherEnvironment(top: string): Record<string, string> {
  const launcher = join(top, 'buildroot-external/board/kexec-menu/rootfs-overlay/usr/sbin/kexec-menu-console');
  const exports = readFileSync(launcher, 'utf8').split('\n').filter((l) => l.startsWith('export '));
  const env = execFileSync('env', ['-i', 'sh', '-c', `${exports.join('; ')}; env`], { encoding: 'utf8' });
  const forEveryProgram = new Set(['PATH', 'HOME', 'TERM', 'PWD', 'SHLVL', '_']);
  return Object.fromEntries(
    env
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const)
      .filter(([name]) => name !== '' && !forEveryProgram.has(name)),
  );
}

/** An environment as `NAME=value` words, for labels and the report's text. */
export function envWords(env: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`);
}

/**
 * The bundle in a folder of its own where each node first writes its V8 code cache
 * (`kexec-menu code-cache`, as scripts/image.sh does with the image's node), run with the
 * console launcher's environment: the program as the image ships it. The plain bundle
 * folder never gets a cache.
 */
export function codeCacheProgram(top: string, bundleDir: string, outDir: string): Program {
  rmSync(outDir, { recursive: true, force: true });
  cpSync(bundleDir, outDir, { recursive: true, filter: (src) => !src.endsWith('.v8cache') });
  const file = join(outDir, 'kexec-menu.js');
  return {
    label: 'bundle with its code cache',
    args: [file],
    shipped: true,
    prepare: (node) => void execFileSync(node.path, [file, 'code-cache'], { env: { PATH: process.env['PATH'] ?? '' }, stdio: 'ignore' }),
    env: launcherEnvironment(top),
  };
}

/** The reference (bench/floor-entry.ts) bundled as the menu is; undefined without scripts/bundle.mjs. */
export function bundleFloor(top: string): Program | undefined {
  const outfile = join(top, 'cache/bench/floor/floor.js');
  if (runBundler(top, ['--entry', join(top, 'bench/floor-entry.ts'), '--outfile', outfile]) === undefined) return undefined;
  return {
    label: 'blessed alone (its screen drawn like the menu, no kexec-menu code), bundle with its code cache',
    args: [outfile],
    reference: true,
    prepare: (node) => void execFileSync(node.path, [outfile, '--write-code-cache'], { env: { PATH: process.env['PATH'] ?? '', TERM: 'vt100' }, stdio: 'ignore' }),
  };
}

export function variantLabel(v: StartupVariant): string {
  if (!v.program) return 'node -e 0';
  if (v.program.reference) return v.program.label;
  return `menu, ${v.program.label}${v.compileCache ? ', compile cache' : ''}`;
}

function command(v: StartupVariant, demoConfig: string): string[] {
  if (!v.program) return [v.node.path, '-e', '0'];
  return [v.node.path, ...v.program.args, 'menu', '--config', demoConfig, '--cmdline', 'kexec_menu.timeout=-1'];
}

export async function measureStartup(o: {
  readonly top: string;
  readonly programs: readonly Program[];
  readonly runs: number;
  readonly say: (line: string) => void;
}): Promise<StartupReport> {
  const demo = join(o.top, 'configs/demo.yaml');
  const notes: string[] = [];
  const variants: StartupVariant[] = [];
  const cacheDirs = new Map<StartupVariant, string>();
  for (const node of findNodes(o.top)) {
    const programs = o.programs.filter((p) => p.onlyFor === undefined || p.onlyFor === node.path);
    variants.push({ node, compileCache: false });
    for (const program of programs) variants.push({ node, program, compileCache: false });
    if (!node.compileCache) {
      notes.push(`${node.label}: no compile cache (module.enableCompileCache needs Node 22.1 or later): N/A.`);
      continue;
    }
    // A snapshot holds its code already compiled: nothing for a compile cache to add.
    for (const program of programs.filter((p) => p.onlyFor === undefined && !p.reference)) {
      const v = { node, program, compileCache: true };
      variants.push(v);
      cacheDirs.set(v, mkdtempSync(join(tmpdir(), 'kexec-menu-compile-cache-')));
    }
  }
  const options = (v: StartupVariant): PtyOptions => ({
    // Without the variable, no cache; the cache variants get a folder of their own.
    env: { NODE_COMPILE_CACHE: cacheDirs.get(v), ...v.program?.env },
    ...(v.program ? { until: FIRST_FRAME } : {}),
  });
  try {
    // One untimed round: the files are in the page cache, and each compile cache is filled
    // by a run that quits cleanly ('q'), since node writes the cache at exit.
    await harnessMs();
    for (const v of variants) if (v.program?.prepare && !v.compileCache) v.program.prepare(v.node);
    for (const v of variants) await runOnPty(command(v, demo), { ...options(v), ...(v.compileCache ? { thenType: 'q' } : {}) });
    const harness: number[] = [];
    const times = new Map<StartupVariant, number[]>(variants.map((v) => [v, []]));
    for (let r = 0; r < o.runs; r++) {
      harness.push((await harnessMs()).ms);
      for (const v of variants) times.get(v)!.push((await runOnPty(command(v, demo), options(v))).ms);
    }
    const h = sample(harness);
    const results = variants.map((variant) => {
      const raw = times.get(variant)!;
      return { variant, raw: sample(raw), net: sample(raw.map((t) => t - h.median)) };
    });
    for (const r of results) o.say(`  ${r.variant.node.label.padEnd(22)} ${variantLabel(r.variant).padEnd(52)} ${r.net.median.toFixed(0).padStart(5)} ms net`);
    return { runs: o.runs, harness: h, results, notes };
  } finally {
    for (const dir of cacheDirs.values()) rmSync(dir, { recursive: true, force: true });
  }
}

/** A first frame (the menu's, or a reference's) over `node -e 0` on the same node (net times). */
export function ratio(report: StartupReport, r: StartupResult): number {
  const base = report.results.find((b) => b.variant.node === r.variant.node && !b.variant.program);
  return base ? r.net.median / base.net.median : NaN;
}
