// `kexec-menu boot`: plans the boot of one entry (or of a kernel given by path) and, inside
// the image, loads it and hands over. `--dry-run` prints the plan and calls nothing.
import { statSync } from 'node:fs';
import { machineContextFromSystem } from '../machine/context';
import { openImageMenus } from '../disks/roots';
import { PARSERS } from '../entries/scan/parsers';
import { scanPartitions } from '../entries/scan/scan';
import { BootError, explainBootFailure } from '../kexec/errors';
import { executePlan } from '../kexec/execute';
import { type Handoff, handOverDirect, type HandoffSys } from '../kexec/handoff';
import type { KexecFileSys } from '../kexec/loader';
import { type BootRequest, planBoot, requestFromEntry } from '../kexec/plan';
import { formatPlan, planJson } from '../kexec/plan-format';
import { detectRunningSystem } from '../kexec/system';
import { type ParsedArgs, UsageError, parseArgs, valueOf } from './args';
import { SCAN_OPTIONS, openPartitions, scanInputs, type PartitionSource } from './scan-options';
import { NET_OPTIONS, NET_USAGE, lookupFromArgs, withNetwork } from './net-options';
import { downloadFiles, needsDownload, type Downloaded } from '../net/download';
import { scanNetwork } from '../net/source';
import { NetError } from '../net/transfer';
import { jsonLine, writeErr, writeOut } from './output';

const USAGE =
  'usage: kexec-menu boot ENTRY-ID|--kernel FILE [--initrd FILE]... [--dtb FILE|DIR] [--cmdline S] [--append S] [--reuse-cmdline] ' +
  '[--config FILE] [--root DIR...] [--dry-run] [--json] [--handoff direct|init] [--no-checks] ' + NET_USAGE + ' | boot --exec-loaded';

const OPTIONS = {
  config: SCAN_OPTIONS.config!,
  root: SCAN_OPTIONS.root!,
  ...NET_OPTIONS,
  kernel: { value: true },
  initrd: { value: true, repeat: true },
  dtb: { value: true },
  cmdline: { value: true },
  append: { value: true },
  'reuse-cmdline': {},
  'dry-run': {},
  json: {},
  handoff: { value: true },
  'no-checks': {},
  'exec-loaded': {},
  help: {},
};

/** The system-call module, loaded only for a real boot (it loads koffi). */
type Sys = KexecFileSys & HandoffSys & { insideImage(): boolean };
function loadSys(): Sys {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../sys') as Sys;
  } catch (err) {
    throw new BootError(`kexec-menu's system-call module could not be loaded (${err instanceof Error ? err.message.split('\n')[0] : String(err)}), so nothing was loaded.`);
  }
}

/** The settings part of the options: scan-options' --cmdline means kexec-menu's own options. */
function scanArgs(args: ParsedArgs): ParsedArgs {
  return { ...args, values: new Map([...args.values].filter(([k]) => k === 'config' || k === 'root')) };
}

function devicetreeArg(path: string): NonNullable<BootRequest['devicetree']> {
  try {
    return statSync(path).isDirectory() ? { kind: 'dir', path } : { kind: 'file', path };
  } catch {
    return { kind: 'file', path }; // the planner reports it missing
  }
}

/** The request, from an entry of the menu or from --kernel, with the options' overrides. */
function buildRequest(args: ParsedArgs, entryRequest: BootRequest | undefined): BootRequest {
  const kernel = valueOf(args, 'kernel');
  const initrds = args.values.get('initrd');
  const dtb = valueOf(args, 'dtb');
  const cmdline = valueOf(args, 'cmdline');
  const append = valueOf(args, 'append');
  const base: BootRequest = entryRequest ?? { label: kernel!, kernel: kernel!, initrds: [], overlays: [], cmdline: '', reuseCmdline: false };
  return {
    ...base,
    ...(initrds ? { initrds } : {}),
    ...(dtb !== undefined ? { devicetree: devicetreeArg(dtb) } : {}),
    ...(cmdline !== undefined ? { cmdline } : {}),
    ...(append !== undefined ? { append } : {}),
    reuseCmdline: base.reuseCmdline || args.flags.has('reuse-cmdline'),
  };
}

/** A whole download (kernel, initrds, device tree) ends by then, whatever the server does. */
const NET_DOWNLOAD_MS = 600_000;
/** Progress is printed every this many bytes. */
const PROGRESS_STEP = 4 << 20;

