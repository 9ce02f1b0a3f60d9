// Who may edit a command line or start the shell: the settings' password hash, checked with
// a growing delay after three wrong tries, so guessing over a serial line takes forever.
// A hash that cannot be read locks the protected actions (failing closed), with the reason.
import type { Clock } from './clock';
import { type PasswordHash, parsePasswordHash, verifyPassword } from './password';

/** Wrong tries allowed before each further try has to wait. */
export const FREE_TRIES = 3;
const FIRST_DELAY_MS = 10_000;
const MAX_DELAY_MS = 300_000;

export type Attempt = { readonly kind: 'ok' } | { readonly kind: 'wrong'; readonly waitMs: number } | { readonly kind: 'locked'; readonly waitMs: number };

export class PasswordGate {
  private readonly hash: PasswordHash | undefined;
  /** Why the protected actions are locked for good (a damaged hash), if they are. */
  readonly problem: string | undefined;
  private failures = 0;
  private notBefore = 0;

  constructor(
    encoded: string | undefined,
    private readonly clock: Clock,
    private readonly verify: (password: string, hash: PasswordHash) => boolean = verifyPassword,
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

  /** Milliseconds before the next try is taken (0: now). */
  waitMs(): number {
    return Math.max(0, this.notBefore - this.clock.now());
  }

  attempt(password: string): Attempt {
    const wait = this.waitMs();
    if (wait > 0) return { kind: 'locked', waitMs: wait };
    if (this.hash && this.verify(password, this.hash)) {
      this.failures = 0;
      this.notBefore = 0;
      return { kind: 'ok' };
    }
    this.failures++;
    if (this.failures >= FREE_TRIES) {
      const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.failures - FREE_TRIES));
      this.notBefore = this.clock.now() + delay;
    }
    return { kind: 'wrong', waitMs: this.waitMs() };
  }
}
