// `kexec-menu reboot [ID | --default | --menu]`: a fast reboot of an installed system. The
// system's own entries are read where it has them mounted (/, /boot, /boot/efi, /efi:
// src/kexec/installed.ts; nothing is mounted), the entry is planned and loaded by the boot
// path (planBoot, executePlan) and init is asked to stop the services and start it
// (`systemctl kexec`, BusyBox init's restart action); `--handoff direct` only when asked.
// `--default` is what the boot loader would boot, GRUB's one-shot next_entry and
// systemd-boot's LoaderEntryOneShot included, which are then used up as those loaders do:
// next_entry cleared in grubenv (installed-grubenv.ts), the EFI variable removed
// (installed-efi.ts), after the kernel is loaded. `--menu` hands over by the same rule.
import { machineContextFromSystem } from '../machine/context';
import { PARSERS } from '../entries/scan/parsers';
import { scanPartitions } from '../entries/scan/scan';
import type { BootEntry } from '../entries/model';
import type { Menu } from '../entries/scan/scan';
import type { ReadablePartition } from '../fs/files';
import { BootError, explainBootFailure } from '../kexec/errors';
import { executePlan } from '../kexec/execute';
import type { Handoff, HandoffSys } from '../kexec/handoff';
import { EFIVARFS, efiStrings } from '../machine/efivars';
import { unprotect } from '../machine/saved-choice';
import type { KexecFileSys } from '../kexec/loader';
import { type BootPlan, type BootRequest, planBoot, requestFromEntry } from '../kexec/plan';
import { formatPlan, planJson } from '../kexec/plan-format';
import { type RunningSystem, detectRunningSystem } from '../kexec/system';
import { SYSTEM_BOOT_MOUNTS, detectBootloader, installedDefault, lockdownMode, lockdownWarning, noDefaultSentence } from '../kexec/installed';
import { clearNextEntry, grubenvFor, pendingNextEntry } from '../kexec/installed-grubenv';
import { systemdBootDefault } from '../kexec/installed-efi';
import { type ParsedArgs, UsageError, parseArgs, valueOf } from './args';
import { type PartitionSource, SCAN_OPTIONS, openSampleRoots, scanInputs } from './scan-options';
import { jsonLine, writeErr, writeOut } from './output';

const USAGE = 'usage: kexec-menu reboot [ENTRY-ID | --default | --menu] [--append S] [--cmdline S] [--dry-run] [--json] [--handoff direct|init] [--config FILE] [--root DIR...]';

const OPTIONS = {
  config: SCAN_OPTIONS.config!,
  root: SCAN_OPTIONS.root!,
  default: {},
  menu: {},
  cmdline: { value: true },
  append: { value: true },
  'dry-run': {},
  json: {},
  handoff: { value: true },
  help: {},
};

/** The system-call module, loaded only for a real load (it loads koffi). */
export type Sys = KexecFileSys & HandoffSys & { insideImage(): boolean };

/** What `reboot` reads and starts besides the kexec layer; tests hand in their own. */
export interface RebootDeps {
  /** efivarfs: LoaderInfo and systemd-boot's choice (a tmpfs in tests). */
  readonly efivars: string;
  /** Clears an EFI variable's immutable flag before it is changed (a tmpfs needs none). */
  readonly unprotect: (path: string) => void;
  /** `--menu`: the full-screen menu with these arguments, booting through this hand-over. */
  readonly menu: (argv: readonly string[], handoff: Handoff) => Promise<number>;
}

const DEFAULT_DEPS: RebootDeps = {
  efivars: EFIVARFS,
  unprotect,
  menu: async (argv, handoff) => (await import('./menu')).run(argv, undefined, { handoff }),
};

export function loadSysModule(): Sys {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../sys') as Sys;
  } catch (err) {
    throw new BootError(`kexec-menu's system-call module could not be loaded (${err instanceof Error ? err.message.split('\n')[0] : String(err)}), so nothing was loaded.`);
  }
}

/**
 * The running system's boot file systems, where it mounted them (identified, never mounted
 * by kexec-menu): the partitions of a scan without mounting, kept when mounted at one of
 * SYSTEM_BOOT_MOUNTS.
 */
export async function openInstalledPartitions(): Promise<PartitionSource> {
  const { scanDisks } = await import('../disks/discovery');
  const scan = await scanDisks({ mount: false });
  const partitions = scan.partitions.filter((p) => SYSTEM_BOOT_MOUNTS.includes(p.root));
  return { partitions, diagnostics: [], close: async () => void (await scan.close()) };
}

/** The entries of `--root` trees (tests, demos) or of the installed system. */
export async function installedSource(args: ParsedArgs): Promise<{ source: PartitionSource; menu: Menu }> {
  const inputs = scanInputs({ ...args, values: new Map([...args.values].filter(([k]) => k === 'config' || k === 'root')) });
  const source = inputs.roots.length > 0 ? openSampleRoots(inputs.roots) : await openInstalledPartitions();
  return { source, menu: scanPartitions(source.partitions, inputs.settings, machineContextFromSystem(), PARSERS) };
}

/** The entry `id`; throws BootError with the sentence. */
export function pickEntry(menu: Menu, id: string): BootEntry {
  const entry = menu.entries.find((e) => e.id === id);
  if (!entry) throw new BootError(`There is no entry with id ${id} on the system's boot file systems (kexec-menu reboot --dry-run --default shows the default; kexec-menu list --root DIR lists a folder's).`);
  return entry;
}

