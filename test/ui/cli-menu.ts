// `kexec-menu menu` itself (src/cli/menu.ts: settings file, roots, --consoles) on a dumb
// terminal in this process: each line is typed once what it answers has been printed.
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';

/** One step: wait until the output since the last line typed matches `after`, then type `line`. */
export type Step = readonly [after: RegExp, line: string];

/** Runs the menu with `argv` through `steps`; returns everything it printed (LF line ends). */
export async function runCliMenu(argv: readonly string[], steps: readonly Step[]): Promise<string> {
  const { run } = await import('../../src/cli/menu');
  const input = new PassThrough();
  let written = '';
  let from = 0;
  let waiting: { text: RegExp; go: () => void } | undefined;
  const check = () => {
    if (waiting && waiting.text.test(written.slice(from))) {
      const w = waiting;
      waiting = undefined;
      w.go();
    }
  };
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      written += chunk.toString().replace(/\r\n/g, '\n');
      check();
      done();
    },
  });
  const done = run(argv, { input, output: output as unknown as NodeJS.WriteStream, env: { TERM: 'dumb' } });
  for (const [after, line] of steps) {
    await new Promise<void>((go) => {
      waiting = { text: after, go };
      check();
    });
    from = written.length;
    input.write(`${line}\n`);
  }
  assert.equal(await done, 0);
  return written;
}
