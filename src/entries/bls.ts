// Boot Loader Specification Type #1 entries: /loader/entries/*.conf (on an ESP, an XBOOTLDR
// or a separate /boot partition) and /boot/loader/entries/*.conf (a root file system that
// holds /boot), plus systemd-boot's /loader/loader.conf for the default and the timeout.
//
// The rules are the specification's (uapi-group.org/specifications/specs/boot_loader_specification)
// as systemd 252 implements them — Debian bookworm's systemd-boot and bootctl, which the
// oracle test (test/entries/bls-bootctl.test.ts) runs against our fixtures:
// - a line is `key value`: the first run of spaces/tabs separates them, surrounding
//   whitespace is dropped, `#` starts a comment line; repeated single keys: the last wins;
// - paths are relative to the partition root ($BOOT), with or without a leading '/';
// - order: entries with no boot tries left last; entries with a sort-key before those
//   without; among sort-keyed ones by sort-key, then machine-id (ascending), then version
//   (newest first); then by id, newest first in version order (the id is the file name with
//   its boot counter removed but `.conf` kept, as systemd compares it);
// - the title falls back to the id; titles that collide get the version, then the
//   machine-id, then the id appended, as bootctl shows them;
// - loader.conf `default` is a case-insensitive glob over ids (with `.conf`).
// Where systemd-boot itself drops an entry (another architecture, `auto-*` names) we drop it
// too; `efi` programs are dropped because kexec can only start Linux kernels.
import { globMatch } from './bls-glob';
import type { BootCounting, FormatParser, ParsedEntry, ParseResult, Resource } from './model';
import type { Diagnostic } from '../fs/diagnostic';
import type { MachineContext } from '../machine/context';
import type { PartitionFiles } from '../fs/files';
import { SELF } from './model';
import { basename, dirname, normalizePath } from '../fs/paths';
import { compareVersions } from './version';
import { DiagnosticCap } from './diagnostic-cap';

/** systemd reads config lines up to this length (LONG_LINE_MAX) and rejects the file beyond it. */
const LONG_LINE_MAX = 1024 * 1024;
/** Entry files are a few hundred bytes; past this size a file is junk and reading it only costs time. */
const MAX_FILE_CHARS = 4 * 1024 * 1024;
/** A junk file must not bury the menu's messages: after this many, one summary line. */
const MAX_DIAGNOSTICS_PER_FILE = 20;
/** More entry files than any real folder holds; past it we stop reading (bounded work). */
const MAX_ENTRY_FILES = 2000;
/** Longer loader.conf `default` globs are not ids; refusing them bounds the matching cost. */
const MAX_DEFAULT_PATTERN = 1024;

/** The folders an entries reader looks in, in systemd-boot's order (ESP, then XBOOTLDR-style /boot). */
export const BLS_ENTRY_DIRS: readonly string[] = ['/loader/entries', '/boot/loader/entries'];

/** Fedora's GRUB blscfg extensions: meaningful to GRUB only, so not worth a warning here. */
const GRUB_EXTENSION_KEYS: ReadonlySet<string> = new Set(['grub_users', 'grub_arg', 'grub_class', 'grub_hotkey']);

/** What an entry file's name says: its id and its boot counter (`NAME+LEFT-DONE.conf`). */
export interface BlsFileName {
  /** The name without the boot counter, `.conf` kept: what systemd sorts and `default` matches. */
  readonly id: string;
  /** The id without `.conf`: our stable local id (boot counting renames the file every boot). */
  readonly localId: string;
  readonly bootCounting?: BootCounting;
}

