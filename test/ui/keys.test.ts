import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import * as blessed from 'blessed';
import { KeyDecoder, keyLabel, type Key } from '../../src/ui/keys';

const labels = (keys: Key[]) => keys.map(keyLabel);

/** Feeds `chunks` one read at a time, then flushes (the escape timeout ran out). */
function decode(...chunks: (string | Buffer)[]): string[] {
  const d = new KeyDecoder();
  const out: Key[] = [];
  for (const c of chunks) out.push(...d.feed(c));
  out.push(...d.flush());
  return labels(out);
}

test('the keys each terminal type sends: xterm and vt100 (normal and application mode), linux console', () => {
  assert.deepEqual(decode('\x1b[A\x1b[B\x1b[C\x1b[D'), ['up', 'down', 'right', 'left']);
  assert.deepEqual(decode('\x1bOA\x1bOB\x1bOH\x1bOF'), ['up', 'down', 'home', 'end']);
  assert.deepEqual(decode('\x1b[1~\x1b[4~\x1b[5~\x1b[6~\x1b[H\x1b[F\x1b[7~\x1b[8~'), ['home', 'end', 'pageup', 'pagedown', 'home', 'end', 'home', 'end']);
  assert.deepEqual(decode('\x1b[[A\x1b[[E\x1bOP\x1b[15~\x1b[24~'), ['f1', 'f5', 'f1', 'f5', 'f12']);
  assert.deepEqual(decode('\x1b[3~\x1b[2~\x1b[Z'), ['delete', 'insert', 'backtab']);
  // Modifiers are ignored: Ctrl+Up is Up.
  assert.deepEqual(decode('\x1b[1;5A\x1b[6;2~'), ['up', 'pagedown']);
  // vt100 keypad in application mode: digits and Enter.
  assert.deepEqual(decode('\x1bOq\x1bOr\x1bOM'), ['1', '2', 'enter']);
});

test('control keys: CR, LF and CR LF are one Enter each; Backspace as DEL or ^H; Ctrl letters', () => {
  assert.deepEqual(decode('\r', '\r\n', 'a\nb'), ['enter', 'enter', 'a', 'enter', 'b']);
  assert.deepEqual(decode('\r', '\n'), ['enter'], 'CR LF split across reads');
  assert.deepEqual(decode('\n', '\n'), ['enter', 'enter']);
  assert.deepEqual(decode('\x7f\x08\t\x01\x05\x0b\x15'), ['backspace', 'backspace', 'tab', 'ctrl-a', 'ctrl-e', 'ctrl-k', 'ctrl-u']);
  assert.deepEqual(decode('jk?'), ['j', 'k', '?']);
});

test('an escape sequence split across reads, at every byte, is still one key', () => {
  for (const seq of ['\x1b[B', '\x1b[6~', '\x1bOA', '\x1b[1;5D', '\x1b[[C', '\x1b[24~']) {
    const whole = decode(seq);
    assert.equal(whole.length, 1, `${JSON.stringify(seq)} decodes to one key`);
    for (let cut = 1; cut < seq.length; cut++) {
      assert.deepEqual(decode(seq.slice(0, cut), seq.slice(cut)), whole, `${JSON.stringify(seq)} split at ${cut}`);
    }
    // One byte per read, as a 300-baud line would deliver it.
    assert.deepEqual(decode(...[...seq]), whole);
  }
});

test('blessed 0.1.81 itself reads a split sequence as three keys: the reason for our decoder', async () => {
  const input = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: () => void };
  input.isTTY = true;
  input.setRawMode = () => undefined;
  const output = new PassThrough() as PassThrough & { columns: number; rows: number; isTTY: boolean };
  Object.assign(output, { columns: 80, rows: 24, isTTY: true });
  output.resume();
  const screen = blessed.screen({ input, output, terminal: 'vt100', warnings: false });
  const seen: string[] = [];
  screen.program.on('keypress', (_ch: unknown, key: { full?: string }) => seen.push(key?.full ?? '?'));
  input.write('\x1b');
  await new Promise((r) => setTimeout(r, 20));
  input.write('[B');
  await new Promise((r) => setTimeout(r, 20));
  screen.destroy();
  assert.deepEqual(seen, ['escape', '[', 'S-b']);
  assert.deepEqual(decode('\x1b', '[B'), ['down']);
});

test('a lone ESC is the Esc key once the timeout says nothing follows; ESC then a letter is Esc and the letter', () => {
  const d = new KeyDecoder();
  assert.deepEqual(d.feed('\x1b'), []);
  assert.equal(d.pending, true);
  assert.deepEqual(labels(d.flush()), ['escape']);
  assert.equal(d.pending, false);
  assert.deepEqual(decode('\x1bq'), ['escape', 'q']);
  assert.deepEqual(decode('\x1b\x1b[A'), ['escape', 'up']);
});

test('line noise, unknown sequences and bad UTF-8 are dropped without losing the keys around them', () => {
  assert.deepEqual(decode('j\x1b[999999999~k'), ['j', 'k']);
  assert.deepEqual(decode('j\x1b[?1;2cK'), ['j', 'K'], 'a terminal report is not a key');
  assert.deepEqual(decode('\x00\x1c\x1d\x1e\x1fj'), ['j']);
  assert.deepEqual(decode(Buffer.from([0xff, 0xfe, 0x80, 0x6a, 0xc3, 0x28, 0x6b])), ['j', '(', 'k']);
  assert.deepEqual(decode('é', Buffer.from([0xe2, 0x82]), Buffer.from([0xac])), ['é', '€'], 'UTF-8 split across reads');
  // A runaway CSI longer than any key is cut and the decoder resynchronises.
  assert.deepEqual(decode('\x1b[' + '1;'.repeat(40) + 'Aj'), ['j']);
  // An unfinished sequence at the timeout is noise, not keys.
  assert.deepEqual(decode('\x1b[1;'), []);
  // ESC [ followed by a control byte: the sequence is broken; the byte is read as itself.
  assert.deepEqual(decode('\x1b[\rj'), ['enter', 'j']);
});

test('random bytes never throw and the decoder always drains', () => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let round = 0; round < 200; round++) {
    const d = new KeyDecoder();
    for (let i = 0; i < 20; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(rand() * 12) }, () => (rand() < 0.3 ? 0x1b : Math.floor(rand() * 256))));
      d.feed(bytes);
    }
    d.flush();
    assert.equal(d.pending, false);
  }
});
