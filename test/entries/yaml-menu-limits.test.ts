// Hostile YAML menus on a partition: nesting that would cost the yaml package hundreds of MB
// (400 KB of `[`: 300 MB) is refused before it is parsed, with the file and line; a menu larger
// than MAX_MENU_BYTES is not read; ten thousand entries of one title stay linear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MENU_BYTES, parseYamlMenu, yamlParser } from '../../src/entries/yaml-menu';
import { MAX_YAML_NESTING, parseYaml } from '../../src/entries/yaml-doc';
import { MemoryFiles } from '../../src/fs/memory-files';

const FILE = '/boot/kexec-menu.yaml';

test('400 KB of nested brackets, of nested flow maps and of `- - -` are refused before the yaml package parses them, each with its one error and line (the timeout catches a return of the 300 MB parse)', { timeout: 120_000 }, () => {
  const cases = [
    { text: 'entries:\n  - title: ok\n    kernel: ' + '['.repeat(200_000) + ']'.repeat(200_000) + '\n', line: 3, message: `brackets are nested more than ${MAX_YAML_NESTING} deep here: the file is not read` },
    { text: '# a menu\nentries: ' + '{a: '.repeat(100_000) + '}'.repeat(100_000) + '\n', line: 2, message: `brackets are nested more than ${MAX_YAML_NESTING} deep here: the file is not read` },
    { text: 'entries:\n' + '- '.repeat(200_000) + 'x\n', line: 2, message: `more than ${MAX_YAML_NESTING} lists or keys open on one line here: the file is not read` },
    { text: 'entries: [\n' + '[\n'.repeat(200_000), line: MAX_YAML_NESTING + 1, message: `brackets are nested more than ${MAX_YAML_NESTING} deep here: the file is not read` },
  ];
  for (const c of cases) {
    const y = parseYaml(c.text);
    assert.deepEqual(y.errors.map((e) => ({ line: e.line, message: e.message })), [{ line: c.line, message: c.message }]);
  }
  // On a partition, 400 KB is over the menu size already; 2 KB of brackets is not.
  const small = 'entries:\n  - title: ok\n    kernel: ' + '['.repeat(1000) + ']'.repeat(1000) + '\n';
  const r = yamlParser.parse(new MemoryFiles({ [FILE]: small }), 'sda1', { efiArch: 'x64' });
  assert.deepEqual(r.entries, []);
  assert.deepEqual(r.diagnostics, [{ severity: 'error', file: FILE, line: 3, message: `brackets are nested more than ${MAX_YAML_NESTING} deep here: the file is not read` }]);
});

test('brackets that are text (in plain, quoted and block scalars, after a comment) and nesting up to the limit are read as before', () => {
  const text = [
    '# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
    'entries:',
    '  - title: Debian [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
    '    kernel: /vmlinuz',
    `    cmdline: "quiet ${'['.repeat(40)} \\" ${'{'.repeat(40)}"`,
    `    sort-key: 'it''s ${'['.repeat(40)}'`,
    '  - title: Two',
    '    kernel: /vmlinuz',
    '    cmdline: |',
    ...Array.from({ length: 40 }, () => '      [{[{ a'),
    '    initrd: [' + '['.repeat(MAX_YAML_NESTING - 2) + ']'.repeat(MAX_YAML_NESTING - 2) + ']',
  ].join('\n');
  const y = parseYaml(text);
  assert.ok(!y.errors.some((e) => /nested|open on one line/.test(e.message)), JSON.stringify(y.errors));
  const r = parseYamlMenu(text, FILE, 'sda1');
  assert.equal(r.entries[0]!.title, 'Debian ' + '['.repeat(55));
  assert.equal(r.entries[0]!.cmdline, `quiet ${'['.repeat(40)} " ${'{'.repeat(40)}`);
  assert.equal(r.entries[0]!.sortKey, `it's ${'['.repeat(40)}`);
  assert.equal(r.entries.length, 1, 'the second entry has an initrd that is a list of lists: an error of its own');
  assert.deepEqual(r.diagnostics.map((d) => d.line), [7 + 3 + 40]);
});

test('a menu larger than MAX_MENU_BYTES is not read; 1,500 entries with one title get distinct ids', () => {
  const entry = '  - {title: Same, kernel: /vmlinuz}\n';
  const big = 'entries:\n' + entry.repeat(Math.ceil(MAX_MENU_BYTES / entry.length) + 1);
  assert.deepEqual(parseYamlMenu(big, FILE, 'sda1').diagnostics, [{ severity: 'error', file: FILE, line: 1, message: `menu is larger than ${MAX_MENU_BYTES / 1024} KiB; not read` }]);
  const many = 'entries:\n' + entry.repeat(1500);
  const r = parseYamlMenu(many, FILE, 'sda1');
  assert.equal(new Set(r.entries.map((e) => e.localId)).size, 1500);
  assert.equal(r.entries[2]!.localId, 'same~3');
});
