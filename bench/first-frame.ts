// `node build/bench/first-frame.js`: how long from starting `kexec-menu menu` (the demo
// settings, on an 80x24 pseudo-terminal made by util-linux `script`) to its first complete
// frame, against `node -e 0` started the same way. Prints the medians and their ratio: the
// quick form of what bench/startup.ts measures for docs/performance.md. A benchmark, not a test.
//   RUNS=9 node build/bench/first-frame.js [--bundle dist/kexec-menu.js] [--config FILE]
import { resolve } from 'node:path';
import { runOnPty } from './pty';
import { FIRST_FRAME } from './startup';
import { sample, show } from './stats';

const RUNS = Number(process.env.RUNS ?? 7);
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i === -1 ? dflt : args[i + 1]!;
};
const program = resolve(opt('--bundle', 'build/src/cli.js'));
const config = resolve(opt('--config', 'configs/demo.yaml'));

async function main(): Promise<void> {
  const baseline: number[] = [];
  const frame: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push((await runOnPty([process.execPath, '-e', '0'])).ms);
    frame.push((await runOnPty([process.execPath, program, 'menu', '--config', config, '--cmdline', 'kexec_menu.timeout=-1'], { until: FIRST_FRAME })).ms);
  }
  const b = sample(baseline);
  const f = sample(frame);
  process.stdout.write(`${program} menu --config ${config}, ${RUNS} runs, 80x24 pty (script), TERM=vt100\n`);
  process.stdout.write(`  node -e 0:                 ${show(b, 'ms')}\n`);
  process.stdout.write(`  menu's first full frame:   ${show(f, 'ms')}\n`);
  process.stdout.write(`  ratio: ${(f.median / b.median).toFixed(2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
