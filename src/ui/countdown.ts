// The countdown to the default boot, as one state: what it still waits for before it may
// start, the seconds left, the default booting, or why nothing boots by itself (a key, the
// settings, another console). One union instead of loose flags, so that "a key was pressed
// but the countdown runs" or "finished but still ticking" cannot be written down.
//
// With network boot on, the boot servers' first round (src/net/provider.ts: each interface's
// lease or its timeout, then its lookup or its deadline) takes part too, but only when the
// default may come from there (net/merge.ts, defaultAwaitsNetwork): the countdown does not
// fire before the lookup had its chance, and the provider's bound ends the wait in any case.
import type { NetworkWait } from './backend';
import type { Clock } from './clock';
import type { ConsoleShare } from './console-share';

/** The countdown as the status line shows it. */
export type Countdown =
  /** Never (timeout -1, a key was pressed, nothing can boot). */
  | { readonly kind: 'off' }
  /** Waits for discovery to finish its first round. */
  | { readonly kind: 'pending' }
  /** Waits for the boot servers, where the default may come from: what is awaited ("network eth0"; none named before an interface reports). */
  | { readonly kind: 'network'; readonly waitingFor: readonly string[] }
  | { readonly kind: 'running'; readonly remaining: number };

/**
 * The network's part in the wait: 'none' (no network boot, or its first round is over),
 * 'looking' (not over, not found to matter yet), 'awaited' (not over, and the default may come
 * from there: the countdown holds and says so).
 */
export type NetworkPart = 'none' | 'looking' | 'awaited';

export type AutoBootState =
  /** Not started yet: it waits for discovery's first round, the start grace to end and, when it matters, the network. */
  | { readonly kind: 'waiting'; readonly settled: boolean; readonly graceOver: boolean; readonly network: NetworkPart }
  /** `timer` is the next tick's; the state holds it so that no tick outlives a running countdown. */
  | { readonly kind: 'running'; readonly remaining: number; readonly timer: unknown }
  /** The time ran out: the default boots (and, if that fails, the next candidate). */
  | { readonly kind: 'booting' }
  /** Nothing boots by itself and no key came yet: timeout -1, nothing could boot, another console took over, the default failed. */
  | { readonly kind: 'idle' }
  /** A key was pressed: a person chooses from now on. */
  | { readonly kind: 'manual' }
  /** The menu has ended (booted or left). */
  | { readonly kind: 'finished' };

/** What the countdown asks of the menu. */
export interface AutoBootHooks {
  /** Whether some entry can boot by itself now (the countdown has something to boot). */
  canBoot(): boolean;
  /** Whether the menu has entries at all (an empty menu needs no "choose one"). */
  hasEntries(): boolean;
  /** Whether the default may still come from a boot server (asked only while the network's first round is not over). */
  awaitsNetwork(): boolean;
  /** The time ran out: boot the default. */
  boot(): void;
  /** The countdown as the status line shows it changed. */
  changed(): void;
  message(text: string): void;
  log(line: string): void;
}

export interface AutoBootOptions {
  readonly clock: Clock;
  /**
   * Seconds; 0 boots at once, below 0 never. A function is asked when the countdown would
   * start (the default entry's config may decide it, and the disks are read by then).
   */
  readonly timeout: number | (() => number);
  /** Whether discovery had finished its first round when the menu started. */
  readonly settled: boolean;
  /** With network boot on: its first round, which ends by itself within its bound. */
  readonly network?: NetworkWait;
  /** How long after start a key still counts as held at start (0: no grace). */
  readonly startGraceMs: number;
  readonly share: ConsoleShare;
  readonly hooks: AutoBootHooks;
}

const TICK_MS = 1000;

export function countdownView(s: AutoBootState, waitingFor: () => readonly string[] = () => []): Countdown {
  if (s.kind === 'waiting') return s.network === 'awaited' ? { kind: 'network', waitingFor: waitingFor() } : { kind: 'pending' };
  if (s.kind === 'running') return { kind: 'running', remaining: s.remaining };
  return { kind: 'off' };
}

export class AutoBoot {
  private current: AutoBootState;