/** What `--default` boots, and what booting it uses up (run after the load, before the hand-over). */
export interface DefaultPick {
  readonly entry: BootEntry;
  readonly consume?: () => void;
}

/**
 * The boot loader's default (installed.ts): systemd-boot's EFI variables first when it
 * started this boot (installed-efi.ts), GRUB's next_entry when it names the entry.
 */
export function pickDefault(menu: Menu, partitions: readonly ReadablePartition[], deps: Pick<RebootDeps, 'efivars' | 'unprotect'>, notes: string[]): DefaultPick {
  const loader = detectBootloader(menu.entries, deps.efivars);
  const sdboot = loader?.systemdBoot ? systemdBootDefault(menu.entries, partitions, efiStrings(deps.efivars, deps.unprotect)) : undefined;
  const entry = sdboot?.entry ?? (loader && installedDefault(menu.entries, loader));
  if (!loader || !entry) throw new BootError(noDefaultSentence(menu.entries, loader));
  notes.push(loader.why, ...(sdboot?.notes ?? []));
  if (sdboot?.consume) {
    notes.push(sdboot.consumes!);
    return { entry, consume: () => sdboot.consume!(entry) };
  }
  // GRUB's one-shot: booted by --default, then cleared as grub.cfg's save_env does.
  const part = partitions.find((p) => p.info.name === entry.partition.name);
  const grubenv = entry.source.format === 'grub' && part ? grubenvFor(entry, part.root) : undefined;
  const oneShot = grubenv !== undefined ? pendingNextEntry(grubenv) : undefined;
  if (oneShot === undefined) return { entry };
  notes.push(`GRUB's one-shot next_entry=${oneShot} is what GRUB would boot; it is cleared in ${grubenv} once the kernel is loaded, as GRUB clears it after using it.`);
  return { entry, consume: () => clearNextEntry(grubenv!) };
}

function request(args: ParsedArgs, entry: BootEntry): BootRequest {
  const cmdline = valueOf(args, 'cmdline');
  const append = valueOf(args, 'append');
  return { ...requestFromEntry(entry), ...(cmdline !== undefined ? { cmdline } : {}), ...(append !== undefined ? { append } : {}) };
}

function printPlan(plan: BootPlan, json: boolean): void {
  writeOut(json ? jsonLine(planJson(plan)) : `Dry run: nothing is loaded.\n${formatPlan(plan)}`);
}

function fail(sentence: string): number {
  writeErr(`kexec-menu reboot: ${sentence}\n`);
  return 1;
}

/** `--menu`: the menu's arguments for the same file systems (its hand-over is reboot's: run). */
export function menuArgv(args: ParsedArgs, source: PartitionSource): string[] {
  const roots = source.partitions.map((p: ReadablePartition) => {
    const ids = (['uuid', 'partuuid', 'label', 'partlabel', 'name'] as const).flatMap((k) => (p.info[k] ? [`${k}:${p.info[k]}`] : []));
    return `${p.root}${ids.length ? `=${ids.join(',')}` : ''}`;
  });
  const config = valueOf(args, 'config');
  return [...(config ? ['--config', config] : []), ...roots.flatMap((r) => ['--root', r]), ...(args.flags.has('dry-run') ? ['--dry-run'] : [])];
}

export async function run(argv: readonly string[], system: RunningSystem = detectRunningSystem(), sys: () => Sys = loadSysModule, deps: RebootDeps = DEFAULT_DEPS): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.has('help')) {
    writeOut(USAGE + '\n');
    return 0;
  }
  const id = args.positionals[0];
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
  if ([id !== undefined, args.flags.has('default'), args.flags.has('menu')].filter(Boolean).length > 1) throw new UsageError('give one of an entry id, --default and --menu');
  // Through init unless `--handoff direct`, for --menu's boot too (not the settings' handoff).
  const handoffArg = valueOf(args, 'handoff') ?? 'init';
  if (handoffArg !== 'direct' && handoffArg !== 'init') throw new UsageError(`--handoff must be 'direct' or 'init', not '${handoffArg}'`);
  const dryRun = args.flags.has('dry-run');

  const { source, menu } = await installedSource(args);
  try {
    if (args.flags.has('menu')) return await deps.menu(menuArgv(args, source), handoffArg as Handoff);
    const notes: string[] = [];
    const picked: DefaultPick = id !== undefined ? { entry: pickEntry(menu, id) } : pickDefault(menu, source.partitions, deps, notes);
    const planned = await planBoot(request(args, picked.entry), system);
    const warning = lockdownWarning(lockdownMode(), planned.method);
    const plan: BootPlan = { ...planned, warnings: [...planned.warnings, ...(warning ? [warning] : [])], notes: [...notes, ...planned.notes] };
    if (dryRun) {
      printPlan(plan, args.flags.has('json'));
      return 0;
    }
    const s = sys();
    if (!s.insideImage()) return fail('A reboot replaces the running system, and kexec-menu\'s system-call module refuses it here (no /etc/kexec-menu/image); use --dry-run to see the plan.');
    await executePlan(plan, {
      sys: s,
      handoff: handoffArg as Handoff,
      // The system's own mounts are init's to unmount (direct: they are synced, then left).
      unmountAll: async () => [],
      tmpDir: system.tmpDir,
      log: (l) => writeErr(`kexec-menu reboot: ${l}\n`),
      ...(picked.consume ? { beforeHandoff: picked.consume } : {}),
    });
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return fail(err instanceof BootError ? err.sentence : explainBootFailure(err, { stage: 'load', arch: system.arch, isRoot: system.isRoot }));
  } finally {
    await source.close();
  }
}
