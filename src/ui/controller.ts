// The menu's state and behaviour, without any drawing: the entries and actions, the
// selection (by id), the overlays (help, dialog, password, editor, boot in progress), the
// status message, the log and booting. Keys go in (handleKey), backend events go in; out come
// change notifications naming the parts of the screen to redraw, so a countdown tick touches
// only the status line. It is the facade the view and the tests use; its parts are the
// countdown (countdown.ts), the background kernel checks (checks.ts) and what each key does
// (key-handler.ts); which entries boot by themselves is the scanner's rule (entries/scan/default.ts).
import { bootOrder } from '../entries/scan/default';
import { defaultAwaitsNetwork } from '../net/merge';
import type { BootEntry } from '../entries/model';
import type { Menu } from '../entries/scan/scan';
import type { MenuBackend, PowerAction, TerminalLoan } from './backend';
import { BackgroundChecks } from './checks';
import { type Clock, realClock } from './clock';
import { ALONE, type ConsoleShare } from './console-share';
import { AutoBoot, type Countdown } from './countdown';
import { KeyHandler, type MenuCommands } from './key-handler';
import { type Key, keyLabel } from './keys';
import { type Finish, type MenuSettings, type Overlay, type Part, sentenceOf } from './menu-state';
import { PasswordGate } from './password-gate';
import { type Row, type SelectableRow, buildRows, firstSelectable, isSelectable, lastSelectable, moveSelection, rowIndex } from './rows';

export type { Countdown } from './countdown';
export type { Finish, MenuSettings, Overlay, Part } from './menu-state';

export interface ControllerOptions {
  readonly backend: MenuBackend;
  readonly settings: MenuSettings;
  readonly clock?: Clock;
  /**
   * How long after start a key still counts as "held at start" for `timeout: 0` (and
   * before any countdown starts): keys typed while the kernel was still booting sit in the
   * terminal's buffer and arrive in the first reads.
   */
  readonly startGraceMs?: number;
  /** The password check (tests pass a cheap one). */
  readonly gate?: PasswordGate;
  /** The menus on the machine's other consoles (default: none). */
  readonly share?: ConsoleShare;
}

/** Lines kept in the log panel. */
export const LOG_LINES = 500;

export class MenuController {
  private menu: Menu;
  private rows: Row[] = [];
  private selectedId: string | undefined;
  /** The user moved the selection; until then it follows the menu's default as disks come in. */
  private selectionMoved = false;
  private readonly share: ConsoleShare;
  private overlayState: Overlay = { kind: 'none' };
  private messageText = '';
  private readonly lines: string[] = [];
  private linesLogged = 0;
  private detailsShown = true;
  private logShown = false;
  private readonly deviceTrees = new Map<string, string>();
  private readonly listeners: ((parts: ReadonlySet<Part>) => void)[] = [];
  private readonly finishListeners: ((f: Finish) => void)[] = [];
  private readonly checks: BackgroundChecks;
  private readonly auto: AutoBoot;
  private readonly keys: KeyHandler;
  private readonly unsubscribe: () => void;
  private terminal: TerminalLoan | undefined;
  private pending = new Set<Part>();
  private batching = 0;

  /** Rows PgUp/PgDn move: set by the view to the list's visible height. */
  pageSize = 10;

  constructor(private readonly options: ControllerOptions) {
    const clock = options.clock ?? realClock;
    const gate = options.gate ?? new PasswordGate(options.settings.password, clock);
    const settled = options.backend.isSettled();
    this.share = options.share ?? ALONE;
    this.menu = options.backend.current();
    this.rebuild();
    this.selectedId = this.menu.defaultId ?? this.selectableAt(firstSelectable(this.rows))?.id;
    this.checks = new BackgroundChecks({ backend: options.backend, entries: () => this.menu.entries, changed: () => this.changed('list', 'details', 'status'), settled });
    this.auto = new AutoBoot({
      clock,
      // With `timeout: from-default` the menu's (the default entry's config's) when the countdown starts.
      timeout: options.settings.timeoutFromDefault ? () => this.menu.timeout : options.settings.timeout,
      settled,
      network: options.backend.network?.(),
      startGraceMs: options.startGraceMs ?? 0,
      share: this.share,
      hooks: {
        canBoot: () => this.candidates().length > 0,
        hasEntries: () => this.menu.entries.length > 0,
        awaitsNetwork: () => defaultAwaitsNetwork(this.menu.entries, this.candidates().length > 0, options.settings.default),
        boot: () => void this.bootDefault(),
        changed: () => this.changed('status'),
        message: (text) => this.setMessage(text),
        log: (line) => this.log(line),
      },
    });
    this.keys = new KeyHandler(this, this.commands(), gate, clock);
    this.unsubscribe = options.backend.subscribe({
      menu: (menu, note) => this.onMenu(menu, note),
      log: (line) => this.log(line),
      settled: () => {
        this.auto.settled();
        this.checks.settle();
      },
    });
    // After the caller has attached its listeners (the view, the end of the menu).
    void Promise.resolve().then(() => this.auto.tryStart());
  }

