// Boot Loader Specification Type #1 entries: /loader/entries/*.conf (on an ESP, an XBOOTLDR
// or a separate /boot partition) and /boot/loader/entries/*.conf (a root file system that
// holds /boot), plus systemd-boot's /loader/loader.conf for the default and the timeout.
//
// The rules are the specification's (uapi-group.org/specifications/specs/boot_loader_specification)
// as systemd 252 implements them — Debian bookworm's systemd-boot and bootctl, which the
// oracle test (test/entries/bls-bootctl.test.ts) runs against our fixtures. By concern:
// - bls-lines.ts: the `key value` line syntax and its limits (LONG_LINE_MAX, NUL bytes);
// - bls-entry.ts: one entry file (its name's id and boot counter, its keys, the title cap);
// - bls-order.ts: systemd-boot's order and bootctl's title disambiguation;
// - bls-loader-conf.ts: loader.conf (`default`, `timeout`);
// - bls-glob.ts: the glob matcher (`default` is a case-insensitive glob over ids with `.conf`);
// - here: the entries folders of a partition, paths against $BOOT, duplicates, the default.
// Where systemd-boot itself drops an entry (another architecture, `auto-*` names) we drop it
// too; `efi` programs are dropped because kexec can only start Linux kernels.
import { compileGlob } from './bls-glob';
import type { FormatParser, ParsedEntry, ParseResult, Resource } from './model';
import type { Diagnostic } from '../fs/diagnostic';
import type { MachineContext } from '../machine/context';
import type { PartitionFiles } from '../fs/files';
import { dirname, normalizePath } from '../fs/paths';
import { parseBlsFileName, parseDetailed, resource, type Candidate } from './bls-entry';
import { readLoaderConf, type LoaderConf } from './bls-loader-conf';
import { compareBlsCandidates, uniquifyTitles } from './bls-order';

export { parseBlsEntryFile, parseBlsFileName, MAX_TITLE_LENGTH, type BlsFileName } from './bls-entry';
export { splitBlsLines, LONG_LINE_MAX, type BlsLine } from './bls-lines';

/** More entry files than any real folder holds; past it we stop reading (bounded work). */
const MAX_ENTRY_FILES = 2000;

/** The folders an entries reader looks in, in systemd-boot's order (ESP, then XBOOTLDR-style /boot). */
export const BLS_ENTRY_DIRS: readonly string[] = ['/loader/entries', '/boot/loader/entries'];

// ---------------------------------------------------------------------------------------------
// Entry folders

/** The $BOOT root an entries folder belongs to: '/boot' for /boot/loader/entries. */
function bootRootOf(dir: string): string {
  const d = normalizePath(dir);
  return d.toLowerCase().endsWith('/loader/entries') ? normalizePath(d.slice(0, -'/loader/entries'.length)) : dirname(d);
}

/**
 * On a root file system, /boot/loader/entries name files from the partition root
 * (`/boot/vmlinuz-…`, as GRUB and kernel-install write them there); an entry written for a
 * separate /boot (`/vmlinuz-…`) is read against /boot when only that reading finds the kernel.
 */
function rebaseUnderBootRoot(entry: ParsedEntry, root: string, files: PartitionFiles): ParsedEntry {
  if (root === '/' || files.isFile(entry.kernel.path) || !files.isFile(root + entry.kernel.path)) return entry;
  const move = (r: Resource): Resource => resource(normalizePath(root + r.path));
  const dt = entry.devicetree;
  return {
    ...entry,
    kernel: move(entry.kernel),
    initrds: entry.initrds.map(move),
    ...(dt ? { devicetree: { ...dt, resource: move(dt.resource) } } : {}),
    overlays: entry.overlays.map(move),
  };
}

function collectFolder(files: PartitionFiles, dir: string, partition: string, machine: MachineContext, out: Candidate[], diagnostics: Diagnostic[]): void {
  const names = files.list(dir);
  if (names === undefined) return;
  const root = bootRootOf(dir);
  const confs = names.filter((n) => parseBlsFileName(n) !== undefined && !n.startsWith('.')).sort();
  if (confs.length > MAX_ENTRY_FILES) {
    const first = `${dir === '/' ? '' : dir}/${confs[MAX_ENTRY_FILES]!}`;
    diagnostics.push({ severity: 'warning', file: first, line: 1, message: `${confs.length} entry files in ${dir}; only the first ${MAX_ENTRY_FILES} are read, not this one and those after it` });
  }
  for (const n of confs.slice(0, MAX_ENTRY_FILES)) {
    const file = dir === '/' ? `/${n}` : `${dir}/${n}`;
    if (!files.isFile(file)) continue;
    if (n.toLowerCase().startsWith('auto-')) {
      diagnostics.push({ severity: 'info', file, line: 1, message: "names starting with 'auto-' are reserved for systemd-boot's own entries; not listed" });
      continue;
    }
    const text = files.readText(file);
    if (text === undefined) {
      diagnostics.push({ severity: 'error', file, line: 1, message: 'entry file cannot be read' });
      continue;
    }
    const { candidate, diagnostics: d } = parseDetailed(text, file, partition, machine);
    for (const one of d) diagnostics.push(one);
    if (candidate) out.push({ ...candidate, entry: rebaseUnderBootRoot(candidate.entry, root, files) });
  }
}

