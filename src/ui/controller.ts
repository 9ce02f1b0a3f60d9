// The menu's state and behaviour, without any drawing: the entries and actions, the
// selection (by id), the countdown, the overlays (help, dialog, password, editor, boot in
// progress), the status message and the log. Keys go in (handleKey), backend events go in;
// out come change notifications naming the parts of the screen to redraw, so a countdown
// tick touches only the status line.
import { globToRegExp } from '../entries/scan/default';
import type { BootEntry } from '../entries/model';
import type { Menu } from '../entries/scan/scan';
import type { Settings } from '../settings/settings';
import type { BootOutcome, BootProgress, MenuBackend, PowerAction, TerminalLoan } from './backend';
import { type Clock, realClock } from './clock';
import { type Key, keyLabel } from './keys';
import { type LineState, applyKey, lineAt } from './line-editor';
import { PasswordGate } from './password-gate';
import { ALONE, type ConsoleShare } from './console-share';
import { type ActionId, type Row, type SelectableRow, buildRows, firstSelectable, isSelectable, lastSelectable, moveSelection, rowIndex } from './rows';

export type Part = 'list' | 'details' | 'status' | 'help' | 'overlay' | 'log';

export type Overlay =
  | { readonly kind: 'none' }
  | { readonly kind: 'help' }
  /** A message to read; with `confirm`, Enter/y does that action and Esc/n does not. */
  | { readonly kind: 'dialog'; readonly title: string; readonly text: string; readonly confirm?: PowerAction }
  | { readonly kind: 'password'; readonly purpose: 'edit' | 'shell'; readonly entryId?: string; readonly line: LineState; readonly note?: string }
  | { readonly kind: 'edit'; readonly entryId: string; readonly line: LineState }
  | { readonly kind: 'busy'; readonly title: string; readonly progress?: BootProgress };

export type Countdown =
  /** Never (timeout -1, a key was pressed, nothing can boot). */
  | { readonly kind: 'off' }
  /** Waits for discovery to finish its first round. */
  | { readonly kind: 'pending' }
  | { readonly kind: 'running'; readonly remaining: number };

/** How the menu ended (the driver leaves the screen and prints `text`). */
export type Finish = { readonly kind: 'booted'; readonly outcome: BootOutcome } | { readonly kind: 'quit' };

export type MenuSettings = Pick<Settings, 'timeout' | 'default' | 'editor' | 'shell' | 'password'>;

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
/** How long digits typed one after the other make one number (12 = the twelfth entry). */
const DIGIT_WINDOW_MS = 1000;

function sentenceOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.trim() || 'It failed without saying why.';
}

export class MenuController {
  private menu: Menu;
  private rows: Row[] = [];
  private selectedId: string | undefined;
  /** The user moved the selection; until then it follows the menu's default as disks come in. */
  private selectionMoved = false;
  private readonly share: ConsoleShare;
  private overlayState: Overlay = { kind: 'none' };
  private countdownState: Countdown = { kind: 'pending' };
  private messageText = '';
  private readonly lines: string[] = [];
  private linesLogged = 0;
  private detailsShown = true;
  private logShown = false;
  /** Why entries whose files are there still cannot boot here (from backend.check). */
  private readonly unbootable = new Map<string, string>();
  private readonly checked = new Set<string>();
  private checking = false;
  /** Index in menu.entries before which every entry has been checked. */
  private checkFrom = 0;
  /** Checks run since the event loop last turned (see checkLater). */
  private checksInARow = 0;
  private readonly deviceTrees = new Map<string, string>();
  private keySeen = false;
  private graceOver: boolean;
  private settled: boolean;
  private tickTimer: unknown;
  private digits = '';
  private digitsAt = 0;
  private finished = false;
  private readonly listeners: ((parts: ReadonlySet<Part>) => void)[] = [];
  private readonly finishListeners: ((f: Finish) => void)[] = [];
  private readonly clock: Clock;
  private readonly gate: PasswordGate;
  private readonly unsubscribe: () => void;
  private terminal: TerminalLoan | undefined;
  private pending = new Set<Part>();
  private batching = 0;