  // --- reading the state (for the view) ---

  /** Whether partitions or devices are still being read (their "scanning..." headings are in the list). */
  get scanning(): boolean {
    return (this.options.backend.scanning?.() ?? []).length > 0;
  }

  get entries(): readonly BootEntry[] {
    return this.menu.entries;
  }
  get listRows(): readonly Row[] {
    return this.rows;
  }
  get selectedIndex(): number {
    return rowIndex(this.rows, this.selectedId);
  }
  get selected(): SelectableRow | undefined {
    return this.selectableAt(this.selectedIndex);
  }
  get defaultId(): string | undefined {
    return this.menu.defaultId;
  }
  get overlay(): Overlay {
    return this.overlayState;
  }
  get countdown(): Countdown {
    return this.auto.view;
  }
  get message(): string {
    return this.messageText;
  }
  get logLines(): readonly string[] {
    return this.lines;
  }
  /** Lines ever logged (the panel is fed the difference). */
  get logTotal(): number {
    return this.linesLogged;
  }
  get showDetails(): boolean {
    return this.detailsShown;
  }
  get showLog(): boolean {
    return this.logShown;
  }
  get editorAllowed(): boolean {
    return this.options.settings.editor;
  }
  get shellAllowed(): boolean {
    return this.options.settings.shell;
  }
  /** Why an entry cannot boot (unresolved files, or the background check), or undefined. */
  cannotBoot(entry: BootEntry): string | undefined {
    if (!entry.resolution.ok) return entry.resolution.reason;
    return this.checks.reason(entry.id);
  }
  /** A warning for every boot here (the backend's, e.g. CPUs that cannot be parked). */
  machineWarning(): string | undefined {
    return this.options.backend.machineWarning?.();
  }
  deviceTreeNote(entry: BootEntry): string | undefined {
    if (!this.options.backend.deviceTree || !entry.resolution.ok || !entry.resolution.files.devicetree) return undefined;
    let note = this.deviceTrees.get(entry.id);
    if (note === undefined) {
      note = this.options.backend.deviceTree(entry) ?? '';
      this.deviceTrees.set(entry.id, note);
    }
    return note || undefined;
  }
  /** The entry the countdown would boot now. */
  get countdownTarget(): BootEntry | undefined {
    return this.entry(this.candidates()[0]);
  }

  onChange(listener: (parts: ReadonlySet<Part>) => void): void {
    this.listeners.push(listener);
  }
  onFinish(listener: (f: Finish) => void): void {
    this.finishListeners.push(listener);
  }

  /** The terminal to lend the rescue shell (the driver's screen). */
  setTerminal(loan: TerminalLoan): void {
    this.terminal = loan;
  }

  dispose(): void {
    this.unsubscribe();
    this.auto.finish();
    this.checks.stop();
  }

  handleKey(key: Key): void {
    if (this.auto.finished) return;
    this.batch(() => {
      if (this.auto.key()) {
        this.log(`Countdown stopped by a key (${keyLabel(key)}).`);
        if (key.kind === 'named' && key.name === 'escape') return; // Esc only stops it
      }
      this.keys.handle(key);
    });
  }

  log(line: string): void {
    this.lines.push(line);
    this.linesLogged++;
    if (this.lines.length > LOG_LINES) this.lines.splice(0, this.lines.length - LOG_LINES);
    this.changed('log');
  }

  // --- change notification ---

  private changed(...parts: Part[]): void {
    for (const p of parts) this.pending.add(p);
    if (this.batching === 0) this.flushChanges();
  }

