import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyDecoder } from '../../src/ui/keys';
import { type EditResult, type LineState, applyKey, lineAt, visibleWindow } from '../../src/ui/line-editor';

/** Types the bytes (as a terminal sends them) into the editor; returns the last result. */
function type(start: LineState, bytes: string): EditResult {
  const d = new KeyDecoder();
  let r: EditResult = { kind: 'edit', state: start };
  for (const k of [...d.feed(bytes), ...d.flush()]) {
    if (r.kind !== 'edit') break;
    r = applyKey(r.state, k);
  }
  return r;
}

const text = (r: EditResult) => (r.kind === 'edit' ? `${r.state.text}|${r.state.cursor}` : r.kind === 'accept' ? `accept:${r.text}` : 'cancel');

test('cursor moves, Home/End, Ctrl-A/E, insert in the middle', () => {
  assert.equal(text(type(lineAt('ro quiet'), '\x1b[H' + 'root=/dev/vda2 ')), 'root=/dev/vda2 ro quiet|15');
  assert.equal(text(type(lineAt('ro quiet'), '\x01\x05 single')), 'ro quiet single|15');
  assert.equal(text(type(lineAt('ro quiet'), '\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D' + 'X')), 'ro Xquiet|4');
  assert.equal(text(type(lineAt('abc'), '\x1b[C\x1b[C')), 'abc|3', 'Right stops at the end');
  assert.equal(text(type(lineAt('abc', 0), '\x1b[D')), 'abc|0', 'Left stops at the start');
});

test('Ctrl-K cuts to the end, Ctrl-U to the start, Ctrl-W a word, Backspace and Delete one character', () => {
  assert.equal(text(type(lineAt('root=/dev/sda1 ro quiet splash', 17), '\x0b')), 'root=/dev/sda1 ro|17');
  assert.equal(text(type(lineAt('root=/dev/sda1 ro quiet', 15), '\x15')), 'ro quiet|0');
  assert.equal(text(type(lineAt('ro quiet splash'), '\x17')), 'ro quiet |9');
  assert.equal(text(type(lineAt('ro quiet'), '\x7f\x7f')), 'ro qui|6');
  assert.equal(text(type(lineAt('ro quiet', 0), '\x1b[3~')), 'o quiet|0');
  assert.equal(text(type(lineAt('', 0), '\x7f\x1b[3~')), '|0', 'nothing to delete is no error');
});

test('Enter accepts the line as typed, Esc cancels (also when the Esc arrives alone)', () => {
  assert.equal(text(type(lineAt('ro'), ' single\r')), 'accept:ro single');
  assert.equal(text(type(lineAt('ro'), ' single\x1b')), 'cancel');
  assert.equal(text(type(lineAt('ro'), '\x03')), 'cancel', 'Ctrl-C cancels too');
});

test('a long line scrolls so the cursor stays visible, and says which side is hidden', () => {
  const long = 'x'.repeat(50) + 'END';
  const atEnd = visibleWindow(lineAt(long), 20);
  assert.equal(atEnd.text.length <= 20, true);
  assert.equal(atEnd.text.endsWith('END'), true);
  assert.equal(atEnd.left, true);
  assert.equal(atEnd.right, false);
  assert.equal(atEnd.text[atEnd.cursor] ?? ' ', ' ', 'the cursor is just past the end');
  const atStart = visibleWindow(lineAt(long, 0), 20);
  assert.deepEqual([atStart.cursor, atStart.left, atStart.right], [0, false, true]);
  for (let c = 0; c <= long.length; c++) {
    const w = visibleWindow(lineAt(long, c), 20);
    assert.ok(w.cursor >= 0 && w.cursor < 20, `cursor ${c} visible`);
  }
});