  constructor(private readonly options: ControllerOptions) {
    this.clock = options.clock ?? realClock;
    this.gate = options.gate ?? new PasswordGate(options.settings.password, this.clock);
    this.share = options.share ?? ALONE;
    this.menu = options.backend.current();
    this.settled = options.backend.isSettled();
    this.graceOver = !(options.startGraceMs && options.startGraceMs > 0);
    this.rebuild();
    this.selectedId = this.menu.defaultId ?? this.selectableAt(firstSelectable(this.rows))?.id;
    if (options.settings.timeout < 0) this.countdownState = { kind: 'off' };
    this.unsubscribe = options.backend.subscribe({
      menu: (menu, note) => this.onMenu(menu, note),
      log: (line) => this.log(line),
      settled: () => {
        this.settled = true;
        this.maybeStartCountdown();
        this.runChecks();
      },
    });
    if (!this.graceOver) {
      this.clock.setTimeout(() => {
        this.graceOver = true;
        this.maybeStartCountdown();
      }, options.startGraceMs!);
    }
    // After the first frame is out: the view is made after the controller and blessed
    // writes on the next turn of the event loop, so the checks (which load the kexec layer
    // and read kernels) wait one turn more.
    if (this.settled) this.checkLater(2);
    // After the caller has attached its listeners (the view, the end of the menu).
    void Promise.resolve().then(() => this.maybeStartCountdown());
  }

  // --- reading the state (for the view) ---

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
    return this.countdownState;
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
    return this.unbootable.get(entry.id);
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
    const id = this.candidates()[0];
    return id === undefined ? undefined : this.menu.entries.find((e) => e.id === id);
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
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
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

  // --- menu and log ---

  private rebuild(): void {
    this.rows = buildRows(this.menu.entries, { shell: this.options.settings.shell, dot: '·', scanning: this.options.backend.scanning?.() ?? [] });
  }

  private selectableAt(i: number): SelectableRow | undefined {
    const r = this.rows[i];
    return r && isSelectable(r) ? r : undefined;
  }

  log(line: string): void {
    this.lines.push(line);
    this.linesLogged++;
    if (this.lines.length > LOG_LINES) this.lines.splice(0, this.lines.length - LOG_LINES);
    this.changed('log');
  }

