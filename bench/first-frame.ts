// `node build/bench/first-frame.js`: how long from starting `kexec-menu menu` (the demo
// settings, on an 80x24 pseudo-terminal made by util-linux `script`) to its first complete
// frame on the terminal (the help line, drawn last, has arrived), against `node -e 0` started
// the same way. Prints the medians and their ratio. A benchmark, not a test.
//   RUNS=9 node build/bench/first-frame.js [--bundle dist/kexec-menu.js] [--config FILE]
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const RUNS = Number(process.env.RUNS ?? 7);
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : args[i + 1]!;
};
const program = resolve(opt('--bundle', 'build/src/cli.js'));
const config = resolve(opt('--config', 'configs/demo.yaml'));
/**
 * The last thing drawn in the first frame: the help line's last word (blessed writes the
 * spaces between words as cursor moves, so "? help" itself never appears).
 */
const DONE = 'help';
/** A run that shows nothing by then is stuck: stop it and say so. */
const LIMIT_MS = 20_000;

function quote(a: string): string {
  return `'${a.replace(/'/g, `'\\''`)}'`;
}

/** Runs `command` on an 80x24 pty; resolves with ms until `until` shows (or the exit, without it). */
function timed(command: string[], until?: string): Promise<number> {
  return new Promise((done, fail) => {
    const inner = `stty cols 80 rows 24; exec ${command.map(quote).join(' ')}`;
    const start = process.hrtime.bigint();
    const child = spawn('script', ['-qfec', inner, '/dev/null'], {
      env: { ...process.env, TERM: 'vt100', LANG: 'C' },
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: true,
    });
    const ms = () => Number(process.hrtime.bigint() - start) / 1e6;
    let seen = '';
    let finished = false;
    const finish = (t: number) => {
      if (finished) return;
      finished = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      done(t);
    };
    const limit = setTimeout(() => {
      if (finished) return;
      finished = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      fail(new Error(`nothing like '${until}' after ${LIMIT_MS} ms:\n${seen.slice(-2000)}`));
    }, LIMIT_MS);
    child.on('close', () => clearTimeout(limit));
    child.stdout.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      if (until && seen.includes(until)) finish(ms());
    });
    child.on('exit', () => {
      if (until && !finished) fail(new Error(`the program ended without drawing '${until}':\n${seen.slice(-2000)}`));
      else finish(ms());
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const baseline: number[] = [];
  const frame: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(await timed([process.execPath, '-e', '0']));
    frame.push(await timed([process.execPath, program, 'menu', '--config', config, '--cmdline', 'kexec_menu.timeout=-1'], DONE));
  }
  const b = median(baseline);
  const f = median(frame);
  process.stdout.write(`${program} menu --config ${config}, ${RUNS} runs, 80x24 pty (script), TERM=vt100\n`);
  process.stdout.write(`  node -e 0:                 median ${b.toFixed(0)} ms  (${baseline.map((x) => x.toFixed(0)).join(' ')})\n`);
  process.stdout.write(`  menu's first full frame:   median ${f.toFixed(0)} ms  (${frame.map((x) => x.toFixed(0)).join(' ')})\n`);
  process.stdout.write(`  ratio: ${(f / b).toFixed(2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
