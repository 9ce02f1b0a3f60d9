import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countdownText } from '../../src/ui/text';

test('the countdown keeps "any key to stop" on an 80-column line, shortening a long title', () => {
  const long = 'Debian GNU/Linux 12 (bookworm) (6.1.0-56-amd64) with a very long suffix';
  for (const remaining of [10, 9, 1]) {
    const line = countdownText(long, remaining, 80);
    assert.ok(line.length <= 80, `${line.length}: ${line}`);
    assert.match(line, new RegExp(`^Booting 'Debian GNU/Linux 12 \\(bookworm\\).*…' in ${remaining} s — any key to stop$`));
  }
  // The cut stays in place while the seconds count down: only the digits change.
  assert.equal(countdownText(long, 10, 80).indexOf('…'), countdownText(long, 9, 80).indexOf('…'));
});

test('a title that fits is shown whole', () => {
  assert.equal(countdownText('Debian GNU/Linux', 7, 80), "Booting 'Debian GNU/Linux' in 7 s — any key to stop");
  assert.equal(countdownText('Debian GNU/Linux', 7), "Booting 'Debian GNU/Linux' in 7 s — any key to stop");
});
