// The background checks: each entry whose files are all there is asked of the backend
// (src/kexec reads the kernel's header) whether it can start on this machine, one at a time,
// after discovery's first round and after the first frame. The verdicts mark entries `!`.
import type { BootEntry } from '../entries/model';
import type { MenuBackend } from './backend';

/** Background checks in a row before the event loop gets a turn (output, keys, timers). */
const CHECKS_PER_TURN = 16;

type CheckState =
  /** Discovery has not finished its first round: the menu is still filling in. */
  | { readonly kind: 'waiting' }
  | { readonly kind: 'idle' }
  /** One check is under way; the next starts when it settles. */
  | { readonly kind: 'checking' }
  /** The menu has ended. */
  | { readonly kind: 'stopped' };

export interface CheckOptions {
  readonly backend: MenuBackend;
  /** The menu's entries as they are now. */
  readonly entries: () => readonly BootEntry[];
  /** A verdict changed what the list, details and status line show. */
  readonly changed: () => void;
  /** Whether discovery had finished its first round when the menu started. */
  readonly settled: boolean;
}

/** An entry is checked again when what it boots changes (same id, another kernel). */
function checkKey(e: BootEntry): string {
  return `${e.id}\0${e.resolution.ok ? e.resolution.files.kernel : ''}`;
}

export class BackgroundChecks {
  private state: CheckState;
  /** Why entries whose files are there still cannot boot here, by id. */
  private readonly unbootable = new Map<string, string>();
  private readonly checked = new Set<string>();
  /** Index in the entries before which every entry has been checked. */
  private checkFrom = 0;
  /** Checks run since the event loop last turned (see later). */
  private checksInARow = 0;

  constructor(private readonly o: CheckOptions) {
    this.state = o.settled ? { kind: 'idle' } : { kind: 'waiting' };
    // After the first frame is out: the view is made after the controller and blessed
    // writes on the next turn of the event loop, so the checks (which load the kexec layer
    // and read kernels) wait one turn more.
    if (o.settled) this.later(2);
  }

  /** Why a resolved entry cannot boot here, if a check said so. */
  reason(id: string): string | undefined {
    return this.unbootable.get(id);
  }

  /** Discovery has finished its first round. */
  settle(): void {
    if (this.state.kind === 'waiting') this.state = { kind: 'idle' };
    this.run();
  }

  /** A new menu (hot-plug, rescan): its entries are looked through from the top again. */
  menuChanged(): void {
    this.checkFrom = 0;
    this.run();
  }

  stop(): void {
    this.state = { kind: 'stopped' };
  }

  private run(): void {
    const check = this.o.backend.check;
    if (!check || this.state.kind !== 'idle') return;
    // Entries before checkFrom are checked (a new menu starts it again at 0): finding the
    // next one from the top each time made 1,000 checks a million key comparisons.
    const entries = this.o.entries();
    while (this.checkFrom < entries.length && !(entries[this.checkFrom]!.resolution.ok && !this.checked.has(checkKey(entries[this.checkFrom]!)))) this.checkFrom++;
    const next = entries[this.checkFrom];
    if (!next) return;
    this.state = { kind: 'checking' };
    this.checked.add(checkKey(next));
    check
      .call(this.o.backend, next)
      .then(
        (reason) => {
          if (reason) {
            this.unbootable.set(next.id, reason);
            this.o.changed();
          } else if (this.unbootable.delete(next.id)) this.o.changed();
        },
        () => undefined, // a check that fails is no verdict: booting will say what is wrong
      )
      .finally(() => {
        if (this.state.kind === 'stopped') return;
        this.state = { kind: 'idle' };
        if (++this.checksInARow < CHECKS_PER_TURN) this.run();
        else this.later();
      });
  }

  /**
   * The next checks after the event loop has turned. A check that settles without I/O
   * (a file too short to be a kernel) chains the next in a microtask, and a whole list of
   * them kept the screen's output and the keys waiting: 1,000 entries held the first frame
   * back by seconds (bench/).
   */
  private later(turns = 1): void {
    this.checksInARow = 0;
    setImmediate(() => {
      if (this.state.kind === 'stopped') return;
      if (turns > 1) this.later(turns - 1);
      else this.run();
    });
  }
}
