// What each key does: in the list (moves, digits, Enter, the panels, the actions) and in the
// overlay that is open (help, dialog, password, command-line editor). The controller owns the
// state and the side effects; this only reads the state (MenuReadout, the controller's public
// getters) and asks for changes (MenuCommands), so the rules for keys read in one place.
import type { BootEntry } from '../entries/model';
import type { PowerAction } from './backend';
import type { Clock } from './clock';
import type { Key } from './keys';
import { applyKey, lineAt } from './line-editor';
import type { Overlay, Part, PasswordPurpose } from './menu-state';
import type { PasswordGate } from './password-gate';
import { type ActionId, type Row, type SelectableRow, firstSelectable, lastSelectable, moveSelection } from './rows';

/** How long digits typed one after the other make one number (12 = the twelfth entry). */
const DIGIT_WINDOW_MS = 1000;

/** What the keys read: the menu's state as the controller shows it to the view. */
export interface MenuReadout {
  readonly overlay: Overlay;
  readonly entries: readonly BootEntry[];
  readonly listRows: readonly Row[];
  readonly selectedIndex: number;
  readonly selected: SelectableRow | undefined;
  readonly message: string;
  /** Rows PgUp/PgDn move. */
  readonly pageSize: number;
  readonly showDetails: boolean;
  readonly showLog: boolean;
  readonly editorAllowed: boolean;
  readonly shellAllowed: boolean;
  cannotBoot(entry: BootEntry): string | undefined;
}

/** What the keys do: the controller's actions, and nothing else. */
export interface MenuCommands {
  /** Opens `overlay`; `parts` are what it changes on screen. */
  setOverlay(overlay: Overlay, ...parts: Part[]): void;
  closeOverlay(): void;
  showDialog(title: string, text: string, confirm?: PowerAction): void;
  setMessage(text: string): void;
  setPanels(details: boolean, log: boolean): void;
  /** Moves the selection to the row at `index` (a person chose it). */
  select(index: number): void;
  log(line: string): void;
  boot(entry: BootEntry, cmdline: string | undefined): void;
  power(action: PowerAction): void;
  shell(): void;
  rescan(): void;
  quit(): void;
}

type PasswordOverlay = Extract<Overlay, { kind: 'password' }>;
type EditOverlay = Extract<Overlay, { kind: 'edit' }>;

export class KeyHandler {
  /** Digits typed within DIGIT_WINDOW_MS of each other, and when the last came. */
  private digits = '';
  private digitsAt = 0;

  constructor(
    private readonly menu: MenuReadout,
    private readonly act: MenuCommands,
    private readonly gate: PasswordGate,
    private readonly clock: Clock,
  ) {}

  private entry(id: string | undefined): BootEntry | undefined {
    return id === undefined ? undefined : this.menu.entries.find((e) => e.id === id);
  }

