// The background kernel checks must not hold the screen back: with many entries whose checks
// settle at once (files too short to be kernels), the first frame still goes out first,
// and every entry is checked after it (issue 7: 1,000 entries held the frame for seconds).
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { runMenu } from '../../src/ui/run';
import { FakeBackend, ManualClock, SETTINGS, TerminalOutput, VDA2, entry, menuOf, settle } from './harness';

test('1,000 entries whose checks settle at once: the first frame is written before the checks end, then every entry is checked and marked', async () => {
  const entries = Array.from({ length: 1000 }, (_, i) => entry(`e${i}`, `Linux ${i}`, VDA2));
  const backend = new FakeBackend(menuOf(entries));
  let checks = 0;
  backend.check = async () => {
    checks++;
    return 'the image is too short to be a kernel';
  };
  let checksAtFirstOutput: number | undefined;
  class Recording extends TerminalOutput {
    override _write(chunk: Buffer, enc: string, done: () => void): void {
      checksAtFirstOutput ??= checks;
      super._write(chunk, enc, done);
    }
  }
  const output = new Recording(80, 24);
  const input = new PassThrough();
  const finished = runMenu({
    backend,
    settings: SETTINGS,
    mode: { kind: 'full', terminal: 'vt100', ascii: true },
    input,
    output: output as unknown as NodeJS.WriteStream,
    product: 'kexec-menu 9.9.9',
    clock: new ManualClock(),
  });
  for (let round = 0; round < 500 && checks < entries.length; round++) await settle();
  assert.ok(checksAtFirstOutput !== undefined, 'the menu wrote nothing');
  assert.ok(checksAtFirstOutput < entries.length, `all ${entries.length} checks ran before the first output`);
  assert.equal(checks, entries.length);
  await settle();
  assert.match(output.screen.toString(), /! Linux 0\b/);
  assert.match(output.screen.toString(), /Cannot boot: the image is too short to be a kernel/);
  input.write('q');
  await settle();
  assert.deepEqual(await finished, { kind: 'quit' });
});
