// Where the password's back-off lives: how many wrong tries in a row, and the time before
// which no try is taken. In memory for a menu alone (the demo, tests); in the image, a file
// in the consoles folder on /run's tmpfs (cli/menu.ts's --consoles), shared by the menus on
// every console port and kept when a menu ends and init starts it again: `q` and a respawn
// give no free tries. Updates are read-change-write under a claim lock (src/fs/claims.ts),
// the new state written to a file of our own and renamed into place, so a reader never sees
// half a state and two consoles never both take the same free try.
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { dropClaim, takeClaim } from '../fs/claims';

export interface BackoffState {
  /** Wrong tries since the last right one. */
  readonly failures: number;
  /** On the menu's clock: no try is taken before this (0: none waits). */
  readonly notBefore: number;
}

export const NO_FAILURES: BackoffState = Object.freeze({ failures: 0, notBefore: 0 });

export interface BackoffStore {
  /** The state now. */
  read(): BackoffState;
  /**
   * Replaces the state with what `change` makes of it, with no other update in between;
   * returns the new state. Throws when that cannot be made sure of (the caller refuses the try).
   */
  update(change: (s: BackoffState) => BackoffState): BackoffState;
}

export function memoryBackoff(): BackoffStore {
  let state = NO_FAILURES;
  return {
    read: () => state,
    update: (change) => (state = change(state)),
  };
}

/**
 * The state in a file: `{"failures":N,"notBefore":T}`. A file that cannot be read as one
 * (damaged, or of another version) counts as all free tries spent: it fails closed.
 */
export function parseBackoff(text: string): BackoffState {
  try {
    const v = JSON.parse(text) as { failures?: unknown; notBefore?: unknown };
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
    if (ok(v.failures) && ok(v.notBefore)) return { failures: v.failures, notBefore: v.notBefore };
  } catch {
    /* below */
  }
  return SPENT;
}

/** What a damaged state file counts as: no free tries left. */
const SPENT: BackoffState = Object.freeze({ failures: 3, notBefore: 0 });

/** How long one update waits for another console's (which holds the lock for microseconds). */
const LOCK_TRIES = 200;
const LOCK_PAUSE_MS = 5;

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The back-off in `file` (the folder is made when missing), for process `pid`. */
export function fileBackoff(file: string, pid = process.pid): BackoffStore {
  const lock = `${file}.lock`;
  const read = (): BackoffState => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NO_FAILURES;
      return SPENT;
    }
    return parseBackoff(text);
  };
  return {
    read,
    update(change) {
      mkdirSync(dirname(file), { recursive: true });
      let held = takeClaim(lock, pid, 'password');
      for (let i = 0; held && i < LOCK_TRIES; i++) {
        pause(LOCK_PAUSE_MS);
        held = takeClaim(lock, pid, 'password');
      }
      if (held) throw new Error(`the password state ${file} is locked by process ${held.pid}`);
      try {
        const next = change(read());
        const tmp = `${file}.${pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(next), { mode: 0o600 });
        try {
          renameSync(tmp, file);
        } catch (err) {
          unlinkSync(tmp);
          throw err;
        }
        return next;
      } finally {
        dropClaim(lock, pid);
      }
    },
  };
}
