// What every command that scans takes (`list`, `menu`): --config FILE, --root DIR[=key:value,…]
// (repeatable), --cmdline STRING. Turns them into settings and the partitions to read.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Diagnostic } from '../fs/diagnostic';
import type { ReadablePartition } from '../fs/files';
import { openRoot } from '../disks/roots';
import { DEFAULT_SETTINGS, type ScanRoot, type Settings } from '../settings/settings';
import { IMAGE_SETTINGS_FILE, SettingsError, applyCmdline, readSettingsFile } from '../settings/load';
import { UsageError, type OptionSpec, type ParsedArgs, valueOf } from './args';
import { SAVED } from '../entries/scan/saved';
import type { ChoiceStore, SavedChoice } from '../machine/saved-choice';
import { writeErr } from './output';

export const SCAN_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  config: { value: true },
  root: { value: true, repeat: true },
  cmdline: { value: true },
};

const ROOT_KEYS = ['uuid', 'partuuid', 'label', 'partlabel', 'name'] as const;
type RootKey = (typeof ROOT_KEYS)[number];

/**
 * `DIR`, or `DIR=uuid:X,label:Y,name:Z`: the identity follows the last '=' that starts a
 * known key, so a folder name may itself contain '='.
 */
export function parseRootArg(arg: string): ScanRoot {
  const m = /^(.*)=((?:uuid|partuuid|label|partlabel|name):.*)$/s.exec(arg);
  if (!m) {
    if (arg === '') throw new UsageError('--root needs a folder');
    return { path: arg };
  }
  const root: { -readonly [K in keyof ScanRoot]: ScanRoot[K] } = { path: m[1]! };
  if (root.path === '') throw new UsageError(`--root ${arg}: the folder is missing before '='`);
  for (const part of m[2]!.split(',')) {
    const colon = part.indexOf(':');
    const key = part.slice(0, colon);
    const value = part.slice(colon + 1);
    if (colon === -1 || !(ROOT_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`--root ${arg}: '${part}' is not KEY:VALUE with KEY one of ${ROOT_KEYS.join(', ')}`);
    }
    if (value === '') throw new UsageError(`--root ${arg}: ${key} has no value`);
    root[key as RootKey] = value;
  }
  return root;
}

/** Partitions to read, and how to let go of them (unmount) when done. */
export interface PartitionSource {
  readonly partitions: readonly ReadablePartition[];
  readonly diagnostics: readonly Diagnostic[];
  close(): Promise<void>;
}

/**
 * The machine's real disks, mounted read-only by src/disks/discovery (outside the image only
 * what is already mounted is read). close() unmounts them, last first, and prints what could
 * not be unmounted. Loaded here so that --root runs do not load it.
 */
/** `stateLabel`: the settings' state partition, which is never mounted for its entries. */
export async function openDiskPartitions(stateLabel?: string): Promise<PartitionSource> {
  const { scanDisks } = await import('../disks/discovery');
  const scan = await scanDisks(stateLabel !== undefined ? { stateLabel } : {});
  return {
    partitions: scan.partitions,
    diagnostics: scan.diagnostics,
    close: async () => {
      for (const failure of await scan.close()) writeErr(`kexec-menu: ${failure}\n`);
    },
  };
}

/** Opens sample trees; a folder that is not there is an error diagnostic, not the end. */
export function openSampleRoots(roots: readonly ScanRoot[]): PartitionSource {
  const partitions: ReadablePartition[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const r of roots) {
    const p = openRoot(r);
    if (p) partitions.push(p);
    else diagnostics.push({ severity: 'error', file: r.path, message: 'root folder is not there; skipped' });
  }
  return { partitions, diagnostics, close: async () => {} };
}

export interface ScanInputs {
  /** With `default: @saved` on the real disks, the remembered choice as read at start. */
  readonly settings: Settings & { readonly saved?: SavedChoice };
  /** Warnings from the kernel command line. */
  readonly diagnostics: readonly Diagnostic[];
  /** Sample trees given by --root or the settings; empty means the real disks. */
  readonly roots: readonly ScanRoot[];
  /** With `default: @saved` on the real disks: where the choice is kept (EFI variables, or the settings' state partition). */
  readonly choices?: ChoiceStore;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readProcCmdline(): string {
  try {
    return readFileSync('/proc/cmdline', 'utf8');
  } catch {
    return '';
  }
}

/**
 * Settings and roots from the options. The kernel command line is --cmdline, else
 * /proc/cmdline — but only when scanning the real disks: a demo on sample trees must not
 * pick up options meant for the machine it runs on.
 */
export function scanInputs(args: ParsedArgs): ScanInputs {
  const rootArgs = (args.values.get('root') ?? []).map(parseRootArg);
  const given = valueOf(args, 'config');
  const file = given ?? (existsSync(IMAGE_SETTINGS_FILE) ? IMAGE_SETTINGS_FILE : undefined);
  const explicit = valueOf(args, 'cmdline');
  for (const r of rootArgs) {
    if (!isFolder(r.path)) throw new UsageError(`--root ${r.path}: not a folder`);
  }
  try {
    // The file first, so that the decision about /proc/cmdline can see the settings' roots.
    const fromFile = file === undefined ? DEFAULT_SETTINGS : readSettingsFile(file);
    const roots = rootArgs.length > 0 ? rootArgs : fromFile.roots;
    const loaded = applyCmdline(fromFile, explicit ?? (roots.length > 0 ? '' : readProcCmdline()));
    // `default: @saved` reads this machine's EFI variables (or the settings' state partition):
    // only for its real disks, as /proc/cmdline. Loaded only then (it brings disk code).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const store = roots.length === 0 && loaded.settings.default.toLowerCase() === SAVED ? (require('../disks/state-store') as typeof import('../disks/state-store')).choiceStoreFor(loaded.settings) : undefined;
    const saved = store ? { saved: store.read() } : {};
    return { settings: { ...loaded.settings, roots, ...saved }, diagnostics: loaded.diagnostics, roots, ...(store ? { choices: store } : {}) };
  } catch (err) {
    if (err instanceof SettingsError) throw new UsageError(err.message);
    throw err;
  }
}

export async function openPartitions(inputs: ScanInputs): Promise<PartitionSource> {
  return inputs.roots.length > 0 ? openSampleRoots(inputs.roots) : openDiskPartitions(inputs.settings.state?.label);
}
