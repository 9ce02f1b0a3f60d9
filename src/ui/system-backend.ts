// The menu's backend on a real machine (or the demo's sample trees): the scanner for the
// entries, the kexec layer for booting (plan, read-ahead with progress, load, hand over),
// src/sys for reboot and power-off, /bin/sh for the rescue shell. In a dry run nothing is
// loaded, rebooted or started: the plan is printed, the rest says what it would have done.
import type { BootEntry } from '../entries/model';
import type { Diagnostic } from '../fs/diagnostic';
import type { MachineContext } from '../machine/context';
import type { ReadablePartition } from '../fs/files';
import { openImageMenus } from '../disks/roots';
import { runningArch } from '../machine/arch';
import { type Menu, type PartitionScan, type ScanSettings, buildMenu, parseImageMenus, parsePartition } from '../entries/scan/scan';
import { BootError, explainBootFailure } from '../kexec/errors';
import type { HandoffSys } from '../kexec/handoff';
import type { KexecFileSys } from '../kexec/loader';
import type { BootPlan } from '../kexec/plan';
import type { RunningSystem } from '../kexec/system';
import { cpuParkingWarning, cpuParkingWarningHere } from '../kexec/psci';
import type { Settings } from '../settings/settings';
import type { BackendListener, BootOutcome, BootProgress, BootRequest, MenuBackend, NetworkWait, PowerAction, TerminalLoan } from './backend';
import { readAhead } from './read-ahead';
import type { ChoiceStore } from '../machine/saved-choice';
import { withNetwork } from '../net/merge';
import type { NetworkProvider } from '../net/provider';

/** Where the partitions come from: sample trees, or the disks (mounted read-only). */
export interface PartitionProvider {
  /** The partitions present now. */
  partitions(): readonly ReadablePartition[];
  readonly diagnostics: readonly Diagnostic[];
  /** Unmounts what was mounted; returns what stayed mounted. */
  close(): Promise<string[]>;
  /** Devices still being looked for partitions (the menu marks them "scanning..."). */
  scanning?(): readonly string[];
  /** Hot-plug: called with what came and went after each change (both may be empty). */
  onChange?(fn: (added: readonly ReadablePartition[], removed: readonly ReadablePartition[]) => void): void;
  /** Looks for partitions again (a rescan); resolves when done. */
  refresh?(): Promise<void>;
  /** Whether the first round of discovery is over. */
  isSettled?(): boolean;
  onSettled?(fn: () => void): void;
  onLog?(fn: (line: string) => void): void;
}

/** The system-call module (src/sys), loaded only for a real boot or power action (it loads koffi). */
type Sys = KexecFileSys & HandoffSys & { insideImage(): boolean; reboot(how: 'kexec' | 'restart' | 'power-off'): never };

export interface SystemBackendOptions {
  readonly settings: ScanSettings & Pick<Settings, 'dryRun' | 'handoff' | 'menus'>;
  readonly provider: PartitionProvider;
  readonly machine: MachineContext;
  /** The running system for planning (tests give another machine). */
  readonly system?: () => RunningSystem;
  readonly loadSys?: () => Sys;
  /** The rescue shell. */
  readonly shell?: string;
  /**
   * With `default: @saved`: where the choice is remembered (the EFI variables, or the state
   * partition the settings name). Read again at each rebuild of the menu while it has nothing
   * to say (a state partition arrives with the disks: the state store looks for it among the
   * disk discovery's devices, reading no device at a rebuild); a real boot records the entry there once
   * the kernel is loaded, just before the hand-over, and consumes the one-shot; a dry run, or
   * a load that fails, writes nothing.
   */
  readonly choices?: ChoiceStore;
  /** `network: { enabled: true }`: the boot servers' entries, filled in as leases arrive (src/net/provider.ts). */
  readonly network?: NetworkProvider;
}

/**
 * The kexec layer, loaded on first use (a boot, a device-tree note, the background checks
 * that start after the first frame): loading it up front cost the first frame about 10 ms
 * with the bundle on Node 22 (bench/).
 */
