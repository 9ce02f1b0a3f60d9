// The scanner: every enabled format's reader on every partition, then one menu out of all of
// them. It is split in two so the disks/hot-plug layer can re-read only the partition that
// changed (parsePartition, cacheable per partition) and cheaply rebuild the whole menu
// (buildMenu: ids, resolution against the partitions present now, dedupe, default).
import { join } from 'node:path';
import { chooseDefault } from './default';
import { IdAllocator, entryId } from './ids';
import type { BootEntry, Format, FormatParser, ParsedEntry } from '../model';
import type { Diagnostic } from '../../fs/diagnostic';
import type { MachineContext } from '../../machine/context';
import type { ReadablePartition } from '../../fs/files';
import { readProblemDiagnostic } from '../../fs/regular-file';
import { PARSERS, type ParserRegistry } from './parsers';
import { resolveEntry, withRootNote } from './resolve';
import { imageMenuParser } from '../yaml-menu';
import { type ConfigOrigin, type TrustSettings, withTrust } from './trust';
import type { SavedChoice } from './saved';
import { type ConfigTimeout, type DefaultOrigin, type TimeoutSettings, type TimeoutSource, menuTimeout } from './timeout';

/** What one partition's configs say: parsed once, reused until that partition changes. */
export interface PartitionScan {
  readonly partition: ReadablePartition;
  /** In settings.formats order, each format's entries in that format's own order. */
  readonly entries: readonly ParsedEntry[];
  /** With `file` made a host path (joined to the partition's root). */
  readonly diagnostics: readonly Diagnostic[];
  /** Each format's own menu timeout here, and where it is set: with `timeout: from-default`, the default entry's decides. */
  readonly configTimeouts: ReadonlyMap<Format, ConfigTimeout>;
  /** 'image': the image's own menus (settings.menus), trusted as the settings are; default 'disk'. */
  readonly origin?: ConfigOrigin;
}

/** The menu: what the UI shows and `kexec-menu list` prints. */
export interface Menu {
  readonly entries: readonly BootEntry[];
  /** The entry to boot when the timeout runs out; undefined when nothing can boot. */
  readonly defaultId?: string;
  readonly diagnostics: readonly Diagnostic[];
  /** Seconds; 0 boots at once, -1 waits forever (the settings', or the default entry's config's). */
  readonly timeout: number;
  /** Where `timeout` comes from (absent in menus made by hand, as the UI tests do). */
  readonly timeoutSource?: TimeoutSource;
}

/** The part of the settings the scanner reads (the settings module satisfies it; this one imports nothing of it). */
export interface ScanSettings extends TimeoutSettings, TrustSettings {
  /** Formats to read, in the order their entries are listed on a partition. */
  readonly formats: readonly Format[];
  /** 'auto' or a glob matched against entry ids, then titles. */
  readonly default: string;
  /** With `default: @saved`: the remembered choice (src/machine/saved-choice.ts reads it). */
  readonly saved?: SavedChoice;
  /** Where the settings came from, for messages about `default`. */
  readonly file?: string;
  readonly defaultOrigin?: string;
}

function hostDiagnostic(root: string, d: Diagnostic): Diagnostic {
  if (!d.file.startsWith('/')) return d;
  return { ...d, file: d.file === '/' ? root : join(root, d.file) };
}

function runParser(parser: FormatParser, part: ReadablePartition, machine: MachineContext): ReturnType<FormatParser['parse']> {
  try {
    return parser.parse(part.files, part.info.name, machine);
  } catch (err) {
    // Readers must not throw; if one does, it costs only that format's entries here.
    const why = err instanceof Error ? err.message : String(err);
    return { entries: [], diagnostics: [{ severity: 'error', file: '/', message: `the ${parser.format} reader failed on partition ${part.info.name}: ${why}` }] };
  }
}

/** Runs each enabled format's reader on one partition. */
export function parsePartition(
  part: ReadablePartition,
  settings: Pick<ScanSettings, 'formats'>,
  machine: MachineContext,
  parsers: ParserRegistry = PARSERS,
): PartitionScan {
  return parseWith(
    part,
    settings.formats.flatMap((f) => parsers[f] ?? []),
    machine,
  );
}