  private flushChanges(): void {
    if (this.pending.size === 0) return;
    const parts = this.pending;
    this.pending = new Set();
    for (const l of this.listeners) l(parts);
  }

  /** Runs `fn` and sends one notification for everything it changed. */
  private batch(fn: () => void): void {
    this.batching++;
    try {
      fn();
    } finally {
      this.batching--;
      if (this.batching === 0) this.flushChanges();
    }
  }

  // --- menu, selection, messages ---

  private rebuild(): void {
    this.rows = buildRows(this.menu.entries, { shell: this.options.settings.shell, dot: '·', scanning: this.options.backend.scanning?.() ?? [] });
  }

  private selectableAt(i: number): SelectableRow | undefined {
    const r = this.rows[i];
    return r && isSelectable(r) ? r : undefined;
  }

  private entry(id: string | undefined): BootEntry | undefined {
    return id === undefined ? undefined : this.menu.entries.find((e) => e.id === id);
  }

  private onMenu(menu: Menu, note?: string): void {
    this.batch(() => {
      const oldIndex = this.selectedIndex;
      const before = new Set(this.menu.entries.map((e) => e.id));
      this.menu = menu;
      this.rebuild();
      for (const id of [...this.deviceTrees.keys()]) if (!menu.entries.some((e) => e.id === id)) this.deviceTrees.delete(id);
      if (!this.selectionMoved && menu.defaultId !== undefined && rowIndex(this.rows, menu.defaultId) !== -1) {
        // Disks found after the first frame: the default they bring is where Enter goes.
        this.selectedId = menu.defaultId;
      } else if (rowIndex(this.rows, this.selectedId) === -1) {
        // The selected entry vanished: stay at the same place in the list.
        const at = Math.min(Math.max(oldIndex, 0), this.rows.length - 1);
        const next = this.selectableAt(moveSelection(this.rows, at, 0)) ?? this.selectableAt(lastSelectable(this.rows));
        this.selectedId = next?.id;
      }
      const added = menu.entries.filter((e) => !before.has(e.id)).length;
      const removed = [...before].filter((id) => !menu.entries.some((e) => e.id === id)).length;
      const text = note ?? (added || removed ? `${added} entries added, ${removed} removed.` : undefined);
      if (text) {
        this.log(text);
        if (this.auto.view.kind !== 'running') this.setMessage(text);
      }
      this.changed('list', 'details', 'status');
      this.checks.menuChanged();
      this.auto.tryStart(); // a boot server's entries may be what the countdown waited for
    });
  }

  private setMessage(text: string): void {
    if (this.messageText === text) return;
    this.messageText = text;
    this.changed('status');
  }

  private setOverlay(overlay: Overlay, ...parts: Part[]): void {
    this.overlayState = overlay;
    this.changed(...parts);
  }

  private showDialog(title: string, text: string, confirm?: PowerAction): void {
    this.setOverlay(confirm ? { kind: 'dialog', title, text, confirm } : { kind: 'dialog', title, text }, 'overlay', 'help');
  }

  private closeOverlay(): void {
    this.setOverlay({ kind: 'none' }, 'overlay', 'help', 'status');
  }

  /** What the key handler may do (it reads the state through the public getters). */
  private commands(): MenuCommands {
    return {
      setOverlay: (o, ...parts) => this.setOverlay(o, ...parts),
      closeOverlay: () => this.closeOverlay(),
      showDialog: (title, text, confirm) => this.showDialog(title, text, confirm),
      setMessage: (text) => this.setMessage(text),
      setPanels: (details, log) => {
        this.detailsShown = details;
        this.logShown = log;
        this.changed('details', 'log', 'list');
      },
      select: (index) => {
        const row = this.selectableAt(index);
        this.selectionMoved = true;
        if (!row || row.id === this.selectedId) return;
        this.selectedId = row.id;
        this.changed('list', 'details', 'status');
      },
      log: (line) => this.log(line),
      boot: (e, cmdline) => void this.boot(e, cmdline),
      power: (action) => void this.power(action),
      shell: () => void this.runShell(),
      rescan: () => {
        this.setMessage('Rescanning...');
        this.options.backend.rescan().catch((err: unknown) => this.setMessage(`Rescan failed: ${sentenceOf(err)}`));
      },
      quit: () => this.finish({ kind: 'quit' }),
    };
  }

  // --- booting, actions ---

