// Who may edit a command line or start the shell: the settings' password hash, checked with
// a growing delay after three wrong tries, so guessing over a serial line takes forever.
// A hash that cannot be read locks the protected actions (failing closed), with the reason.
// The count lives in a BackoffStore (password-backoff.ts): in the image a file on /run that
// every console's menu shares and that outlives a respawn. A try is counted before the hash
// is checked, so a menu stopped in the middle of a check has still spent it.
import type { Clock } from './clock';
import { type BackoffState, type BackoffStore, NO_FAILURES, memoryBackoff } from './password-backoff';
import { type PasswordHash, parsePasswordHash, verifyPassword } from './password';

/** Wrong tries allowed before each further try has to wait. */
export const FREE_TRIES = 3;
const FIRST_DELAY_MS = 10_000;
const MAX_DELAY_MS = 300_000;

export type Attempt =
  | { readonly kind: 'ok' }
  | { readonly kind: 'wrong'; readonly waitMs: number }
  | { readonly kind: 'locked'; readonly waitMs: number }
  /** The count could not be kept (its file cannot be written): no try is taken. */
  | { readonly kind: 'refused'; readonly reason: string };

/** The wait after `failures` wrong tries in a row: none for the free ones, then 10 s, 20, 40 … 5 min. */
export function delayAfter(failures: number): number {
  return failures < FREE_TRIES ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - FREE_TRIES));
}

export class PasswordGate {
  private readonly hash: PasswordHash | undefined;
  /** Why the protected actions are locked for good (a damaged hash), if they are. */
  readonly problem: string | undefined;

  constructor(
    encoded: string | undefined,
    private readonly clock: Clock,
    private readonly verify: (password: string, hash: PasswordHash) => boolean = verifyPassword,
    private readonly store: BackoffStore = memoryBackoff(),
  ) {
    if (encoded === undefined) {
      this.hash = undefined;
      this.problem = undefined;
      return;
    }
    const parsed = parsePasswordHash(encoded);
    this.hash = typeof parsed === 'string' ? undefined : parsed;
    this.problem = typeof parsed === 'string' ? `${parsed.charAt(0).toUpperCase()}${parsed.slice(1)}, so editing and the shell stay locked.` : undefined;
  }

  /** Whether the protected actions need a password at all. */
  get required(): boolean {
    return this.hash !== undefined || this.problem !== undefined;
  }

  /**
   * The wait a state asks for now. A wait longer than the longest delay (the clock was set
   * back since it was written) counts as the longest delay from now.
   */
  private waitIn(s: BackoffState, now: number): number {
    return Math.min(MAX_DELAY_MS, Math.max(0, s.notBefore - now));
  }

  /** Milliseconds before the next try is taken (0: now). */
  waitMs(): number {
    return this.waitIn(this.store.read(), this.clock.now());
  }

  attempt(password: string): Attempt {
    const now = this.clock.now();
    let wait = 0;
    let after: BackoffState;
    try {
      after = this.store.update((s) => {
        wait = this.waitIn(s, now);
        if (wait > 0) return { ...s, notBefore: now + wait };
        const failures = s.failures + 1;
        return { failures, notBefore: now + delayAfter(failures) };
      });
    } catch (err) {
      return { kind: 'refused', reason: `The count of wrong passwords cannot be kept (${err instanceof Error ? err.message : String(err)}), so no password is taken.` };
    }
    if (wait > 0) return { kind: 'locked', waitMs: wait };
    if (this.hash && this.verify(password, this.hash)) {
      try {
        this.store.update(() => NO_FAILURES);
      } catch {
        /* the next try waits as after a wrong one: failing closed */
      }
      return { kind: 'ok' };
    }
    return { kind: 'wrong', waitMs: this.waitIn(after, now) };
  }
}
