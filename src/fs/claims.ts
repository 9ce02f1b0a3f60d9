// Claim files: a small file on the image's tmpfs (/run) that says which process holds
// something (a mount, the right to boot), so that the menus on several console ports, each
// its own process, never do the same thing twice. A claim is "<pid> <text>"; one whose
// process has ended is stale and may be taken over (a menu that crashed and was respawned).
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Claim {
  readonly pid: number;
  readonly text: string;
}

/** Whether process `pid` exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is only not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes `text` to `file` only if the file does not exist yet; false if it did. The text is
 * written to a file of our own first and linked into place, so nobody ever reads a claim
 * half written.
 */
export function createExclusive(file: string, text: string): boolean {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, text, { mode: 0o644 });
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

export function readClaim(file: string): Claim | undefined {
  try {
    const m = /^(\d+) (.*)$/s.exec(readFileSync(file, 'utf8'));
    return m ? { pid: Number(m[1]), text: m[2]! } : undefined;
  } catch {
    return undefined;
  }
}

/** The claim in `file` if another process that is still running holds it. */
export function heldByOther(file: string, pid: number): Claim | undefined {
  const c = readClaim(file);
  return c && c.pid !== pid && processAlive(c.pid) ? c : undefined;
}

/**
 * Takes `file` for process `pid`: undefined when it is ours now (new, already ours, or
 * stale), else the live claim that holds it. Throws when the folder cannot be written.
 */
export function takeClaim(file: string, pid: number, text: string): Claim | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusive(file, `${pid} ${text}`)) return undefined;
    const holder = heldByOther(file, pid);
    if (holder) return holder;
    // Ours from before, or its process has ended: take it over.
    try {
      unlinkSync(file);
    } catch {
      /* someone else took it over first: look again */
    }
  }
  return heldByOther(file, pid);
}

/** Gives `file` up if process `pid` holds it. */
export function dropClaim(file: string, pid: number): void {
  if (readClaim(file)?.pid !== pid) return;
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
}
