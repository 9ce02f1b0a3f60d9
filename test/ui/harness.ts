// Drives the real menu (controller, blessed view, key decoder) on in-memory streams: key
// bytes go into a PassThrough, blessed's output goes into a terminal model (test/vm/screen.ts,
// a VT100/xterm screen) whose lines the tests read. Time is a manual clock, so countdowns
// run without waiting. The backend is a fake whose answers each test sets.
import { PassThrough, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { BootEntry, Resource } from '../../src/entries/model';
import type { PartitionInfo } from '../../src/fs/files';
import type { Menu } from '../../src/entries/scan/scan';
import type { BackendListener, BootOutcome, BootRequest, MenuBackend, PowerAction, TerminalLoan } from '../../src/ui/backend';
import type { Clock } from '../../src/ui/clock';
import type { Finish, MenuSettings } from '../../src/ui/controller';
import type { ConsoleShare } from '../../src/ui/console-share';
import type { PasswordGate } from '../../src/ui/password-gate';
import { type TerminalMode, runMenu } from '../../src/ui/run';
import { Screen } from '../vm/screen';

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  private time = 1_000_000;
  private nextId = 1;
  private timers: { id: number; at: number; fn: () => void }[] = [];

  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  /** Moves time forward, running the timers that fall due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let guard = 0; guard < 10_000; guard++) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
  }
}

const SELF = { by: 'self' } as const;
const res = (path: string): Resource => ({ partition: SELF, path });

/** A boot entry as the scanner would make it. */
export function entry(id: string, title: string, part: PartitionInfo, extra: Partial<BootEntry> = {}): BootEntry {
  return {
    id,
    localId: id,
    title,
    kernel: res('/vmlinuz'),
    initrds: [res('/initrd.img')],
    overlays: [],
    cmdline: 'root=LABEL=root ro quiet',
    reuseCmdline: false,
    isDefault: false,
    notes: [],
    source: { format: 'bls', file: `/loader/entries/${id}.conf`, line: 1, partition: part.name },
    partition: part,
    resolution: { ok: true, files: { kernel: `/mnt/${part.name}/vmlinuz`, initrds: [`/mnt/${part.name}/initrd.img`], overlays: [] } },
    ...extra,
  };
}

export const VDA1: PartitionInfo = { name: 'vda1', fstype: 'vfat', label: 'ESP' };
export const VDA2: PartitionInfo = { name: 'vda2', fstype: 'ext4', label: 'root' };
export const SDB1: PartitionInfo = { name: 'sdb1', fstype: 'vfat', label: 'USB' };

export type BootHandler = (e: BootEntry, r: BootRequest) => Promise<BootOutcome>;

/** A backend whose menu, boot results and events the test controls. */
export class FakeBackend implements MenuBackend {
  readonly boots: { id: string; cmdline?: string }[] = [];
  readonly powers: PowerAction[] = [];
  shells = 0;
  rescans = 0;
  private listeners = new Set<BackendListener>();
  onBoot: BootHandler = async (e) => ({ kind: 'dry-run', text: `plan for ${e.id}\n` });
  checks = new Map<string, string>();
  /** Devices discovery is still to look at. */
  scanningNow: string[] = [];

  constructor(
    private menu: Menu,
    private settled = true,
  ) {}

  current(): Menu {
    return this.menu;
  }
  isSettled(): boolean {
    return this.settled;
  }
  scanning(): readonly string[] {
    return this.scanningNow;
  }
  subscribe(l: BackendListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  async rescan(): Promise<void> {
    this.rescans++;
    this.setMenu(this.menu, 'Rescanned.');
  }
  boot(e: BootEntry, r: BootRequest): Promise<BootOutcome> {
    this.boots.push({ id: e.id, ...(r.cmdline !== undefined ? { cmdline: r.cmdline } : {}) });
    return this.onBoot(e, r);
  }
  async power(a: PowerAction): Promise<string> {
    this.powers.push(a);
    return `Dry run: this would ${a} the machine now.`;
  }
  async shell(t: TerminalLoan): Promise<string> {
    t.release();
    this.shells++;
    t.reclaim();
    return 'The rescue shell ended (status 0).';
  }
  async check(e: BootEntry): Promise<string | undefined> {
    return this.checks.get(e.id);
  }

  /** A hot-plug event or a rescan's result (and the devices still being scanned after it). */
  setMenu(menu: Menu, note?: string, scanning: string[] = this.scanningNow): void {
    this.menu = menu;
    this.scanningNow = scanning;
    for (const l of this.listeners) l.menu(menu, note);
  }
  settle(): void {
    this.settled = true;
    for (const l of this.listeners) l.settled();
  }
  log(line: string): void {
    for (const l of this.listeners) l.log(line);
  }
}

/** An output stream that looks like an 80x24 terminal and keeps everything written. */
export class TerminalOutput extends Writable {
  isTTY = true;
  written = '';
  screen: Screen;
  private readonly decoder = new StringDecoder('utf8');
  constructor(
    public columns = 80,
    public rows = 24,
  ) {
    super();
    this.screen = new Screen(columns, rows);
  }
  /** The terminal window changes size: a new, blank screen of that size, and SIGWINCH. */
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.screen = new Screen(columns, rows);
    this.emit('resize');
  }
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    const text = this.decoder.write(chunk);
    this.written += text;
    this.screen.write(text);
    done();
  }
}