  constructor(private readonly o: AutoBootOptions) {
    const network = o.network && !o.network.isSettled() ? 'looking' : 'none';
    this.current = typeof o.timeout === 'number' && o.timeout < 0 ? { kind: 'idle' } : { kind: 'waiting', settled: o.settled, graceOver: !(o.startGraceMs > 0), network };
    if (o.startGraceMs > 0) o.clock.setTimeout(() => this.waited({ graceOver: true }), o.startGraceMs);
    if (network !== 'none') o.network!.onSettled(() => this.waited({ network: 'none' }));
  }

  get state(): AutoBootState {
    return this.current;
  }
  get view(): Countdown {
    return countdownView(this.current, () => this.o.network?.pending() ?? []);
  }
  /** A key has been pressed: nothing may boot unasked any more. */
  get manual(): boolean {
    return this.current.kind === 'manual';
  }
  get finished(): boolean {
    return this.current.kind === 'finished';
  }

  /** Discovery has finished its first round. */
  settled(): void {
    this.waited({ settled: true });
  }

  /** Starts the countdown if nothing holds it back any more (the menu calls it once its listeners are attached, and when its entries change). */
  tryStart(): void {
    const s = this.current;
    if (s.kind !== 'waiting' || !s.settled || !s.graceOver) return;
    if (this.stoppedElsewhere()) return;
    const timeout = typeof this.o.timeout === 'number' ? this.o.timeout : this.o.timeout();
    if (timeout < 0) {
      this.go({ kind: 'idle' });
      return;
    }
    if (s.network !== 'none' && this.o.hooks.awaitsNetwork()) {
      if (s.network === 'looking') this.o.hooks.log('The countdown waits for the network: the default may come from a boot server.');
      this.go({ ...s, network: 'awaited' });
      return;
    }
    if (!this.o.hooks.canBoot()) {
      this.go({ kind: 'idle' });
      if (this.o.hooks.hasEntries()) this.o.hooks.message('No entry can boot by itself; choose one.');
      return;
    }
    if (timeout === 0) this.timeUp();
    else this.run(timeout);
  }

  /**
   * A key was pressed: the countdown stops here and (the first time) on the other consoles.
   * Returns whether it stopped a running countdown (then the key only stops it if it is Esc).
   */
  key(): boolean {
    const s = this.current;
    if (s.kind === 'finished' || s.kind === 'manual') return false;
    this.o.share.keyPressed();
    this.go({ kind: 'manual' });
    return s.kind === 'running';
  }

  /** The default and its fallback failed to boot: the menu waits for a person. */
  gaveUp(): void {
    if (this.current.kind === 'booting') this.go({ kind: 'idle' });
  }

  finish(): void {
    this.go({ kind: 'finished' });
  }

  private waited(what: { settled?: true; graceOver?: true; network?: 'none' }): void {
    if (this.current.kind !== 'waiting') return;
    this.go({ ...this.current, ...what });
    this.tryStart();
  }

  private run(remaining: number): void {
    this.go({ kind: 'running', remaining, timer: this.o.clock.setTimeout(() => this.tick(), TICK_MS) });
  }

  private tick(): void {
    const s = this.current;
    if (s.kind !== 'running' || this.stoppedElsewhere()) return;
    if (s.remaining - 1 <= 0) this.timeUp();
    else this.run(s.remaining - 1);
  }

  private timeUp(): void {
    this.go({ kind: 'booting' });
    this.o.hooks.boot();
  }

  /** Another console took over (a key, a boot): says so, stops, and returns true. */
  private stoppedElsewhere(): boolean {
    const why = this.o.share.elsewhere();
    if (why === undefined) return false;
    this.o.hooks.log(`Countdown stopped: ${why}`);
    this.o.hooks.message(`Countdown stopped: ${why}`);
    this.go({ kind: 'idle' });
    return true;
  }

  /** Every change goes through here: a tick left behind is cancelled, and the status line told only of what it shows. */
  private go(next: AutoBootState): void {
    const before = this.current;
    if (before.kind === 'running' && (next.kind !== 'running' || next.timer !== before.timer)) this.o.clock.clearTimeout(before.timer);
    this.current = next;
    const [a, b] = [countdownView(before), countdownView(next)];
    if (a.kind !== b.kind || (a.kind === 'running' && b.kind === 'running' && a.remaining !== b.remaining)) this.o.hooks.changed();
  }
}
