// `kexec-menu crash load|status|unload`: the crash kernel (kdump). `load` plans the kernel
// as `boot` does (planBoot: loader, inspection, sentences), with the crash command line of
// src/kexec/crash.ts, after checking that crashkernel= reserved memory, and loads it with
// loadPlan(…, { crash: true }): kexec_file_load(KEXEC_FILE_ON_CRASH), the native
// kexec_load(KEXEC_ON_CRASH) or `kexec -p`. Nothing is handed over: a panic starts it.
import { BootError, explainBootFailure } from '../kexec/errors';
import { FileLoadLoader, type KexecLoader, KexecToolsLoader, loadPlan } from '../kexec/loader';
import { NativeLoader, nativeCrashRefusal } from '../kexec/native-loader';
import { type BootRequest, planBoot, requestFromEntry } from '../kexec/plan';
import { formatPlan, planJson } from '../kexec/plan-format';
import { type RunningSystem, detectRunningSystem } from '../kexec/system';
import { crashCmdline, describeCrashState, readCrashState, reservationProblem, sizeProblem } from '../kexec/crash';
import { type ParsedArgs, UsageError, parseArgs, valueOf } from './args';
import { type Sys, installedSource, loadSysModule, pickEntry } from './reboot';
import { jsonLine, writeErr, writeOut } from './output';

const USAGE =
  'usage: kexec-menu crash load [ENTRY-ID | --kernel FILE [--initrd FILE]...] [--cmdline S | --unit NAME --init PATH --rdinit PATH --append S] [--dry-run] [--json] [--config FILE] [--root DIR...]\n' +
  '       kexec-menu crash status [--json]\n' +
  '       kexec-menu crash unload';

const OPTIONS = {
  config: { value: true },
  root: { value: true, repeat: true },
  kernel: { value: true },
  initrd: { value: true, repeat: true },
  cmdline: { value: true },
  unit: { value: true },
  init: { value: true },
  rdinit: { value: true },
  append: { value: true },
  'dry-run': {},
  json: {},
  help: {},
};