/** Splits an entry file name; undefined when it does not end in `.conf` (any case). */
export function parseBlsFileName(name: string): BlsFileName | undefined {
  if (!/\.conf$/i.test(name) || name.length <= '.conf'.length) return undefined;
  const stem = name.slice(0, -'.conf'.length);
  const suffix = name.slice(-'.conf'.length);
  // As bootctl's boot_filename_extract_tries: the last '+' before the suffix, digits, an
  // optional '-' and digits, and nothing else; counters above INT_MAX are not counters.
  const m = /^(.*)\+(\d+)(?:-(\d+))?$/s.exec(stem);
  if (m && m[1] !== undefined && m[1] !== '') {
    const left = Number(m[2]);
    const done = m[3] === undefined ? 0 : Number(m[3]);
    if (left <= 0x7fffffff && done <= 0x7fffffff) {
      return { id: m[1] + suffix, localId: m[1], bootCounting: { left, done } };
    }
  }
  return { id: name, localId: stem };
}

/** One `key value` line of a BLS-style file. */
export interface BlsLine {
  readonly line: number;
  readonly key: string;
  readonly value: string;
}

/** Collects a file's diagnostics, capped so junk cannot flood the menu. */
class FileDiagnostics {
  readonly list: Diagnostic[] = [];
  private readonly cap = new DiagnosticCap(MAX_DIAGNOSTICS_PER_FILE, this.list);

  constructor(private readonly file: string) {}

  add(severity: Diagnostic['severity'], message: string, line?: number): void {
    this.cap.add({ severity, file: this.file, ...(line !== undefined ? { line } : {}), message });
  }
}

type Lines = { readonly ok: true; readonly lines: BlsLine[] } | { readonly ok: false };

/**
 * Splits a file into key/value lines as systemd does (CR, LF and CRLF end lines). A NUL byte
 * or a line over LONG_LINE_MAX makes the whole file unusable, as in systemd.
 */
function splitKeyLines(text: string, diags: FileDiagnostics): Lines {
  if (text.length > MAX_FILE_CHARS) {
    diags.add('error', `is ${text.length} characters long, far more than any boot entry or loader.conf; not read`);
    return { ok: false };
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    diags.add('error', 'contains NUL bytes, so it is not a text file; not read', lineAt(text, nul));
    return { ok: false };
  }
  const lines: BlsLine[] = [];
  let lineNo = 0;
  // A loop rather than split(): a 10 MB file of bare newlines must not become 10 M strings.
  for (let start = 0; start <= text.length; ) {
    lineNo++;
    let end = start;
    while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
    const next = text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
    if (end - start > LONG_LINE_MAX) {
      diags.add('error', `line is longer than ${LONG_LINE_MAX} characters; the file is not read`, lineNo);
      return { ok: false };
    }
    const line = trimBlanks(text.slice(start, end));
    start = next;
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([^ \t]+)(?:[ \t]+(.*))?$/s.exec(line);
    if (!m) continue;
    lines.push({ line: lineNo, key: m[1]!, value: m[2] ?? '' });
  }
  return { ok: true, lines };
}

/** Drops spaces and tabs at both ends (a loop: a trailing-blank RegExp is quadratic on long lines). */
function trimBlanks(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s[start] === ' ' || s[start] === '\t')) start++;
  while (end > start && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  return s.slice(start, end);
}

/** The 1-based line of a character, counting CR, LF and CRLF line ends as the splitter does. */
function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/**
 * The `key value` lines of a BLS entry or loader.conf, with the same syntax rules and limits
 * as the entry reader, for readers with their own semantics (GRUB's blscfg splits `initrd`
 * values and expands `$variables`). `lines` is undefined when the file cannot be read as text.
 */
export function splitBlsLines(text: string, file: string): { lines?: BlsLine[]; diagnostics: Diagnostic[] } {
  const diags = new FileDiagnostics(file);
  const split = splitKeyLines(text, diags);
  return split.ok ? { lines: split.lines, diagnostics: diags.list } : { diagnostics: diags.list };
}

/** A BLS path (relative to $BOOT, leading '/' optional) as a path inside the partition. */
function blsPath(key: string, value: string, line: number, diags: FileDiagnostics): string | undefined {
  // systemd refuses a trailing '/': entries name files, never folders.
  if (value.endsWith('/')) {
    diags.add('warning', `'${key}' names a folder (${value}); line ignored`, line);
    return undefined;
  }
  return normalizePath(value);
}

function resource(path: string): Resource {
  return { partition: SELF, path };
}

