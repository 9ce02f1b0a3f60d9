// The VM tests read the menu through Screen: check it reproduces what blessed really draws
// (its own output for vt100 and xterm, captured from a fake terminal), and the sequences a
// shell or the kernel print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import * as blessed from 'blessed';
import { Screen } from './screen';

/** What blessed writes to an 80x24 terminal of type `term` for a bordered list. */
function blessedOutput(term: string, select: number): string {
  const output = new PassThrough() as PassThrough & { columns: number; rows: number; isTTY: boolean };
  output.columns = 80;
  output.rows = 24;
  output.isTTY = true;
  let data = '';
  output.on('data', (d: Buffer) => (data += d.toString('latin1')));
  const input = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: () => void };
  input.isTTY = true;
  input.setRawMode = () => undefined;
  const screen = blessed.screen({ input, output, terminal: term, smartCSR: true });
  const list = blessed.list({
    parent: screen, top: 2, left: 4, width: 40, height: 6, border: 'line', label: ' Boot ',
    items: ['Debian GNU/Linux', 'Fedora Linux 39', 'Rescue shell'],
    style: { selected: { inverse: true } },
  });
  blessed.text({ parent: screen, top: 20, left: 0, content: 'Enter: boot  e: edit' });
  screen.render();
  list.select(select);
  screen.render();
  (screen.program as unknown as { flush(): void }).flush();
  const drawn = data; // before destroy(), which leaves the alternate screen
  screen.destroy();
  return drawn;
}

for (const term of ['vt100', 'xterm']) {
  test(`Screen shows what blessed draws for TERM=${term}, selection in reverse video`, () => {
    const s = new Screen(80, 24);
    const raw = blessedOutput(term, 1);
    // Fed in small pieces: escape sequences split across reads must still parse.
    for (let i = 0; i < raw.length; i += 7) s.write(raw.slice(i, i + 7));
    const t = s.text();
    assert.match(t[3]!, /^ {4}[|+]Debian GNU\/Linux +[|+]$/, `row 3: ${t[3]}`);
    assert.match(t[4]!, /^ {4}[|+]Fedora Linux 39 +[|+]$/);
    assert.match(t[5]!, /Rescue shell/);
    assert.match(t[2]!, /^ {4}\+.*Boot.*\+$/, 'the label is on the top border');
    assert.equal(t[20], 'Enter: boot  e: edit');
    assert.deepEqual(s.inverseLines(), ['|Fedora Linux 39                       |'.replace(/\|/g, t[4]![4]!)], 'only the selection is in reverse video');
    assert.equal(t.length, 24);
  });
}

test('Screen handles a shell\'s line output, wrapping and scrolling', () => {
  const s = new Screen(10, 3);
  s.write('one\r\ntwo\r\nthree\r\nfour');
  assert.deepEqual(s.text(), ['two', 'three', 'four']);
  s.write('\x1b[2J\x1b[1;1Habcdefghijkl');
  assert.deepEqual(s.text(), ['abcdefghij', 'kl', '']);
  s.write('\x1b[1;3H\x1b[K');
  assert.deepEqual(s.text(), ['ab', 'kl', '']);
});