  handle(key: Key): void {
    const o = this.menu.overlay;
    switch (o.kind) {
      case 'none':
        this.listKey(key);
        break;
      case 'help':
        this.act.closeOverlay();
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
  }

  private dialogKey(o: Extract<Overlay, { kind: 'dialog' }>, key: Key): void {
    const is = (name: string) => key.kind === 'named' && key.name === name;
    const ch = key.kind === 'char' ? key.ch.toLowerCase() : '';
    if (o.confirm) {
      if (is('enter') || ch === 'y') this.act.power(o.confirm);
      else if (is('escape') || ch === 'n' || ch === 'q') this.act.closeOverlay();
      return;
    }
    if (is('enter') || is('escape') || ch === 'q' || ch === ' ') this.act.closeOverlay();
  }

  /**
   * A key in an overlay that holds a line editor (password, command line): Esc closes it, an
   * edit redraws it; returns the line when Enter submits it.
   */
  private lineKey(o: PasswordOverlay | EditOverlay, key: Key): string | undefined {
    const r = applyKey(o.line, key);
    if (r.kind === 'cancel') this.act.closeOverlay();
    else if (r.kind === 'edit') this.act.setOverlay({ ...o, line: r.state }, 'overlay');
    else return r.text;
    return undefined;
  }

  private passwordKey(o: PasswordOverlay, key: Key): void {
    const text = this.lineKey(o, key);
    if (text === undefined) return;
    const result = this.gate.attempt(text);
    const what = o.purpose === 'edit' ? 'the editor' : o.purpose === 'shell' ? 'the shell' : `booting '${this.entry(o.entryId)?.title ?? o.entryId}'`;
    if (result.kind === 'ok') {
      this.act.log(`Password accepted for ${what}.`);
      this.proceed(o.purpose, o.entryId);
      return;
    }
    if (result.kind === 'wrong') this.act.log(`Wrong password for ${what}.`);
    if (result.kind === 'refused') this.act.log(result.reason);
    const wait = result.kind === 'refused' ? 0 : Math.ceil(result.waitMs / 1000);
    const note =
      result.kind === 'refused' ? result.reason : result.kind === 'locked' ? `Too many wrong passwords: wait ${wait} s.` : wait > 0 ? `Wrong password. Too many wrong tries: wait ${wait} s.` : 'Wrong password.';
    this.act.setOverlay({ ...o, line: lineAt(''), note }, 'overlay');
  }

  private editKey(o: EditOverlay, key: Key): void {
    const cmdline = this.lineKey(o, key);
    if (cmdline === undefined) return;
    const entry = this.entry(o.entryId);
    if (!entry) {
      this.act.closeOverlay();
      this.act.setMessage('That entry is gone (its disk was removed).');
      return;
    }
    this.act.boot(entry, cmdline);
  }

  /** Starts a protected action: straight away, or after the password. */
  private protectedAction(purpose: PasswordPurpose, entryId?: string): void {
    if (this.gate.problem) {
      this.act.showDialog('Locked', this.gate.problem);
      return;
    }
    if (!this.gate.required) {
      this.proceed(purpose, entryId);
      return;
    }
    this.act.setOverlay({ kind: 'password', purpose, ...(entryId ? { entryId } : {}), line: lineAt('') }, 'overlay', 'help');
  }

  private proceed(purpose: PasswordPurpose, entryId?: string): void {
    if (purpose === 'shell') {
      this.act.shell();
      return;
    }
    const entry = this.entry(entryId);
    if (!entry) {
      this.act.closeOverlay();
      return;
    }
    if (purpose === 'boot') {
      this.act.boot(entry, undefined);
      return;
    }
    this.act.setOverlay({ kind: 'edit', entryId: entry.id, line: lineAt(entry.cmdline) }, 'overlay', 'help');
  }

  private listKey(key: Key): void {
    const [m, a] = [this.menu, this.act];
    const page = Math.max(1, m.pageSize);
    if (m.message) a.setMessage('');
    if (key.kind === 'char' && /^[0-9]$/.test(key.ch)) {
      this.digitKey(key.ch);
      return;
    }
    this.digits = '';
    const name = key.kind === 'named' ? key.name : key.kind === 'char' ? key.ch : `ctrl-${key.letter}`;
    const i = m.selectedIndex;
    switch (name) {
      case 'up':
      case 'k':
      case 'ctrl-p':
        return a.select(moveSelection(m.listRows, i, -1));
      case 'down':
      case 'j':
      case 'ctrl-n':
        return a.select(moveSelection(m.listRows, i, 1));
      case 'pageup':
        return a.select(moveSelection(m.listRows, i, -page));
      case 'pagedown':
        return a.select(moveSelection(m.listRows, i, page));
      case 'home':
      case 'g':
        return a.select(firstSelectable(m.listRows));
      case 'end':
      case 'G':
        return a.select(lastSelectable(m.listRows));
      case 'enter':
        return this.activate();
      case 'e':
        return this.editSelected();
      case 'tab':
      case 'd':
        // Details and log share the space below the list: showing the details hides the log.
        return a.setPanels(!m.showDetails, m.showDetails ? m.showLog : false);
      case 'l':
        return a.setPanels(m.showDetails, !m.showLog);
      case 'r':
        return a.rescan();
      case '?':
      case 'h':
      case 'f1':
        return a.setOverlay({ kind: 'help' }, 'overlay', 'help');
      case 's':
        return this.shellKey();
      case 'q':
        return a.quit();
      case 'escape':
        if (m.showLog) a.setPanels(m.showDetails, false);
        return;
      default:
        return; // keys with no meaning here are ignored
    }
  }

  private digitKey(d: string): void {
    const now = this.clock.now();
    const joined = now - this.digitsAt <= DIGIT_WINDOW_MS ? this.digits + d : d;
    this.digitsAt = now;
    const rows = this.menu.listRows;
    const find = (text: string) => rows.findIndex((r) => r.kind === 'entry' && r.number === Number(text));
    let at = find(joined);
    if (at === -1) {
      at = find(d);
      this.digits = d;
    } else this.digits = joined;
    if (at === -1) {
      this.act.setMessage(`There is no entry ${d}.`);
      return;
    }
    this.act.select(at);
  }

  private activate(): void {
    const row = this.menu.selected;
    if (!row) return;
    if (row.kind !== 'entry') this.action(row.id);
    // Files its config's disk has no say over: only with the password (entries/scan/trust.ts).
    else if (row.entry.needsPassword !== undefined && this.menu.cannotBoot(row.entry) === undefined) this.protectedAction('boot', row.id);
    else this.act.boot(row.entry, undefined);
  }

  private action(id: ActionId): void {
    if (id === 'action:shell') {
      this.shellKey();
      return;
    }
    const what: PowerAction = id === 'action:reboot' ? 'reboot' : 'power-off';
    const label = what === 'reboot' ? 'Reboot' : 'Power off';
    this.act.showDialog(label, `${label} the machine now? Enter or y: yes, Esc or n: no.`, what);
  }

  private shellKey(): void {
    if (!this.menu.shellAllowed) {
      this.act.setMessage('The rescue shell is turned off in the settings (shell: false).');
      return;
    }
    this.protectedAction('shell');
  }

  private editSelected(): void {
    const row = this.menu.selected;
    if (!row || row.kind !== 'entry') {
      this.act.setMessage('Only a boot entry has a command line to edit.');
      return;
    }
    if (!this.menu.editorAllowed) {
      this.act.setMessage('Editing is turned off in the settings (editor: false).');
      return;
    }
    if (this.menu.cannotBoot(row.entry) !== undefined) {
      this.act.setMessage(`'${row.entry.title}' cannot boot, so there is nothing to edit.`);
      return;
    }
    this.protectedAction('edit', row.id);
  }
}