/** What the ordering and the title rules need besides the entry itself. */
interface Candidate {
  readonly entry: ParsedEntry;
  readonly id: string;
  readonly machineId?: string;
  /** The `title` key, before any fallback or disambiguation. */
  readonly ownTitle?: string;
}

type Detailed = { readonly candidate?: Candidate; readonly diagnostics: Diagnostic[] };

/** The first GRUB-style `$variable` in a value, if any (Fedora's `$kernelopts`, `$tuned_params`). */
function grubVariable(value: string): string | undefined {
  return /\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(value)?.[0];
}

function parseDetailed(text: string, file: string, partition: string, machine: MachineContext): Detailed {
  const diags = new FileDiagnostics(file);
  const name = parseBlsFileName(basename(file)) ?? { id: basename(file), localId: basename(file) };
  const split = splitKeyLines(text, diags);
  if (!split.ok) return { diagnostics: diags.list };

  let title: string | undefined;
  let version: string | undefined;
  let machineId: string | undefined;
  let sortKey: string | undefined;
  let architecture: string | undefined;
  let architectureLine = 0;
  let efiLine = 0;
  let linux: string | undefined;
  let efi: string | undefined;
  let devicetree: string | undefined;
  const initrds: string[] = [];
  const overlays: string[] = [];
  const options: string[] = [];

  for (const { line, key, value } of split.lines) {
    if (value === '') {
      // systemd accepts these two empty (an empty list); any other key needs a value.
      if (key !== 'options' && key !== 'devicetree-overlay') diags.add('warning', `'${key}' has no value; line ignored`, line);
      continue;
    }
    switch (key) {
      case 'title':
        title = value;
        break;
      case 'version':
        version = value;
        break;
      case 'machine-id':
        machineId = value;
        break;
      case 'sort-key':
        sortKey = value;
        break;
      case 'architecture':
        architecture = value;
        architectureLine = line;
        break;
      case 'options':
        options.push(value);
        break;
      case 'linux':
        linux = blsPath(key, value, line, diags) ?? linux;
        break;
      case 'efi':
        efi = blsPath(key, value, line, diags) ?? efi;
        efiLine = line;
        break;
      case 'devicetree':
        devicetree = blsPath(key, value, line, diags) ?? devicetree;
        break;
      case 'initrd': {
        const p = blsPath(key, value, line, diags);
        if (p !== undefined) initrds.push(p);
        break;
      }
      case 'devicetree-overlay':
        for (const part of value.split(/[ \t]+/)) {
          const p = part === '' ? undefined : blsPath(key, part, line, diags);
          if (p !== undefined) overlays.push(p);
        }
        break;
      default:
        if (!GRUB_EXTENSION_KEYS.has(key)) diags.add('warning', `unknown key '${key}' ignored`, line);
    }
  }

  if (architecture !== undefined && architecture.toLowerCase() !== machine.efiArch.toLowerCase()) {
    diags.add('info', `entry is for architecture ${architecture}, not this machine's ${machine.efiArch}; not listed`, architectureLine);
    return { diagnostics: diags.list };
  }
  if (linux === undefined) {
    if (efi !== undefined) diags.add('info', `entry starts an EFI program (${efi}), which kexec cannot run; not listed`, efiLine);
    else diags.add('error', `entry has no 'linux' key, so there is no kernel to boot; not listed`);
    return { diagnostics: diags.list };
  }
  if (efi !== undefined) diags.add('info', `entry names both a kernel and an EFI program (${efi}); booting the kernel`, efiLine);

  const cmdline = options.join(' ');
  const notes: string[] = [];
  const counting = name.bootCounting;
  if (counting !== undefined && counting.left === 0) {
    notes.push(
      counting.done > 0
        ? `no boot tries left: it failed to boot ${counting.done} time${counting.done === 1 ? '' : 's'}`
        : 'no boot tries left: systemd-boot counts it as failed',
    );
  }
  const variable = grubVariable(cmdline) ?? initrds.map(grubVariable).find((v) => v !== undefined);
  if (variable !== undefined) notes.push(`it uses the GRUB variable ${variable}, which only GRUB expands (from grubenv), so it is passed as written`);

  const entry: ParsedEntry = {
    localId: name.localId,
    title: title ?? name.id,
    ...(version !== undefined ? { version } : {}),
    kernel: resource(linux),
    initrds: initrds.map(resource),
    ...(devicetree !== undefined ? { devicetree: { kind: 'file' as const, resource: resource(devicetree) } } : {}),
    overlays: overlays.map(resource),
    cmdline,
    reuseCmdline: false,
    ...(architecture !== undefined ? { architecture } : {}),
    ...(sortKey !== undefined ? { sortKey } : {}),
    isDefault: false,
    ...(counting !== undefined ? { bootCounting: counting } : {}),
    notes,
    source: { format: 'bls', file, line: 1, partition },
  };
  return {
    candidate: { entry, id: name.id, ...(machineId !== undefined ? { machineId } : {}), ...(title !== undefined ? { ownTitle: title } : {}) },
    diagnostics: diags.list,
  };
}