/** Orders the candidates, settles titles and the default, drops duplicate local ids. */
function finish(candidates: Candidate[], conf: LoaderConf | undefined, confFile: string | undefined, diagnostics: Diagnostic[]): ParseResult {
  const sorted = [...candidates].sort(compareBlsCandidates);
  const seen = new Map<string, string>();
  const unique: Candidate[] = [];
  for (const c of sorted) {
    const first = seen.get(c.entry.localId);
    if (first !== undefined) {
      diagnostics.push({ severity: 'warning', file: c.entry.source.file, line: c.entry.source.line, message: `same entry id '${c.entry.localId}' as ${first}, which is listed instead` });
      continue;
    }
    seen.set(c.entry.localId, c.entry.source.file);
    unique.push(c);
  }
  const titles = uniquifyTitles(unique);

  let defaultIndex = -1;
  const pattern = conf?.defaultPattern;
  if (pattern !== undefined && confFile !== undefined) {
    const line = conf?.defaultLine ?? 1;
    if (pattern.toLowerCase() === '@saved') {
      diagnostics.push({ severity: 'info', file: confFile, line, message: 'default @saved means the entry booted last, which systemd-boot keeps in an EFI variable; no entry is marked default' });
    } else {
      const glob = compileGlob(pattern);
      defaultIndex = unique.findIndex((c) => glob.test(c.id));
      if (defaultIndex < 0) diagnostics.push({ severity: 'warning', file: confFile, line, message: `default '${pattern}' matches no listed entry` });
    }
  }
  const entries = unique.map((c, i) => ({ ...c.entry, title: titles[i]!, isDefault: i === defaultIndex }));
  const at = conf?.timeout !== undefined && confFile !== undefined ? { configTimeoutAt: { file: confFile, line: conf.timeoutLine, says: conf.timeoutSays ?? '' } } : {};
  return { entries, diagnostics, ...(conf?.timeout !== undefined ? { configTimeout: conf.timeout, ...at } : {}) };
}

/** The loader.conf of the $BOOT root of the first of `dirs` that has one (also `reboot --default`: src/kexec/installed-efi.ts). */
export function loaderConfFor(files: PartitionFiles, dirs: readonly string[], diagnostics: Diagnostic[]): { conf?: LoaderConf; file?: string } {
  for (const dir of dirs) {
    const root = bootRootOf(dir);
    const file = files.findIgnoringCase(normalizePath(`${root}/loader/loader.conf`));
    if (file === undefined || !files.isFile(file)) continue;
    const conf = readLoaderConf(files, file, diagnostics);
    if (conf) return { conf, file };
  }
  return {};
}

/**
 * Reads every `*.conf` in the entries folder `dir` and the loader.conf of its $BOOT root,
 * sorted as systemd-boot orders them. Never throws.
 */
export function readBlsEntries(files: PartitionFiles, dir: string, partition: string, machine: MachineContext): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const candidates: Candidate[] = [];
  const d = normalizePath(dir);
  collectFolder(files, d, partition, machine, candidates, diagnostics);
  const { conf, file } = loaderConfFor(files, [d], diagnostics);
  return finish(candidates, conf, file, diagnostics);
}

/** Both entries folders of a partition, each once (a `boot -> .` link makes them one). */
function entryFolders(files: PartitionFiles): string[] {
  const found: string[] = [];
  const real = new Set<string>();
  for (const dir of BLS_ENTRY_DIRS) {
    const onDisk = files.findIgnoringCase(dir);
    if (onDisk === undefined || !files.isDir(onDisk)) continue;
    const r = files.realPath(onDisk) ?? onDisk;
    if (real.has(r)) continue;
    real.add(r);
    found.push(onDisk);
  }
  return found;
}

export const blsParser: FormatParser = {
  format: 'bls',
  parse(files, partition, machine) {
    const diagnostics: Diagnostic[] = [];
    const candidates: Candidate[] = [];
    const dirs = entryFolders(files);
    for (const dir of dirs) collectFolder(files, dir, partition, machine, candidates, diagnostics);
    if (dirs.length === 0) return { entries: [], diagnostics };
    const { conf, file } = loaderConfFor(files, dirs, diagnostics);
    return finish(candidates, conf, file, diagnostics);
  },
};
