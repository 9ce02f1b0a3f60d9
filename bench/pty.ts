// Runs a program on an 80x24 pseudo-terminal (util-linux `script`, as a serial console or a
// VT would give the menu) and times it: until it exits, or until everything in `until` has
// appeared in what it drew. The clock starts when `script` is spawned, so every time here
// includes the harness's own start (script, sh, stty); `harnessMs` measures that part alone
// so that reports can take it out.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface PtyRun {
  /** Milliseconds from spawning to the exit or to the last `until` string appearing. */
  readonly ms: number;
  /** The program's peak resident set (VmHWM) when it was stopped, in KiB; 0 if unread. */
  readonly peakKib: number;
}

export interface PtyOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Strings that must all have appeared on the terminal; without them, wait for the exit. */
  readonly until?: readonly string[];
  /** After `until`: wait this long, then read the peak memory (the frame is drawn, timers settle). */
  readonly settleMs?: number;
  /** After `until`: type these bytes and wait for the exit (a clean exit flushes Node's compile cache). */
  readonly thenType?: string;
  /** Give up after this long (a hang is an error, not a slow run). */
  readonly limitMs?: number;
}

function quote(a: string): string {
  return `'${a.replace(/'/g, `'\\''`)}'`;
}

/** The program `script` started: its only child (sh exec'd into the command). */
function programPid(scriptPid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length > 0 ? Number(kids[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** VmHWM of a live process, in KiB. */
export function peakRssKib(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The text of terminal output without its control sequences; a cursor move to the right
 * (blessed's way to skip unchanged cells, `ESC [ n C`) counts as n spaces.
 */
export function visibleText(output: string): string {
  return output
    .replace(/\x1b\[(\d*)C/g, (_, n: string) => ' '.repeat(Math.min(Number(n || 1), 500)))
    .replace(/\x1b\[[0-9;?]*[ -\/]*[@-~]/g, '')
    .replace(/\x1b[()][0-9A-Za-z]|\x1b[=>78]/g, '');
}

export function runOnPty(command: readonly string[], o: PtyOptions = {}): Promise<PtyRun> {
  return new Promise((done, fail) => {
    const inner = `stty cols 80 rows 24; exec ${command.map(quote).join(' ')}`;
    const start = process.hrtime.bigint();
    const child = spawn('script', ['-qfec', inner, '/dev/null'], {
      env: { ...process.env, TERM: 'vt100', LANG: 'C', LC_ALL: undefined, ...o.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const elapsed = () => Number(process.hrtime.bigint() - start) / 1e6;
    let seen = '';
    let shownAt: number | undefined;
    let settled = false;
    let peakKib = 0;
    const stop = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const limit = setTimeout(() => {
      stop();
      if (!settled) {
        settled = true;
        fail(new Error(`${command.join(' ')}: nothing complete after ${o.limitMs ?? 30000} ms; the terminal showed:\n${seen.slice(-1500)}`));
      }
    }, o.limitMs ?? 30000);
    const finish = (ms: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(limit);
      done({ ms, peakKib });
    };
    const afterShown = async (ms: number) => {
      const pid = programPid(child.pid!);
      if (o.settleMs) await sleep(o.settleMs);
      if (pid !== undefined) peakKib = peakRssKib(pid);
      if (o.thenType !== undefined) {
        child.stdin.write(o.thenType);
        return; // the exit finishes
      }
      stop();
      finish(ms);
    };
    child.stdout.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.length > 200_000) seen = seen.slice(-100_000);
      if (shownAt === undefined && o.until && o.until.every((s) => seen.includes(s) || visibleText(seen).includes(s))) {
        shownAt = elapsed();
        void afterShown(shownAt);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
    });
    child.on('error', (err) => {
      clearTimeout(limit);
      if (!settled) {
        settled = true;
        fail(err);
      }
    });
    child.on('exit', (code) => {
      if (o.until && shownAt === undefined) {
        clearTimeout(limit);
        if (!settled) {
          settled = true;
          fail(new Error(`${command.join(' ')} ended (exit ${code}) before drawing ${o.until.map((s) => `'${s}'`).join(', ')}:\n${seen.slice(-1500)}`));
        }
        return;
      }
      finish(shownAt ?? elapsed());
    });
  });
}

/** The harness alone: script + sh + stty, then a program that does nothing. */
export function harnessMs(): Promise<PtyRun> {
  return runOnPty(['true']);
}
