// Hostile or huge BLS input and the program's one glob matcher (issue 17): titles capped, every
// diagnostic with a line, and globs matched in linear time whatever the pattern or the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blsParser, LONG_LINE_MAX, MAX_TITLE_LENGTH } from '../../src/entries/bls';
import { compileGlob, globMatch } from '../../src/entries/bls-glob';
import { MemoryFiles } from '../../src/fs/memory-files';

const X64 = { efiArch: 'x64' } as const;

test('a 980 KB title is cut to MAX_TITLE_LENGTH with a warning on its line; the entry is listed', () => {
  const title = 'Debian '.repeat(140_000);
  const r = blsParser.parse(new MemoryFiles({ '/loader/entries/a.conf': `linux /v\ntitle ${title}\n`, '/loader/entries/b.conf': 'title B\nlinux /b\n' }), 'p1', X64);
  assert.deepEqual(Object.fromEntries(r.entries.map((e) => [e.localId, e.title.length])), { a: MAX_TITLE_LENGTH, b: 1 });
  assert.deepEqual(r.diagnostics, [
    { severity: 'warning', file: '/loader/entries/a.conf', line: 2, message: `title is ${title.trim().length} characters long; only its first ${MAX_TITLE_LENGTH} are shown` },
  ]);
  // Not cut inside a surrogate pair.
  const astral = blsParser.parse(new MemoryFiles({ '/loader/entries/a.conf': `title ${'x'.repeat(MAX_TITLE_LENGTH - 1)}${'😀'.repeat(10)}\nlinux /v\n` }), 'p1', X64);
  assert.equal(astral.entries[0]!.title, 'x'.repeat(MAX_TITLE_LENGTH - 1));
});

test('BLS lines are capped at LONG_LINE_MAX: a longer line rejects the file, with its line', () => {
  const r = blsParser.parse(new MemoryFiles({ '/loader/entries/a.conf': `linux /v\r${'x'.repeat(LONG_LINE_MAX + 1)}\n` }), 'p1', X64);
  assert.deepEqual(r.entries, []);
  assert.deepEqual(r.diagnostics, [{ severity: 'error', file: '/loader/entries/a.conf', line: 2, message: `line is longer than ${LONG_LINE_MAX} characters; the file is not read` }]);
});

test('every BLS diagnostic has a line: junk, no kernel, reserved names, duplicates, too many files, loader.conf', () => {
  const files: Record<string, string> = {
    '/loader/entries/junk.conf': Array.from({ length: 100 }, (_, i) => `junk${i} v`).join('\n'),
    '/loader/entries/nokernel.conf': 'title x\n',
    '/loader/entries/auto-x.conf': 'linux /v\n',
    '/loader/entries/dup+1.conf': 'linux /v\n',
    '/loader/entries/dup+2.conf': 'linux /v\n',
    '/loader/entries/big.conf': 'x'.repeat(5 * 1024 * 1024),
    '/loader/loader.conf': 'timeout nope\ndefault nothing-matches\n',
  };
  for (let i = 0; i < 2005; i++) files[`/loader/entries/many-${String(i).padStart(4, '0')}.conf`] = `linux /v${i}\n`;
  const r = blsParser.parse(new MemoryFiles(files), 'p1', X64);
  assert.ok(r.diagnostics.length >= 8, String(r.diagnostics.length));
  for (const d of r.diagnostics) assert.ok(Number.isInteger(d.line) && d.line! >= 1, `no line: ${JSON.stringify(d)}`);
  assert.ok(r.diagnostics.some((d) => d.file === '/loader/loader.conf' && d.line === 2 && /matches no listed entry/.test(d.message)));
});

test('the one glob matcher: `*Debian*12*` against a 980 KB title answers (a backtracking RegExp did not finish in 20 s; the test\'s timeout catches a return of that)', { timeout: 120_000 }, () => {
  const title = 'Debian '.repeat(140_000);
  for (const syntax of ['fnmatch', 'simple'] as const) {
    const glob = compileGlob('*Debian*12*', syntax);
    assert.equal(glob.test(title), false);
    assert.equal(glob.test(title + '12'), true);
    assert.equal(compileGlob('*a*a*a*a*a*a*a*a*a*a*b', syntax).test('a'.repeat(1_000_000)), false);
    assert.equal(compileGlob('*?e?b?a?n*', syntax).test(title), false);
  }
});

test("the settings' syntax ('simple'): `*` and `?` only, brackets and backslashes literal, case ignored", () => {
  const simple = (p: string, t: string): boolean => compileGlob(p, 'simple').test(t);
  assert.equal(simple('debian*', 'Debian GNU/Linux'), true);
  assert.equal(simple('*(6.1.0-?)', 'Linux (6.1.0-9)'), true);
  assert.equal(simple('[ab]', 'a'), false);
  assert.equal(simple('[ab]', '[AB]'), true);
  assert.equal(simple('a\\*', 'a\\bc'), true);
  assert.equal(simple('a\\*', 'a*'), false);
  assert.equal(simple('', ''), true);
  assert.equal(simple('*', ''), true);
  assert.equal(simple('?', '😀'), true, 'one character, not one UTF-16 unit');
  assert.equal(simple('a*b*c', 'abc'), true);
  assert.equal(simple('a*b*c', 'acb'), false);
  assert.equal(simple('ab*ba', 'aba'), false, 'the first and the last piece do not overlap');
  // fnmatch keeps its sets and escapes.
  assert.equal(globMatch('[ab]', 'A'), true);
  assert.equal(globMatch('a\\*', 'a*'), true);
});

test('random patterns: the matcher agrees with a plain RegExp on short texts', () => {
  let seed = 17;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = ['a', 'b', 'A', '*', '?'];
  for (let i = 0; i < 3000; i++) {
    const pattern = Array.from({ length: Math.floor(rnd() * 7) }, () => alphabet[Math.floor(rnd() * alphabet.length)]!).join('');
    const text = Array.from({ length: Math.floor(rnd() * 8) }, () => (rnd() < 0.5 ? 'a' : 'b')).join('');
    const re = new RegExp(`^${pattern.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'is');
    assert.equal(compileGlob(pattern, 'simple').test(text), re.test(text), `${pattern} ~ ${text}`);
    assert.equal(compileGlob(pattern).test(text), re.test(text), `${pattern} ~ ${text} (fnmatch)`);
  }
});