/**
 * Parses one entry file (`file` is its path inside the partition, used for the id and the
 * messages). Paths stay relative to the partition root as written. Never throws.
 */
export function parseBlsEntryFile(text: string, file: string, partition: string, machine: MachineContext): { entry?: ParsedEntry; diagnostics: Diagnostic[] } {
  const { candidate, diagnostics } = parseDetailed(text, file, partition, machine);
  return candidate ? { entry: candidate.entry, diagnostics } : { diagnostics };
}

// ---------------------------------------------------------------------------------------------
// Ordering

/** systemd's strcmp_ptr: a missing value sorts before any present one. */
function compareOptional(a: string | undefined, b: string | undefined, compare: (x: string, y: string) => number): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compare(a, b);
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** systemd-boot's config_entry_compare (systemd 252), which bootctl's order agrees with. */
function compareBlsCandidates(a: Candidate, b: Candidate): number {
  const aBad = a.entry.bootCounting?.left === 0;
  const bBad = b.entry.bootCounting?.left === 0;
  if (aBad !== bBad) return aBad ? 1 : -1;
  const aKey = a.entry.sortKey;
  const bKey = b.entry.sortKey;
  if ((aKey === undefined) !== (bKey === undefined)) return aKey === undefined ? 1 : -1;
  if (aKey !== undefined && bKey !== undefined) {
    const r =
      byCodeUnits(aKey, bKey) ||
      compareOptional(a.machineId, b.machineId, byCodeUnits) ||
      -compareOptional(a.entry.version, b.entry.version, compareVersions);
    if (r !== 0) return r;
  }
  const byId = -compareVersions(a.id, b.id);
  if (byId !== 0) return byId;
  // Same id at two counter states: more tries left first, then fewer done (systemd-boot).
  const ac = a.entry.bootCounting;
  const bc = b.entry.bootCounting;
  if (ac && bc) {
    const r = bc.left - ac.left || ac.done - bc.done;
    if (r !== 0) return r;
  }
  return byCodeUnits(a.entry.source.file, b.entry.source.file);
}

/** bootctl's boot_entries_uniquify: disambiguate equal titles by version, machine-id, id. */
function uniquifyTitles(list: readonly Candidate[]): string[] {
  const shown = list.map((c) => c.entry.title);
  const steps: Array<(c: Candidate) => string | undefined> = [(c) => c.entry.version, (c) => c.machineId, (c) => c.id];
  for (const extra of steps) {
    const counts = new Map<string, number>();
    for (const t of shown) counts.set(t, (counts.get(t) ?? 0) + 1);
    if (shown.every((t) => counts.get(t) === 1)) break;
    const clashing = shown.map((t) => (counts.get(t) ?? 0) > 1);
    list.forEach((c, i) => {
      const value = extra(c);
      if (clashing[i] && value !== undefined) shown[i] = `${shown[i]} (${value})`;
    });
  }
  return shown;
}

// ---------------------------------------------------------------------------------------------
// loader.conf