/**
 * The most entries one format's configs on one partition may add to the menu. Real systems
 * have tens; a hostile or broken config (a loop that makes 200,000) is cut here with a
 * diagnostic, so the menu and every other partition's entries stay.
 */
export const MAX_ENTRIES_PER_READER = 10_000;

function parseWith(part: ReadablePartition, parsers: readonly FormatParser[], machine: MachineContext): PartitionScan {
  const entries: ParsedEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const configTimeouts = new Map<Format, ConfigTimeout>();
  // Every reader looks on the same tree: what one learns of it, the next need not ask again.
  const pass: ReadablePartition = { ...part, files: part.files.forOnePass() };
  for (const parser of parsers) {
    const result = runParser(parser, pass, machine);
    // Loops, not push(...spread): a spread of a few hundred thousand entries overflows the
    // stack, which would cost every partition's entries, not this config's.
    const kept = Math.min(result.entries.length, MAX_ENTRIES_PER_READER);
    for (let i = 0; i < kept; i++) entries.push(result.entries[i]!);
    for (const d of result.diagnostics) diagnostics.push(hostDiagnostic(part.root, d));
    if (result.entries.length > kept) {
      const file = result.entries[kept]!.source.file;
      diagnostics.push(hostDiagnostic(part.root, { severity: 'error', file, message: `the ${parser.format} configs of this partition make ${result.entries.length} entries; only the first ${kept} are listed` }));
    }
    if (result.configTimeout !== undefined) {
      configTimeouts.set(parser.format, { seconds: result.configTimeout, ...(result.configTimeoutAt ? { at: result.configTimeoutAt } : {}) });
    }
  }
  // What the readers were refused (special files, files too large) or got changed (invalid
  // UTF-8), each file once for all the readers that looked at it.
  for (const p of pass.files.readProblems()) diagnostics.push(hostDiagnostic(part.root, readProblemDiagnostic(p)));
  return { partition: part, entries, diagnostics, configTimeouts };
}

/**
 * The YAML menus shipped with the image (settings.menus folders, opened by the caller as
 * partitions of their own: see disks/roots.ts): a path without `partition:` in them is
 * inside that folder.
 */
export function parseImageMenus(menus: readonly ReadablePartition[], machine: MachineContext): PartitionScan[] {
  return menus.map((part) => {
    const scan: PartitionScan = { ...parseWith(part, [imageMenuParser], machine), origin: 'image' };
    if (part.files.isDir('/')) return scan;
    return { ...scan, diagnostics: [...scan.diagnostics, { severity: 'warning', file: part.root, message: 'menus folder is not there' }] };
  });
}

/** The files an entry boots, whatever its command line. */
function filesKey(e: BootEntry): string | undefined {
  if (!e.resolution.ok) return undefined;
  const f = e.resolution.files;
  return JSON.stringify([f.kernel, f.initrds, f.devicetree ?? null, f.overlays]);
}

/** The identity of what an entry boots: two entries with the same one are the same choice. */
function bootKey(e: BootEntry): string | undefined {
  const files = filesKey(e);
  return files === undefined ? undefined : JSON.stringify([files, e.cmdline, e.reuseCmdline]);
}

/** A command line still holding a GRUB variable (Fedora's BLS `options $kernelopts`). */
const UNEXPANDED = /\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_])/;

/**
 * Drops what would show one choice twice: a loose kernel that another entry already boots
 * (that entry knows its cmdline and initrd); exact duplicates such as Fedora's BLS entries
 * read both directly and through GRUB's blscfg; and an entry whose command line still holds a
 * GRUB variable when another entry boots the same files with it expanded (only GRUB's blscfg
 * knows `$kernelopts`, from grubenv: the literal copy would boot with a broken command line).
 * The first is kept; it inherits `default`.
 */