function fail(sentence: string): number {
  writeErr(`kexec-menu boot: ${sentence}\n`);
  return 1;
}

async function execLoaded(): Promise<number> {
  let sys: Sys;
  try {
    sys = loadSys();
  } catch (err) {
    return fail(explainBootFailure(err, { stage: 'exec' }));
  }
  if (!sys.insideImage()) return fail('--exec-loaded reboots the machine, so it runs only inside the kexec-menu image.');
  try {
    await handOverDirect({ sys, unmountAll: async () => [] });
  } catch (err) {
    return fail(explainBootFailure(err, { stage: 'exec' }));
  }
  return 0;
}

export async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.has('help')) {
    writeOut(USAGE + '\n');
    return 0;
  }
  if (args.flags.has('exec-loaded')) return execLoaded();
  const id = args.positionals[0];
  const kernel = valueOf(args, 'kernel');
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
  if ((id === undefined) === (kernel === undefined)) throw new UsageError(`give an entry id or --kernel FILE (${USAGE.slice(7)})`);
  const handoffArg = valueOf(args, 'handoff');
  if (handoffArg !== undefined && handoffArg !== 'direct' && handoffArg !== 'init') throw new UsageError(`--handoff must be 'direct' or 'init', not '${handoffArg}'`);

  const inputs = scanInputs(scanArgs(args));
  const dryRun = args.flags.has('dry-run') || inputs.settings.dryRun;
  const handoff: Handoff = (handoffArg as Handoff | undefined) ?? inputs.settings.handoff;
  const system = detectRunningSystem();

  const lookup = lookupFromArgs(args);
  let source: PartitionSource | undefined;
  let downloaded: Downloaded | undefined;
  try {
    let entryRequest: BootRequest | undefined;
    if (id !== undefined) {
      // --net alone reads the boot server only, as `list --net` does.
      source = lookup && inputs.roots.length === 0 ? { partitions: [], diagnostics: [], close: async () => {} } : await openPartitions(inputs);
      const machine = machineContextFromSystem();
      const disks = scanPartitions(source.partitions, inputs.settings, machine, PARSERS, openImageMenus(inputs.settings.menus));
      const menu = lookup ? withNetwork(disks, await scanNetwork(lookup, machine), inputs.settings) : disks;
      let entry = menu.entries.find((e) => e.id === id);
      if (!entry) return fail(`There is no entry with id ${id} (kexec-menu list shows the ids).`);
      if (entry.resolution.ok && needsDownload(entry.resolution.files)) {
        // Even a dry run downloads: the plan reads the kernel's header, and the download is what can fail.
        let shown = -1;
        downloaded = await downloadFiles(entry.resolution.files, loadSys(), {
          deadline: Date.now() + NET_DOWNLOAD_MS,
          onProgress: (url, n, total) => {
            const step = Math.floor(n / PROGRESS_STEP);
            if (step === shown && n !== total) return;
            shown = step;
            writeErr(`kexec-menu boot: ${url}: ${n}${total !== undefined ? ` of ${total}` : ''} bytes\n`);
          },
        });
        entry = { ...entry, resolution: { ok: true, files: downloaded.files } };
      }
      entryRequest = requestFromEntry(entry);
    }
    const plan = await planBoot(buildRequest(args, entryRequest), system);

    if (dryRun) {
      writeOut(args.flags.has('json') ? jsonLine(planJson(plan)) : `Dry run: nothing is loaded.\n${formatPlan(plan)}`);
      return 0;
    }

    const sys = loadSys();
    if (!sys.insideImage()) return fail('Loading a kernel replaces the running system, so kexec-menu does it only inside its own image; use --dry-run to see the plan here.');
    await executePlan(plan, {
      sys,
      handoff,
      unmountAll: async () => {
        const parts = source;
        source = undefined; // closed here, not again in `finally`
        await parts?.close();
        return [];
      },
      tmpDir: system.tmpDir,
      noChecks: args.flags.has('no-checks'),
      log: (l) => writeErr(`kexec-menu boot: ${l}\n`),
    });
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (err instanceof BootError) return fail(err.sentence);
    if (err instanceof NetError) return fail(`${err.message}; nothing was loaded.`);
    return fail(explainBootFailure(err, { stage: 'load', arch: system.arch, isRoot: system.isRoot }));
  } finally {
    downloaded?.close();
    await source?.close();
  }
}