interface LoaderConf {
  readonly defaultPattern?: string;
  readonly timeout?: number;
}

/** systemd-boot's /loader/loader.conf: only what a menu needs (default, timeout). */
function readLoaderConf(files: PartitionFiles, path: string, out: Diagnostic[]): LoaderConf | undefined {
  const text = files.readText(path);
  if (text === undefined) return undefined;
  const diags = new FileDiagnostics(path);
  const split = splitKeyLines(text, diags);
  let defaultPattern: string | undefined;
  let timeout: number | undefined;
  if (split.ok) {
    for (const { line, key, value } of split.lines) {
      if (key === 'timeout') {
        if (/^\d+$/.test(value) && Number(value) <= 0xffffffff) timeout = Number(value);
        else if (value === 'menu-hidden') timeout = 0;
        else if (value === 'menu-force') {
          timeout = undefined;
          diags.add('info', 'timeout menu-force: systemd-boot waits for a choice here', line);
        } else diags.add('warning', `timeout '${value}' is not a number of seconds, menu-force or menu-hidden; ignored`, line);
      } else if (key === 'default') {
        if (value.startsWith('@') && value.toLowerCase() !== '@saved') {
          diags.add('warning', `default '${value}' is not an entry id glob or @saved; ignored`, line);
        } else if (value.length > MAX_DEFAULT_PATTERN) {
          diags.add('warning', `default is longer than ${MAX_DEFAULT_PATTERN} characters, so it is no entry id; ignored`, line);
        } else {
          defaultPattern = value;
        }
      }
      // Other keys (editor, console-mode, beep, …) concern systemd-boot's own screen.
    }
  }
  out.push(...diags.list);
  return { ...(defaultPattern !== undefined ? { defaultPattern } : {}), ...(timeout !== undefined ? { timeout } : {}) };
}

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
    diagnostics.push({ severity: 'warning', file: dir, message: `${confs.length} entry files; only the first ${MAX_ENTRY_FILES} are read` });
  }
  for (const n of confs.slice(0, MAX_ENTRY_FILES)) {
    const file = dir === '/' ? `/${n}` : `${dir}/${n}`;
    if (!files.isFile(file)) continue;
    if (n.toLowerCase().startsWith('auto-')) {
      diagnostics.push({ severity: 'info', file, message: "names starting with 'auto-' are reserved for systemd-boot's own entries; not listed" });
      continue;
    }
    const text = files.readText(file);
    if (text === undefined) {
      diagnostics.push({ severity: 'error', file, message: 'entry file cannot be read' });
      continue;
    }
    const { candidate, diagnostics: d } = parseDetailed(text, file, partition, machine);
    diagnostics.push(...d);
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
      diagnostics.push({ severity: 'warning', file: c.entry.source.file, message: `same entry id '${c.entry.localId}' as ${first}, which is listed instead` });
      continue;
    }
    seen.set(c.entry.localId, c.entry.source.file);
    unique.push(c);
  }
  const titles = uniquifyTitles(unique);

  let defaultIndex = -1;
  const pattern = conf?.defaultPattern;
  if (pattern !== undefined && confFile !== undefined) {
    if (pattern.toLowerCase() === '@saved') {
      diagnostics.push({ severity: 'info', file: confFile, message: 'default @saved means the entry booted last, which systemd-boot keeps in an EFI variable; no entry is marked default' });
    } else {
      defaultIndex = unique.findIndex((c) => globMatch(pattern, c.id));
      if (defaultIndex < 0) diagnostics.push({ severity: 'warning', file: confFile, message: `default '${pattern}' matches no listed entry` });
    }
  }
  const entries = unique.map((c, i) => ({ ...c.entry, title: titles[i]!, isDefault: i === defaultIndex }));
  return { entries, diagnostics, ...(conf?.timeout !== undefined ? { configTimeout: conf.timeout } : {}) };
}

function loaderConfFor(files: PartitionFiles, dirs: readonly string[], diagnostics: Diagnostic[]): { conf?: LoaderConf; file?: string } {
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