export function dedupe(entries: readonly BootEntry[]): BootEntry[] {
  const bootedKernels = new Set<string>();
  const expandedFiles = new Set<string>();
  for (const e of entries) {
    if (!e.resolution.ok) continue;
    if (e.source.format !== 'loose') bootedKernels.add(e.resolution.files.kernel);
    if (!UNEXPANDED.test(e.cmdline)) expandedFiles.add(filesKey(e)!);
  }
  const kept: BootEntry[] = [];
  const byKey = new Map<string, number>();
  let orphanDefault: string | undefined; // files key of a dropped literal default
  for (const e of entries) {
    if (e.source.format === 'loose' && e.resolution.ok && bootedKernels.has(e.resolution.files.kernel)) continue;
    const files = filesKey(e);
    if (files !== undefined && UNEXPANDED.test(e.cmdline) && expandedFiles.has(files)) {
      if (e.isDefault) orphanDefault = files;
      continue;
    }
    const key = bootKey(e);
    if (key === undefined) {
      kept.push(e);
      continue;
    }
    const inherits = orphanDefault !== undefined && orphanDefault === files;
    if (inherits) orphanDefault = undefined;
    const first = byKey.get(key);
    if (first === undefined) {
      byKey.set(key, kept.length);
      kept.push(inherits && !e.isDefault ? { ...e, isDefault: true } : e);
    } else if ((e.isDefault || inherits) && !kept[first]!.isDefault) {
      kept[first] = { ...kept[first]!, isDefault: true };
    }
  }
  return kept;
}

/**
 * One menu out of the scans, in their order. `partitions` are the partitions present now,
 * which cross-partition references (UUID=…, LABEL=…) resolve against.
 */
export function buildMenu(scans: readonly PartitionScan[], partitions: readonly ReadablePartition[], settings: ScanSettings): Menu {
  const ids = new IdAllocator();
  const all: BootEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const scanOf = new Map<string, PartitionScan>();
  for (const scan of scans) {
    const info = scan.partition.info;
    for (const e of scan.entries) {
      const id = ids.take(entryId(info, e.source.format, e.localId));
      scanOf.set(id, scan);
      const entry: BootEntry = { ...withRootNote(e, scan.partition, partitions), id, partition: info, resolution: resolveEntry(e, scan.partition, partitions) };
      all.push(withTrust(entry, scan.partition, partitions, settings, scan.origin ?? 'disk'));
    }
    for (const d of scan.diagnostics) diagnostics.push(d);
  }
  const entries = dedupe(all);
  const choice = chooseDefault(entries, settings.default, settings.defaultOrigin ?? settings.file ?? 'settings', settings.saved);
  for (const d of choice.diagnostics) diagnostics.push(d);
  const timeout = menuTimeout(settings, defaultOrigin(entries, choice.id, scanOf));
  return { entries, ...(choice.id !== undefined ? { defaultId: choice.id } : {}), diagnostics, ...timeout };
}

/** The format and partition the default entry was read from, with that format's timeout there. */
function defaultOrigin(entries: readonly BootEntry[], id: string | undefined, scanOf: ReadonlyMap<string, PartitionScan>): DefaultOrigin | undefined {
  const entry = id === undefined ? undefined : entries.find((e) => e.id === id);
  const scan = id === undefined ? undefined : scanOf.get(id);
  if (!entry || !scan) return undefined;
  const config = scan.configTimeouts.get(entry.source.format);
  return { format: entry.source.format, partition: scan.partition.info.name, root: scan.partition.root, ...(config ? { config } : {}) };
}

/** Reads every partition and the image's menus (see parseImageMenus), and builds the menu. */
export function scanPartitions(
  partitions: readonly ReadablePartition[],
  settings: ScanSettings,
  machine: MachineContext,
  parsers: ParserRegistry = PARSERS,
  imageMenus: readonly ReadablePartition[] = [],
): Menu {
  const scans = [...partitions.map((p) => parsePartition(p, settings, machine, parsers)), ...parseImageMenus(imageMenus, machine)];
  return buildMenu(scans, partitions, settings);
}