  /**
   * What the countdown boots, in order (only the first two are tried, see bootDefault):
   * the scanner's rule (bootOrder) over the entries that can boot now, the background
   * checks' verdicts included.
   */
  private candidates(): string[] {
    const bootable = this.menu.entries.filter((e) => this.cannotBoot(e) === undefined);
    return bootOrder(bootable, this.options.settings.default, this.menu.defaultId);
  }

  /** The timeout ran out: boot the default; if it fails, the next candidate; then stay. */
  private async bootDefault(): Promise<void> {
    await this.bootDefaults();
    // Booted (the menu has ended), or both failed, or a key or another console came
    // between: from here on only a person boots.
    this.auto.gaveUp();
  }

  private async bootDefaults(): Promise<void> {
    const [first, second] = this.candidates();
    const a = this.entry(first);
    if (!a) return;
    const failure = await this.boot(a, undefined, { quiet: true });
    if (failure === undefined || this.auto.finished) return;
    const b = this.entry(second);
    if (this.share.elsewhere() !== undefined) return; // another console has taken over
    if (!b || this.auto.manual) {
      this.showDialog(`Cannot boot '${a.title}'`, failure);
      return;
    }
    this.log(`The default '${a.title}' failed; trying '${b.title}'.`);
    const again = await this.boot(b, undefined, { quiet: true });
    if (again === undefined || this.auto.finished) return;
    this.showDialog('The default entries cannot boot', `'${a.title}': ${failure}\n'${b.title}': ${again}`);
  }

  /** Boots `entry`; returns the failure sentence, or undefined when the menu is done. */
  private async boot(entry: BootEntry, cmdline: string | undefined, opts: { quiet?: boolean } = {}): Promise<string | undefined> {
    const reason = this.cannotBoot(entry);
    if (reason !== undefined) {
      const sentence = entry.resolution.ok ? `It cannot start on this machine: ${reason}.` : `It cannot boot: ${reason}.`;
      this.log(`${entry.title}: ${sentence}`);
      if (!opts.quiet) this.showDialog(`Cannot boot '${entry.title}'`, sentence);
      return sentence;
    }
    const taken = this.share.claimBoot(entry.title);
    if (taken !== undefined) {
      this.log(`${entry.title}: not booted here: ${taken}`);
      if (!opts.quiet) this.showDialog(`Cannot boot '${entry.title}'`, taken);
      else this.setMessage(taken);
      return taken;
    }
    this.batch(() => {
      this.messageText = '';
      this.setOverlay({ kind: 'busy', title: `Booting '${entry.title}'` }, 'overlay', 'status', 'help');
    });
    this.log(`Booting ${entry.id}${cmdline !== undefined ? ` with the edited command line: ${cmdline}` : ''}.`);
    try {
      const outcome = await this.options.backend.boot(entry, {
        ...(cmdline !== undefined ? { cmdline } : {}),
        progress: (p) => {
          if (this.overlayState.kind === 'busy') this.setOverlay({ ...this.overlayState, progress: p }, 'overlay');
        },
      });
      this.finish({ kind: 'booted', outcome });
      return undefined;
    } catch (err) {
      this.share.releaseBoot();
      const sentence = sentenceOf(err);
      this.log(`${entry.title}: ${sentence}`);
      this.batch(() => {
        this.closeOverlay();
        if (!opts.quiet) this.showDialog(`Cannot boot '${entry.title}'`, sentence);
      });
      return sentence;
    }
  }

  private finish(f: Finish): void {
    if (this.auto.finished) return;
    this.dispose();
    for (const l of this.finishListeners) l(f);
  }

  private async power(action: PowerAction): Promise<void> {
    this.closeOverlay();
    try {
      this.setMessage(await this.options.backend.power(action));
    } catch (err) {
      this.showDialog(action === 'reboot' ? 'Cannot reboot' : 'Cannot power off', sentenceOf(err));
    }
  }

  private async runShell(): Promise<void> {
    if (!this.terminal) {
      this.setMessage('There is no terminal to run a shell on.');
      return;
    }
    this.closeOverlay();
    try {
      this.setMessage(await this.options.backend.shell(this.terminal));
    } catch (err) {
      this.showDialog('Cannot start the rescue shell', sentenceOf(err));
    }
    this.changed('list', 'details', 'status', 'help', 'overlay', 'log');
  }
}