/** What the command reads and calls; tests hand in their own. */
export interface CrashDeps {
  readonly system: () => RunningSystem;
  readonly sys: () => Sys;
  /** Where /sys is read from (/sys/kernel/kexec_crash_size, kexec_crash_loaded). */
  readonly root: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const DEFAULT_DEPS: CrashDeps = {
  system: () => detectRunningSystem(),
  sys: loadSysModule,
  root: '/',
  out: (t) => writeOut(t),
  err: (t) => writeErr(t),
};

/** The crash command line: --cmdline as given, else the running one as crash.ts changes it. */
function cmdlineFor(args: ParsedArgs, system: RunningSystem): string {
  const given = valueOf(args, 'cmdline');
  if (given !== undefined) {
    for (const k of ['unit', 'init', 'rdinit', 'append']) if (args.values.has(k)) throw new UsageError(`--cmdline gives the whole command line; --${k} cannot be added to it`);
    return given;
  }
  const opt = (k: string) => valueOf(args, k);
  return crashCmdline(system.procCmdline, {
    ...(opt('unit') !== undefined ? { unit: opt('unit')! } : {}),
    ...(opt('init') !== undefined ? { init: opt('init')! } : {}),
    ...(opt('rdinit') !== undefined ? { rdinit: opt('rdinit')! } : {}),
    ...(opt('append') !== undefined ? { append: opt('append')! } : {}),
  });
}

async function requestFor(args: ParsedArgs, cmdline: string): Promise<BootRequest> {
  const id = args.positionals[0];
  const kernel = valueOf(args, 'kernel');
  if ((id === undefined) === (kernel === undefined)) throw new UsageError('give an entry id or --kernel FILE');
  if (kernel !== undefined) return { label: kernel, kernel, initrds: args.values.get('initrd') ?? [], overlays: [], cmdline, reuseCmdline: false };
  const { source, menu } = await installedSource(args);
  try {
    const entry = requestFromEntry(pickEntry(menu, id!));
    return { ...entry, ...(args.values.has('initrd') ? { initrds: args.values.get('initrd')! } : {}), cmdline, reuseCmdline: false };
  } finally {
    await source.close();
  }
}

async function load(args: ParsedArgs, deps: CrashDeps): Promise<number> {
  const system = deps.system();
  const state = readCrashState(deps.root);
  const problem = reservationProblem(state, system.arch);
  const plan = await planBoot(await requestFor(args, cmdlineFor(args, system)), system);
  // Before the dry run's plan is printed: the loader would refuse it the same way.
  if (plan.method === 'kexec_load' && plan.native?.arch !== 'arm64') throw nativeCrashRefusal();
  const tooBig = problem ? undefined : sizeProblem(plan.kernel.size + plan.initrdSize, state.reserved!);
  // crash: the method line names the on-crash call (plan-format.ts), as loadPlan makes it.
  const crashPlan = {
    ...plan,
    crash: true,
    label: `${plan.label} (crash kernel)`,
    warnings: [...(problem ? [problem] : []), ...(tooBig ? [tooBig] : []), ...plan.warnings],
    notes: ['As a crash kernel: into the memory crashkernel= reserved; a panic starts it.', ...plan.notes],
  };
  if (args.flags.has('dry-run')) {
    deps.out(args.flags.has('json') ? jsonLine(planJson(crashPlan)) : `Dry run: nothing is loaded.\n${formatPlan(crashPlan)}`);
    return 0;
  }
  if (problem) throw new BootError(problem);
  if (tooBig) throw new BootError(tooBig, 'ENOMEM');
  const sys = deps.sys();
  if (!sys.insideImage()) throw new BootError('Loading a crash kernel changes what the running system does when it panics, and kexec-menu\'s system-call module refuses it here (no /etc/kexec-menu/image); use --dry-run to see the plan.');
  const loader = await loadPlan(crashPlan, { sys: () => sys, tmpDir: system.tmpDir, crash: true, log: (l) => deps.err(`kexec-menu crash: ${l}\n`) });
  deps.out(`Crash kernel ${plan.kernel.path} loaded with ${loader.method} into the ${Math.round(state.reserved! / 1048576)} MiB crashkernel= reserved; a panic starts it.\ncmdline: ${plan.cmdline}\n`);
  return 0;
}

/** Unloads through kexec_file_load, else kexec_load, else kexec-tools (whichever the kernel has). */
async function unload(deps: CrashDeps): Promise<number> {
  const system = deps.system();
  const sys = deps.sys();
  if (!sys.insideImage()) throw new BootError('Unloading the crash kernel changes what the running system does when it panics, and kexec-menu\'s system-call module refuses it here (no /etc/kexec-menu/image).');
  const loaders: KexecLoader[] = [new FileLoadLoader(sys, true), new NativeLoader({ sys, iomem: () => '', runningFdt: () => undefined, crash: true })];
  if (system.kexecProgram) loaders.push(new KexecToolsLoader(system.kexecProgram, { tmpDir: system.tmpDir, crash: true }));
  let last: unknown;
  for (const l of loaders) {
    try {
      await l.unload();
      deps.out('No crash kernel is loaded now.\n');
      return 0;
    } catch (err) {
      last = err;
      if (!(err instanceof BootError) || err.code !== 'ENOSYS') break;
    }
  }
  throw last;
}

function status(args: ParsedArgs, deps: CrashDeps): number {
  const state = readCrashState(deps.root);
  if (args.flags.has('json')) deps.out(jsonLine(state));
  else deps.out(describeCrashState(state, deps.system().arch) + '\n');
  return state.loaded ? 0 : 3;
}

export async function run(argv: readonly string[], deps: CrashDeps = DEFAULT_DEPS): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(rest, OPTIONS);
  if (sub === undefined || sub === '--help' || args.flags.has('help')) {
    deps.out(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'load' && args.positionals.length + args.values.size > 0) throw new UsageError(`crash ${sub} takes no entry or file (${USAGE})`);
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
  try {
    if (sub === 'load') return await load(args, deps);
    if (sub === 'unload') return await unload(deps);
    if (sub === 'status') return status(args, deps);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    deps.err(`kexec-menu crash ${sub}: ${err instanceof BootError ? err.sentence : explainBootFailure(err, { stage: sub === 'unload' ? 'unload' : 'load' })}\n`);
    return 1;
  }
  throw new UsageError(`unknown crash command '${sub}' (load, status, unload)`);
}
