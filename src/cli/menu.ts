// `kexec-menu menu`: the boot menu on this terminal (docs/menu.md). Full screen for a named
// TERM, a numbered prompt when TERM is unset or `dumb`. Ends when an entry boots (with
// --dry-run or `dry-run: true`: when its plan is printed) or on `q`.
import { type MachineContext, machineContextFromSystem } from '../machine/context';
import { machineName, productVersion } from '../ui/identity';
import { folderShare } from '../ui/console-share';
import { join } from 'node:path';
import { realClock } from '../ui/clock';
import { fileBackoff } from '../ui/password-backoff';
import { PasswordGate } from '../ui/password-gate';
import { verifyPassword } from '../ui/password';
import { codeCache } from './code-cache-state';
import { type RunOptions, runMenu, terminalMode } from '../ui/run';
import { type PartitionProvider, SystemBackend } from '../ui/system-backend';
import { UsageError, parseArgs, valueOf } from './args';
import { SCAN_OPTIONS, openSampleRoots, scanInputs } from './scan-options';
import type { NetworkSettings, Settings } from '../settings/settings';
import { writeOut } from './output';
import type { ChoiceStore } from '../machine/saved-choice';

const USAGE =
  'usage: kexec-menu menu [--config FILE] [--root DIR[=uuid:X,label:Y,...] ...] [--cmdline STRING] [--dry-run] [--plain] [--ascii] [--consoles DIR]';

/** --consoles DIR: the menus on other console ports share the countdown and the boot through DIR. */
const OPTIONS = { ...SCAN_OPTIONS, 'dry-run': {}, plain: {}, ascii: {}, consoles: { value: true }, help: {} };

/** The settings' or --root's sample trees, as partitions that never change. */
function sampleProvider(roots: Parameters<typeof openSampleRoots>[0]): PartitionProvider {
  const source = openSampleRoots(roots);
  return {
    partitions: () => source.partitions,
    diagnostics: source.diagnostics,
    close: async () => {
      await source.close();
      return [];
    },
  };
}

/**
 * The machine's disks, found and mounted read-only in the background, with hot-plug: the
 * menu is drawn at once and fills in; the countdown waits for the first round to finish.
 */
async function diskProvider(stateLabel?: string, choices?: ChoiceStore): Promise<PartitionProvider> {
  const { watchDisks } = await import('../disks/provider');
  // The settings' state partition is the state store's alone, never mounted for entries.
  const disks = watchDisks(stateLabel !== undefined ? { stateLabel } : {});
  // The state store finds it among this discovery's devices: no device read of its own.
  if (choices && stateLabel !== undefined) (await import('../disks/state-store')).takeDevicesFrom(choices, disks.discovery);
  return disks;
}

/**
 * `network: { enabled: true }`: the boot servers' entries, added as leases arrive; the image's
 * udhcpc bring-up is started here (once per boot, whichever console's menu comes first).
 */
async function networkProvider(settings: NetworkSettings, machine: MachineContext) {
  const { watchNetwork, startNetworkUp } = await import('../net/provider');
  const start = startNetworkUp(settings);
  return watchNetwork({ machine, leaseTimeout: settings.timeout, ...(start ? { start } : {}) });
}

/** Before this, a key counts as held at start (for `timeout: 0`); keys typed during boot are already buffered. */
const START_GRACE_MS = 150;

/** Where the menu reads keys and draws, and the environment that names the terminal. */
export interface MenuIo {
  readonly input: RunOptions['input'];
  readonly output: RunOptions['output'];
  readonly env: NodeJS.ProcessEnv;
  /** Called once the first round is read (the entries present at start are in the menu). */
  readonly onFirstRound?: () => void;
}

/** What the bundle's V8 code cache did for this start (the log panel's first line). */
function codeCacheLine(): string[] {
  const cache = codeCache();
  if (!cache) return [];
  const line = {
    used: `info: V8 code cache used (${cache.file})`,
    rejected: `warning: V8 code cache rejected, made by another node or with other node options; compiled from source (${cache.file})`,
    absent: `info: no V8 code cache; compiled from source (${cache.file})`,
  }[cache.state];
  return [line];
}

/**
 * `io`: the process's terminal unless given (`kexec-menu code-cache` draws into streams of its own).
 * `over`: settings the caller decides (`kexec-menu reboot --menu`: the hand-over through init).
 */
export async function run(argv: readonly string[], io?: MenuIo, over: Partial<Pick<Settings, 'handoff'>> = {}): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.has('help')) {
    writeOut(USAGE + '\n');
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}' (${USAGE.slice(7)})`);
  const inputs = scanInputs(args);
  const settings = { ...inputs.settings, ...over, dryRun: inputs.settings.dryRun || args.flags.has('dry-run') };
  const provider = inputs.roots.length > 0 ? sampleProvider(inputs.roots) : await diskProvider(settings.state?.label, inputs.choices);
  // `default: @saved` remembers each boot in the store it was read from (EFI variables, state partition).
  const choices = inputs.choices;
  // The machine's facts, read once for the disks' readers and the network's.
  const facts = machineContextFromSystem();
  const network = settings.network.enabled ? await networkProvider(settings.network, facts) : undefined;
  const backend = new SystemBackend({ settings, provider, machine: facts, ...(choices ? { choices } : {}), ...(network ? { network } : {}) });
  if (io?.onFirstRound) void backend.firstRound.then(io.onFirstRound);
  const ascii = settings.console.ascii || args.flags.has('ascii');
  const input = io?.input ?? process.stdin;
  const output = io?.output ?? process.stdout;
  const detected = terminalMode(io?.env ?? process.env, ascii);
  const mode = args.flags.has('plain') ? { kind: 'plain' as const, ascii: detected.ascii } : detected;
  const consoles = valueOf(args, 'consoles');
  const version = productVersion();
  const machine = machineName();
  const finish = await runMenu({
    backend,
    settings,
    mode,
    input,
    output,
    product: `kexec-menu${version ? ` ${version}` : ''}`,
    ...(machine ? { machine } : {}),
    startGraceMs: START_GRACE_MS,
    // The password's back-off beside the claims: shared by every console, kept over a respawn.
    ...(consoles !== undefined ? { share: folderShare(consoles), gate: new PasswordGate(settings.password, realClock, verifyPassword, fileBackoff(join(consoles, 'password'))) } : {}),
    startupLog: [...codeCacheLine(), ...inputs.diagnostics.map((d) => `${d.severity}: ${d.file}: ${d.message}`), ...backend.startupLog()],
  });
  await backend.close();
  network?.close();
  if (finish.kind === 'booted') output.write(finish.outcome.text);
  // stdin was put in raw mode and read: let the process end.
  input.pause();
  return 0;
}