function kexec() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const execute = require('../kexec/execute') as typeof import('../kexec/execute');
  const inspect = require('../kexec/inspect') as typeof import('../kexec/inspect');
  const plan = require('../kexec/plan') as typeof import('../kexec/plan');
  const planFormat = require('../kexec/plan-format') as typeof import('../kexec/plan-format');
  const dtb = require('../kexec/dtb-match') as typeof import('../kexec/dtb-match');
  const system = require('../kexec/system') as typeof import('../kexec/system');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    executePlan: execute.executePlan,
    kexecVerdictOfFile: inspect.kexecVerdictOfFile,
    planBoot: plan.planBoot,
    requestFromEntry: plan.requestFromEntry,
    formatPlan: planFormat.formatPlan,
    chooseDeviceTree: dtb.chooseDeviceTree,
    detectRunningSystem: system.detectRunningSystem,
  };
}
let kexecLayer: ReturnType<typeof kexec> | undefined;
const kexecLayerLoaded = () => (kexecLayer ??= kexec());

/** One turn of the event loop: what is waiting (a key, a timer, a draw) goes first. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** At most this often a progress report goes to the screen (bytes on a slow line). */
const PROGRESS_INTERVAL_MS = 100;

function loadRealSys(): Sys {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../sys') as Sys;
  } catch (err) {
    throw new BootError(`kexec-menu's system-call module could not be loaded (${err instanceof Error ? err.message.split('\n')[0] : String(err)}).`);
  }
}

function diagnosticLine(d: Diagnostic): string {
  return `${d.severity}: ${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}`;
}

export class SystemBackend implements MenuBackend {
  private menu: Menu;
  private readonly scans = new Map<string, PartitionScan>();
  private imageScans: PartitionScan[] = [];
  private readonly listeners = new Set<BackendListener>();
  private readonly kernelChecks = new Map<string, Promise<string | undefined>>();
  /** Partitions present at start and not read yet (the first round): a "scanning..." heading each. */
  private readonly unread = new Map<string, ReadablePartition>();
  private providerSettled: boolean;
  private firstRoundOver = false;
  private readonly loadSys: () => Sys;
  /**
   * Resolves when the first round is read: the image's menus and the partitions the provider
   * had at start, one per event-loop turn after the menu's first frame (which therefore waits
   * for no reader), so that keys are taken between them and the entries fill in as they come.
   */
  readonly firstRound: Promise<void>;

  constructor(private readonly o: SystemBackendOptions) {
    this.loadSys = o.loadSys ?? loadRealSys;
    for (const p of o.provider.partitions()) this.unread.set(p.root, p);
    this.menu = this.build();
    this.providerSettled = o.provider.isSettled?.() ?? true;
    o.provider.onSettled?.(() => {
      this.providerSettled = true;
      this.settleIfOver();
    });
    o.provider.onLog?.((line) => this.log(line));
    o.network?.onLog((line) => this.log(line));
    o.network?.onChange((note) => this.publish(note));
    o.provider.onChange?.((added, removed) => {
      for (const p of removed) {
        this.scans.delete(p.root);
        this.unread.delete(p.root);
      }
      for (const p of added) this.read(p);
      const names = (ps: readonly ReadablePartition[]) => ps.map((p) => p.info.name).join(', ');
      const note = [added.length ? `New: ${names(added)}.` : '', removed.length ? `Gone: ${names(removed)}.` : ''].filter(Boolean).join(' ');
      this.publish(note || undefined);
    });
    this.firstRound = this.readFirstRound();
  }

  /** Every format's reader on one partition; its entries count at the next build. */
  private read(p: ReadablePartition): void {
    this.scans.set(p.root, parsePartition(p, this.o.settings, this.o.machine));
  }

  private readImageMenus(): void {
    this.imageScans = parseImageMenus(openImageMenus(this.o.settings.menus), this.o.machine);
  }

  private async readFirstRound(): Promise<void> {
    // One turn at least, so that the controller (made after the backend) is listening when the
    // round's diagnostics and summary are logged. A reader waits one turn more, until the first
    // frame is out: blessed writes what the view drew on a turn queued after this one (as the
    // background checks wait, checks.ts). With nothing to read, the round ends after the one turn.
    await nextTurn();
    if (this.o.settings.menus.length > 0 || this.unread.size > 0) await nextTurn();
    this.readImageMenus();
    this.publish('');
    for (const p of this.unread.values()) {
      await nextTurn();
      // Gone meanwhile (hot-plug): nothing to read.
      if (!this.unread.delete(p.root)) continue;
      this.read(p);
      this.publish('');
    }
    this.firstRoundOver = true;
    const m = this.menu;
    for (const d of m.diagnostics) this.log(diagnosticLine(d));
    this.log(`${this.scans.size} partitions read: ${m.entries.length} entries, default ${m.defaultId ?? 'none'}${this.o.settings.dryRun ? ' (dry run)' : ''}.`);
    this.settleIfOver();
  }