  private onMenu(menu: Menu, note?: string): void {
    this.batch(() => {
      const oldIndex = this.selectedIndex;
      const before = new Set(this.menu.entries.map((e) => e.id));
      this.menu = menu;
      this.checkFrom = 0;
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
        if (this.countdownState.kind !== 'running') this.setMessage(text);
      }
      this.changed('list', 'details', 'status');
      this.runChecks();
    });
  }

  private setMessage(text: string): void {
    if (this.messageText === text) return;
    this.messageText = text;
    this.changed('status');
  }

  // --- background checks ---

  private runChecks(): void {
    const check = this.options.backend.check;
    if (!check || this.checking || !this.settled) return;
    // Entries before checkFrom are checked (a new menu starts it again at 0): finding the
    // next one from the top each time made 1,000 checks a million key comparisons.
    const entries = this.menu.entries;
    while (this.checkFrom < entries.length && !(entries[this.checkFrom]!.resolution.ok && !this.checked.has(checkKey(entries[this.checkFrom]!)))) this.checkFrom++;
    const next = entries[this.checkFrom];
    if (!next) return;
    this.checking = true;
    this.checked.add(checkKey(next));
    check
      .call(this.options.backend, next)
      .then(
        (reason) => {
          if (reason) {
            this.unbootable.set(next.id, reason);
            this.changed('list', 'details', 'status');
          } else if (this.unbootable.delete(next.id)) this.changed('list', 'details', 'status');
        },
        () => undefined, // a check that fails is no verdict: booting will say what is wrong
      )
      .finally(() => {
        this.checking = false;
        if (this.finished) return;
        if (++this.checksInARow < CHECKS_PER_TURN) this.runChecks();
        else this.checkLater();
      });
  }

  /**
   * The next checks after the event loop has turned. A check that settles without I/O
   * (a file too short to be a kernel) chains the next in a microtask, and a whole list of
   * them kept the screen's output and the keys waiting: 1,000 entries held the first frame
   * back by seconds (bench/).
   */
  private checkLater(turns = 1): void {
    this.checksInARow = 0;
    setImmediate(() => {
      if (this.finished) return;
      if (turns > 1) this.checkLater(turns - 1);
      else this.runChecks();
    });
  }

  // --- countdown ---

  private maybeStartCountdown(): void {
    if (this.countdownState.kind !== 'pending' || !this.settled || !this.graceOver) return;
    if (this.keySeen || this.finished || this.stoppedElsewhere()) {
      this.stopCountdown();
      return;
    }
    const timeout = this.options.settings.timeout;
    if (timeout < 0 || this.candidates().length === 0) {
      this.stopCountdown();
      if (timeout >= 0 && this.menu.entries.length > 0) this.setMessage('No entry can boot by itself; choose one.');
      return;
    }
    if (timeout === 0) {
      this.countdownState = { kind: 'off' };
      this.changed('status');
      void this.bootDefault();
      return;
    }
    this.countdownState = { kind: 'running', remaining: timeout };
    this.changed('status');
    this.scheduleTick();
  }

  private scheduleTick(): void {
    this.tickTimer = this.clock.setTimeout(() => this.tick(), 1000);
  }

  private tick(): void {
    this.tickTimer = undefined;
    if (this.countdownState.kind !== 'running') return;
    if (this.stoppedElsewhere()) {
      this.stopCountdown();
      return;
    }
    const remaining = this.countdownState.remaining - 1;
    if (remaining <= 0) {
      this.countdownState = { kind: 'off' };
      this.changed('status');
      void this.bootDefault();
      return;
    }
    this.countdownState = { kind: 'running', remaining };
    this.changed('status');
    this.scheduleTick();
  }

  /** Another console took over (a key, a boot): says so and returns true. */
  private stoppedElsewhere(): boolean {
    const why = this.share.elsewhere();
    if (why === undefined) return false;
    this.log(`Countdown stopped: ${why}`);
    this.setMessage(`Countdown stopped: ${why}`);
    return true;
  }

  private stopCountdown(): void {
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    if (this.countdownState.kind !== 'off') {
      this.countdownState = { kind: 'off' };
      this.changed('status');
    }
  }

  /**
   * What the countdown boots, in order: the menu's default, then entries matching the
   * settings' default rule, then entries their own config marks default, then the rest that
   * can boot. Only the first two are tried (see bootDefault).
   */
  private candidates(): string[] {
    const bootable = this.menu.entries.filter((e) => this.cannotBoot(e) === undefined);
    // A set, not out.includes(): this runs on every status line, and with 1,000 entries a
    // list search made each call quadratic (seconds before the first frame; bench/).
    const seen = new Set<string>();
    const out: string[] = [];
    const add = (e: BootEntry | undefined) => {
      if (e && !seen.has(e.id)) {
        seen.add(e.id);
        out.push(e.id);
      }
    };
    add(bootable.find((e) => e.id === this.menu.defaultId));
    const rule = this.options.settings.default;
    if (rule !== 'auto') {
      const re = globToRegExp(rule);
      bootable.filter((e) => re.test(e.id) || re.test(e.title)).forEach(add);
    }
    bootable.filter((e) => e.isDefault).forEach(add);
    bootable.forEach(add);
    return out;
  }

  /** The timeout ran out: boot the default; if it fails, the next candidate; then stay. */
  private async bootDefault(): Promise<void> {
    const [first, second] = this.candidates();
    const entry = (id: string | undefined) => this.menu.entries.find((e) => e.id === id);
    const a = entry(first);
    if (!a) return;
    const failure = await this.boot(a, undefined, { quiet: true });
    if (failure === undefined || this.finished) return;
    const b = entry(second);
    if (this.share.elsewhere() !== undefined) return; // another console has taken over
    if (!b || this.keySeen) {
      this.showDialog(`Cannot boot '${a.title}'`, failure);
      return;
    }
    this.log(`The default '${a.title}' failed; trying '${b.title}'.`);
    const again = await this.boot(b, undefined, { quiet: true });
    if (again === undefined || this.finished) return;
    this.showDialog('The default entries cannot boot', `'${a.title}': ${failure}\n'${b.title}': ${again}`);
  }

  // --- booting, actions ---

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
      this.overlayState = { kind: 'busy', title: `Booting '${entry.title}'` };
      this.messageText = '';
      this.changed('overlay', 'status', 'help');
    });
    this.log(`Booting ${entry.id}${cmdline !== undefined ? ` with the edited command line: ${cmdline}` : ''}.`);
    try {
      const outcome = await this.options.backend.boot(entry, {
        ...(cmdline !== undefined ? { cmdline } : {}),
        progress: (p) => {
          if (this.overlayState.kind !== 'busy') return;
          this.overlayState = { ...this.overlayState, progress: p };
          this.changed('overlay');
        },
      });
      this.finish({ kind: 'booted', outcome });
      return undefined;
    } catch (err) {
      this.share.releaseBoot();
      const sentence = sentenceOf(err);
      this.log(`${entry.title}: ${sentence}`);
      this.batch(() => {
        this.overlayState = { kind: 'none' };
        this.changed('overlay', 'help', 'status');
        if (!opts.quiet) this.showDialog(`Cannot boot '${entry.title}'`, sentence);
      });
      return sentence;
    }
  }

  private finish(f: Finish): void {
    if (this.finished) return;
    this.finished = true;
    this.dispose();
    for (const l of this.finishListeners) l(f);
  }

  private showDialog(title: string, text: string, confirm?: PowerAction): void {
    this.overlayState = confirm ? { kind: 'dialog', title, text, confirm } : { kind: 'dialog', title, text };
    this.changed('overlay', 'help');
  }

  private closeOverlay(): void {
    this.overlayState = { kind: 'none' };
    this.changed('overlay', 'help', 'status');
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

  /** Starts a protected action: straight away, or after the password. */
  private protectedAction(purpose: 'edit' | 'shell', entryId?: string): void {
    if (this.gate.problem) {
      this.showDialog('Locked', this.gate.problem);
      return;
    }
    if (!this.gate.required) {
      this.proceed(purpose, entryId);
      return;
    }
    this.overlayState = { kind: 'password', purpose, ...(entryId ? { entryId } : {}), line: lineAt('') };
    this.changed('overlay', 'help');
  }

  private proceed(purpose: 'edit' | 'shell', entryId?: string): void {
    if (purpose === 'shell') {
      void this.runShell();
      return;
    }
    const entry = this.menu.entries.find((e) => e.id === entryId);
    if (!entry) {
      this.closeOverlay();
      return;
    }
    this.overlayState = { kind: 'edit', entryId: entry.id, line: lineAt(entry.cmdline) };
    this.changed('overlay', 'help');
  }

  // --- keys ---

  handleKey(key: Key): void {
    if (this.finished) return;
    this.batch(() => {
      if (!this.keySeen) this.share.keyPressed();
      this.keySeen = true;
      if (this.countdownState.kind !== 'off') {
        const wasRunning = this.countdownState.kind === 'running';
        this.stopCountdown();
        if (wasRunning) {
          this.log(`Countdown stopped by a key (${keyLabel(key)}).`);
          if (key.kind === 'named' && key.name === 'escape') return; // Esc only stops it
        }
      }
      const o = this.overlayState;
      switch (o.kind) {
        case 'none':
          this.listKey(key);
          break;
        case 'help':
          this.closeOverlay();
          break;
        case 'dialog':
          this.dialogKey(o, key);
          break;
        case 'password':
          this.passwordKey(o, key);
          break;
        case 'edit':
          this.editKey(o, key);
          break;
        case 'busy':
          break; // a boot is under way: keys wait
      }
    });
  }

  private dialogKey(o: Extract<Overlay, { kind: 'dialog' }>, key: Key): void {
    const is = (name: string) => key.kind === 'named' && key.name === name;
    const ch = key.kind === 'char' ? key.ch.toLowerCase() : '';
    if (o.confirm) {
      if (is('enter') || ch === 'y') void this.power(o.confirm);
      else if (is('escape') || ch === 'n' || ch === 'q') this.closeOverlay();
      return;
    }
    if (is('enter') || is('escape') || ch === 'q' || ch === ' ') this.closeOverlay();
  }

  /**
   * A key in an overlay that holds a line editor (password, command line): Esc closes it, an
   * edit redraws it; returns the line when Enter submits it.
   */
  private lineKey(o: Extract<Overlay, { kind: 'password' | 'edit' }>, key: Key): string | undefined {
    const r = applyKey(o.line, key);
    if (r.kind === 'cancel') this.closeOverlay();
    else if (r.kind === 'edit') {
      this.overlayState = { ...o, line: r.state };
      this.changed('overlay');
    } else return r.text;
    return undefined;
  }

  private passwordKey(o: Extract<Overlay, { kind: 'password' }>, key: Key): void {
    const text = this.lineKey(o, key);
    if (text === undefined) return;
    const result = this.gate.attempt(text);
    if (result.kind === 'ok') {
      this.log(`Password accepted for the ${o.purpose === 'edit' ? 'editor' : 'shell'}.`);
      this.proceed(o.purpose, o.entryId);
      return;
    }
    if (result.kind === 'wrong') this.log(`Wrong password for the ${o.purpose === 'edit' ? 'editor' : 'shell'}.`);
    const wait = Math.ceil(result.waitMs / 1000);
    const note = result.kind === 'locked' ? `Too many wrong passwords: wait ${wait} s.` : wait > 0 ? `Wrong password. Too many wrong tries: wait ${wait} s.` : 'Wrong password.';
    this.overlayState = { ...o, line: lineAt(''), note };
    this.changed('overlay');
  }

  private editKey(o: Extract<Overlay, { kind: 'edit' }>, key: Key): void {
    const cmdline = this.lineKey(o, key);
    if (cmdline === undefined) return;
    const entry = this.menu.entries.find((e) => e.id === o.entryId);
    if (!entry) {
      this.closeOverlay();
      this.setMessage('That entry is gone (its disk was removed).');
      return;
    }
    void this.boot(entry, cmdline);
  }

  private select(index: number): void {
    const row = this.selectableAt(index);
    this.selectionMoved = true;
    if (!row || row.id === this.selectedId) return;
    this.selectedId = row.id;
    this.changed('list', 'details', 'status');
  }

  private listKey(key: Key): void {
    const page = Math.max(1, this.pageSize);
    if (this.messageText) this.setMessage('');
    if (key.kind === 'char' && /^[0-9]$/.test(key.ch)) {
      this.digitKey(key.ch);
      return;
    }
    this.digits = '';
    const name = key.kind === 'named' ? key.name : key.kind === 'char' ? key.ch : `ctrl-${key.letter}`;
    const i = this.selectedIndex;
    switch (name) {
      case 'up':
      case 'k':
      case 'ctrl-p':
        this.select(moveSelection(this.rows, i, -1));
        return;
      case 'down':
      case 'j':
      case 'ctrl-n':
        this.select(moveSelection(this.rows, i, 1));
        return;
      case 'pageup':
        this.select(moveSelection(this.rows, i, -page));
        return;
      case 'pagedown':
        this.select(moveSelection(this.rows, i, page));
        return;
      case 'home':
      case 'g':
        this.select(firstSelectable(this.rows));
        return;
      case 'end':
      case 'G':
        this.select(lastSelectable(this.rows));
        return;
      case 'enter':
        this.activate();
        return;
      case 'e':
        this.editSelected();
        return;
      case 'tab':
      case 'd':
        this.detailsShown = !this.detailsShown;
        if (this.detailsShown) this.logShown = false;
        this.changed('details', 'log', 'list');
        return;
      case 'l':
        this.logShown = !this.logShown;
        this.changed('log', 'details', 'list');
        return;
      case 'r':
        this.setMessage('Rescanning...');
        this.options.backend.rescan().catch((err: unknown) => this.setMessage(`Rescan failed: ${sentenceOf(err)}`));
        return;
      case '?':
      case 'h':
      case 'f1':
        this.overlayState = { kind: 'help' };
        this.changed('overlay', 'help');
        return;
      case 's':
        this.shellKey();
        return;
      case 'q':
        this.finish({ kind: 'quit' });
        return;
      case 'escape':
        if (this.logShown) {
          this.logShown = false;
          this.changed('log', 'details', 'list');
        }
        return;
      default:
        return; // keys with no meaning here are ignored
    }
  }

  /** Rows PgUp/PgDn move: set by the view to the list's visible height. */
  pageSize = 10;

  private digitKey(d: string): void {
    const now = this.clock.now();
    const joined = now - this.digitsAt <= DIGIT_WINDOW_MS ? this.digits + d : d;
    this.digitsAt = now;
    const find = (text: string) => this.rows.findIndex((r) => r.kind === 'entry' && r.number === Number(text));
    let at = find(joined);
    if (at === -1) {
      at = find(d);
      this.digits = d;
    } else this.digits = joined;
    if (at === -1) {
      this.setMessage(`There is no entry ${d}.`);
      return;
    }
    this.select(at);
  }

  private activate(): void {
    const row = this.selected;
    if (!row) return;
    if (row.kind === 'entry') {
      void this.boot(row.entry, undefined);
      return;
    }
    this.action(row.id);
  }

  private action(id: ActionId): void {
    if (id === 'action:shell') {
      this.shellKey();
      return;
    }
    const what = id === 'action:reboot' ? 'reboot' : 'power-off';
    this.showDialog(what === 'reboot' ? 'Reboot' : 'Power off', `${what === 'reboot' ? 'Reboot' : 'Power off'} the machine now? Enter or y: yes, Esc or n: no.`, what);
  }

  private shellKey(): void {
    if (!this.options.settings.shell) {
      this.setMessage('The rescue shell is turned off in the settings (shell: false).');
      return;
    }
    this.protectedAction('shell');
  }

  private editSelected(): void {
    const row = this.selected;
    if (!row || row.kind !== 'entry') {
      this.setMessage('Only a boot entry has a command line to edit.');
      return;
    }
    if (!this.options.settings.editor) {
      this.setMessage('Editing is turned off in the settings (editor: false).');
      return;
    }
    if (this.cannotBoot(row.entry) !== undefined) {
      this.setMessage(`'${row.entry.title}' cannot boot, so there is nothing to edit.`);
      return;
    }
    this.protectedAction('edit', row.id);
  }
}

/** Background checks in a row before the event loop gets a turn (output, keys, timers). */
const CHECKS_PER_TURN = 16;

/** An entry is checked again when what it boots changes (same id, another kernel). */
function checkKey(e: BootEntry): string {
  return `${e.id}\0${e.resolution.ok ? e.resolution.files.kernel : ''}`;
}