export const settle = async (): Promise<void> => {
  // blessed flushes its output on setImmediate; promises settle on microtasks.
  for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
};

export interface MenuUnderTest {
  readonly clock: ManualClock;
  readonly output: TerminalOutput;
  readonly input: PassThrough;
  readonly finished: Promise<Finish>;
  /** Sends key bytes (as a terminal would) and lets the menu redraw. */
  send(bytes: string | Buffer): Promise<void>;
  /** The screen as text lines. */
  lines(): string[];
  text(): string;
  /** The lines drawn in reverse video. */
  inverse(): string[];
  /** Moves the clock on and lets the menu redraw. */
  advance(ms: number): Promise<void>;
  /** Leaves the menu with `q` (from the list) and waits for it to end. */
  quit(): Promise<Finish>;
}

export interface StartOptions {
  readonly backend: MenuBackend;
  readonly settings?: Partial<MenuSettings>;
  readonly mode?: TerminalMode;
  readonly columns?: number;
  readonly rows?: number;
  readonly gate?: PasswordGate;
  readonly startGraceMs?: number;
  readonly share?: ConsoleShare;
  /** The input says it is a terminal (the plain prompt then echoes typed characters itself). */
  readonly tty?: boolean;
}

export const SETTINGS: MenuSettings = { timeout: -1, default: 'auto', editor: true, shell: true };

export async function startMenu(o: StartOptions): Promise<MenuUnderTest> {
  const clock = new ManualClock();
  const output = new TerminalOutput(o.columns ?? 80, o.rows ?? 24);
  const input = new PassThrough();
  if (o.tty) Object.assign(input, { isTTY: true });
  const finished = runMenu({
    backend: o.backend,
    settings: { ...SETTINGS, ...o.settings },
    mode: o.mode ?? { kind: 'full', terminal: 'vt100', ascii: true },
    input,
    output: output as unknown as NodeJS.WriteStream,
    product: 'kexec-menu 9.9.9',
    machine: 'QEMU Standard PC',
    clock,
    ...(o.gate ? { gate: o.gate } : {}),
    ...(o.startGraceMs !== undefined ? { startGraceMs: o.startGraceMs } : {}),
    ...(o.share ? { share: o.share } : {}),
  });
  await settle();
  return {
    clock,
    output,
    input,
    finished,
    async send(bytes) {
      input.write(bytes);
      await settle();
    },
    lines: () => output.screen.text(),
    text: () => output.screen.toString(),
    inverse: () => output.screen.inverseLines(),
    async advance(ms) {
      clock.advance(ms);
      await settle();
    },
    async quit() {
      input.write('\x1b');
      clock.advance(1000);
      input.write('\x1bq');
      await settle();
      clock.advance(1000);
      input.write('q');
      await settle();
      return finished;
    },
  };
}

export function menuOf(entries: BootEntry[], defaultId?: string): Menu {
  return { entries, ...(defaultId ? { defaultId } : {}), diagnostics: [], timeout: -1 };
}