  /** Settled: the provider's first round is over, and every partition it had at start is read. */
  private settleIfOver(): void {
    if (!this.isSettled()) return;
    for (const l of this.listeners) l.settled();
  }

  /** What the provider said at start (folders that are not there), for the log. */
  startupLog(): string[] {
    return this.o.provider.diagnostics.map(diagnosticLine);
  }

  private build(): Menu {
    const present = this.o.provider.partitions();
    const scans = present.map((p) => this.scans.get(p.root)).filter((s): s is PartitionScan => s !== undefined);
    const settings = this.o.choices ? { ...this.o.settings, saved: this.o.choices.read() } : this.o.settings;
    const disks = buildMenu([...scans, ...this.imageScans], present, settings);
    // Each boot server's entries after the disks', in a section of their own.
    return (this.o.network?.scans() ?? []).reduce((m, n) => withNetwork(m, n, this.o.settings), disks);
  }

  private publish(note?: string): void {
    this.menu = this.build();
    for (const l of this.listeners) l.menu(this.menu, note);
  }

  private log(line: string): void {
    for (const l of this.listeners) l.log(line);
  }

  current(): Menu {
    return this.menu;
  }

  isSettled(): boolean {
    return this.providerSettled && this.firstRoundOver;
  }

  network(): NetworkWait | undefined {
    return this.o.network;
  }

  scanning(): readonly string[] {
    const unread = [...this.unread.values()].map((p) => p.info.name);
    return [...unread, ...(this.o.provider.scanning?.() ?? []), ...(this.o.network?.pending() ?? [])];
  }

