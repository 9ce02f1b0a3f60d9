// One menu per console port (an inittab line each: serial and screen, say), but one machine:
// a key on any console stops the countdown on all of them, and only one console boots. The
// menus share this through two claim files (src/fs/claims.ts) in a folder on the image's tmpfs
// (/run), never on a disk:
//   key   the console where a key was pressed first
//   boot  "<pid> <console> <title>": a boot under way, given up when that boot fails; one
//         whose process has ended is stale
// A countdown looks at the folder once a second, before it ticks; nothing else polls.
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createExclusive, dropClaim, heldByOther, takeClaim } from '../fs/claims';

export interface ConsoleShare {
  /** A key was pressed on this console: the countdown stops on the others too. */
  keyPressed(): void;
  /** Why this console's countdown must stop (a key or a boot on another console), or undefined. */
  elsewhere(): string | undefined;
  /** Takes the right to boot: undefined when this console has it, else the sentence why not. */
  claimBoot(title: string): string | undefined;
  /** The boot failed and the menu is back: another console may boot. */
  releaseBoot(): void;
}

/** A menu alone on the machine (the demo, tests, one console port). */
export const ALONE: ConsoleShare = {
  keyPressed: () => undefined,
  elsewhere: () => undefined,
  claimBoot: () => undefined,
  releaseBoot: () => undefined,
};

/** The terminal on standard input ("ttyS0"), or "pid-N" when it has no name. */
export function consoleName(pid = process.pid): string {
  try {
    const tty = readlinkSync('/proc/self/fd/0');
    if (tty.startsWith('/dev/')) return tty.slice(5);
  } catch {
    /* no /proc, or stdin closed */
  }
  return `pid-${pid}`;
}

/** "<console> <title>" of a boot claim. */
function splitBoot(text: string): { console: string; title: string } {
  const at = text.indexOf(' ');
  return at === -1 ? { console: text, title: '' } : { console: text.slice(0, at), title: text.slice(at + 1) };
}

/**
 * The share through `dir` for the menu on `console` (process `pid`). When the folder cannot
 * be written (a read-only /run), the menu works alone, as it would without the share.
 */
export function folderShare(dir: string, console: string = consoleName(), pid = process.pid): ConsoleShare {
  const keyFile = join(dir, 'key');
  const bootFile = join(dir, 'boot');
  const otherBoot = () => {
    const c = heldByOther(bootFile, pid);
    return c ? splitBoot(c.text) : undefined;
  };
  return {
    keyPressed: () => {
      try {
        createExclusive(keyFile, console);
      } catch {
        /* alone, then */
      }
    },
    elsewhere: () => {
      const boot = otherBoot();
      if (boot) return `'${boot.title}' is booting on ${boot.console}.`;
      try {
        const where = readFileSync(keyFile, 'utf8');
        if (where !== console) return `a key was pressed on ${where}.`;
      } catch {
        /* no key anywhere */
      }
      return undefined;
    },
    claimBoot: (title) => {
      try {
        const holder = takeClaim(bootFile, pid, `${console} ${title}`);
        if (!holder) return undefined;
        const h = splitBoot(holder.text);
        return `'${h.title}' is already booting on ${h.console}.`;
      } catch {
        return undefined; // the folder cannot be written: alone
      }
    },
    releaseBoot: () => dropClaim(bootFile, pid),
  };
}
