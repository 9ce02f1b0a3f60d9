import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions } from '../../src/entries/version';

// Pairs from the UAPI Version Format Specification's examples and systemd's test-string-util.
const older: [string, string][] = [
  ['11', '102'],
  ['1.1', '1.2'],
  ['1.2', '1.10'],
  ['123~rc1', '123'],
  ['123~rc1', '123~rc2'],
  ['123', '123.1'],
  ['123-9', '123.1-1'],
  ['123.4-3.1', '123.4^post1'],
  ['a', 'b'],
  ['abc', 'abcde'],
  ['1a', '1'], // alpha segment vs none? '1' ends first: longer ('1a') is newer
  ['6.1.0-13-amd64', '6.1.0-18-amd64'],
  ['6.5.6-300.fc39.x86_64', '6.5.12-300.fc39.x86_64'],
  ['5.15.0-88-generic', '6.2.0-36-generic'],
  ['0-rescue-abc', '6.5.6-300.fc39.x86_64'],
];

test('compareVersions orders versions as the UAPI version format specification does', () => {
  for (const [a, b] of older) {
    if (a === '1a') continue;
    assert.equal(Math.sign(compareVersions(a, b)), -1, `${a} < ${b}`);
    assert.equal(Math.sign(compareVersions(b, a)), 1, `${b} > ${a}`);
  }
  assert.equal(Math.sign(compareVersions('1', '1a')), -1, 'the string with more segments is newer');
  assert.equal(compareVersions('00123', '123'), 0, 'leading zeros do not count');
  assert.equal(compareVersions('1.2', '1.2'), 0);
  assert.equal(compareVersions('', ''), 0);
  assert.equal(Math.sign(compareVersions('', '1')), -1);
});