  subscribe(listener: BackendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async rescan(): Promise<void> {
    await this.o.provider.refresh?.();
    this.scans.clear();
    this.unread.clear();
    this.kernelChecks.clear();
    for (const p of this.o.provider.partitions()) this.read(p);
    this.readImageMenus();
    const before = this.menu.entries.length;
    this.menu = this.build();
    for (const d of this.menu.diagnostics) if (d.severity !== 'info') this.log(diagnosticLine(d));
    const note = `Rescanned ${this.o.provider.partitions().length} partitions: ${this.menu.entries.length} entries (${before} before).`;
    for (const l of this.listeners) l.menu(this.menu, note);
  }

  async boot(entry: BootEntry, request: BootRequest): Promise<BootOutcome> {
    // A boot server's entry: its files are downloaded into memfds first, the gauge in bytes.
    const fetched = await this.o.network?.fetchFiles(entry, () => this.loadSys(), request.progress);
    try {
      return await this.bootFiles(fetched?.entry ?? entry, request);
    } finally {
      fetched?.close();
    }
  }

  private async bootFiles(entry: BootEntry, request: BootRequest): Promise<BootOutcome> {
    const { detectRunningSystem, requestFromEntry, planBoot, formatPlan, executePlan } = kexecLayerLoaded();
    const system = (this.o.system ?? detectRunningSystem)();
    const base = requestFromEntry(entry);
    const plan: BootPlan = await planBoot(request.cmdline !== undefined ? { ...base, cmdline: request.cmdline } : base, system);
    for (const w of plan.warnings) this.log(`warning: ${w}`);
    for (const n of plan.notes) this.log(`note: ${n}`);
    await this.readFiles(entry, plan, request.progress);
    if (this.o.settings.dryRun) return { kind: 'dry-run', text: `Dry run: nothing is loaded.\n${formatPlan(plan)}` };

    const sys = this.loadSys();
    if (!sys.insideImage()) throw new BootError('Loading a kernel replaces the running system, so kexec-menu does it only inside its own image; --dry-run shows the plan here.');
    await executePlan(plan, {
      sys,
      handoff: this.o.settings.handoff,
      // Before the hand-over unmounts the disks: a state partition is mounted and unmounted on its own.
      beforeHandoff: () => this.remember(entry),
      unmountAll: () => this.o.provider.close(),
      tmpDir: system.tmpDir,
      log: (l) => this.log(l),
    });
    return { kind: 'started', text: `Started ${plan.kernel.path}; init is handing over to it.\n` };
  }

  /** Records the boot in the choice store; a store that cannot be written costs the boot nothing. */
  private remember(entry: BootEntry): void {
    if (!this.o.choices) return;
    try {
      this.o.choices.booted(entry.id);
      this.log(`Remembered ${entry.id} as the last choice.`);
    } catch (err) {
      this.log(`warning: the last choice could not be remembered: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async readFiles(entry: BootEntry, plan: BootPlan, progress: (p: BootProgress) => void): Promise<void> {
    const files = [
      { path: plan.kernel.path, label: entry.kernel.path, size: plan.kernel.size },
      ...plan.initrds.map((f, i) => ({ path: f.path, label: entry.initrds[i]?.path ?? f.path, size: f.size })),
    ];
    let last = 0;
    try {
      await readAhead(files, (p) => {
        const now = Date.now();
        if (p.done !== p.total && now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        progress(p);
      });
    } catch (err) {
      const path = (err as { path?: string }).path;
      throw new BootError(explainBootFailure(err, { stage: 'read', ...(path ? { file: path } : {}) }), (err as { code?: string }).code);
    }
  }

  async power(action: PowerAction): Promise<string> {
    const what = action === 'reboot' ? 'reboot' : 'power off';
    if (this.o.settings.dryRun) return `Dry run: this would ${what} the machine now.`;
    const sys = this.loadSys();
    if (!sys.insideImage()) throw new BootError(`kexec-menu would ${what} only inside its own image; it is not running there.`);
    sys.sync();
    const busy = await this.o.provider.close();
    if (busy.length > 0) this.log(`Could not unmount ${busy.join(', ')}; they are mounted read-only.`);
    sys.sync();
    try {
      sys.reboot(action === 'reboot' ? 'restart' : 'power-off');
    } catch (err) {
      throw new BootError(`The machine did not ${what}: ${err instanceof Error ? err.message : String(err)}.`);
    }
    throw new BootError(`reboot(2) returned without the machine going to ${what}.`);
  }

  async shell(terminal: TerminalLoan): Promise<string> {
    const program = this.o.shell ?? '/bin/sh';
    if (this.o.settings.dryRun) return `Dry run: this would start a rescue shell (${program}) on this console.`;
    terminal.release();
    let status: number | null = null;
    let error: string | undefined;
    try {
      process.stdout.write(`Rescue shell (${program}). Leave it with 'exit' to come back to the menu.\r\n`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
      const r = spawnSync(program, [], { stdio: 'inherit' });
      status = r.status;
      if (r.error) error = r.error.message;
    } finally {
      terminal.reclaim();
    }
    if (error) throw new BootError(`${program} could not be started: ${error}.`);
    return `The rescue shell ended (status ${status ?? 'unknown'}).`;
  }

  private parkingWarning: string | null | undefined;

  machineWarning(): string | undefined {
    if (this.parkingWarning === undefined) {
      // Read once: sysfs only (psci.ts), so the first frame does not load the kexec layer.
      const system = this.o.system?.();
      this.parkingWarning = (system ? cpuParkingWarning(system.cpuParking, system.arch) : cpuParkingWarningHere(process.arch)) ?? null;
    }
    return this.parkingWarning ?? undefined;
  }

  check(entry: BootEntry): Promise<string | undefined> {
    if (!entry.resolution.ok) return Promise.resolve(entry.resolution.reason);
    // Nothing of a boot server's kernel is here before the boot downloads it.
    if (this.o.network?.isRemote(entry)) return Promise.resolve(undefined);
    const path = entry.resolution.files.kernel;
    let verdict = this.kernelChecks.get(path);
    if (!verdict) {
      const { kexecVerdictOfFile } = kexecLayerLoaded();
      const arch = this.o.system ? this.o.system().arch : runningArch();
      verdict = kexecVerdictOfFile(path, arch).then(
        (v) => (v.ok ? undefined : v.reason),
        (err: unknown) => {
          const text = err instanceof Error ? err.message : String(err);
          // The sentence names the file first ("PATH: the image is truncated…"); the menu shows it beside the entry.
          return text.startsWith(`${path}: `) ? text.slice(path.length + 2).replace(/\.$/, '') : text.replace(/\.$/, '');
        },
      );
      this.kernelChecks.set(path, verdict);
    }
    return verdict;
  }

  deviceTree(entry: BootEntry): string | undefined {
    const dt = entry.resolution.ok ? entry.resolution.files.devicetree : undefined;
    if (!dt) return undefined;
    if (dt.kind === 'file') return 'the entry names this file';
    try {
      return kexecLayerLoaded().chooseDeviceTree(dt.path, this.o.machine.compatible, dt.preferred).reason;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  async close(): Promise<void> {
    await this.o.provider.close();
  }
}
