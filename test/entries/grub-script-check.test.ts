// GRUB's own syntax checker as the oracle: `grub-script-check` (Debian's grub-common) parses
// a file with GRUB's lexer and grammar. Every fixture must pass it (so the fixtures are real
// GRUB syntax), and on a set of snippets our parser must report a problem exactly where
// GRUB's rejects the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from '../../src/entries/grub/parser';

const FIXTURES = join(__dirname, '../../../test/fixtures/grub');

function grubScriptCheck(file: string): { ok: boolean; output: string } {
  const r = spawnSync('grub-script-check', [file], { encoding: 'utf8' });
  if (r.error) throw new Error(`grub-script-check could not run (${r.error.message}); install Debian's grub-common (listed in .ci/apt-packages)`);
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

function configFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) configFiles(p, out);
    else if (name.endsWith('.cfg')) out.push(p);
  }
  return out;
}

test('every fixture config passes grub-script-check and parses here without a problem', () => {
  const files = configFiles(FIXTURES);
  assert.ok(files.length >= 10, `found ${files.length} configs`);
  for (const file of files) {
    const check = grubScriptCheck(file);
    assert.ok(check.ok, `${file}: ${check.output}`);
    const parser = new Parser(readFileSync(file, 'utf8'));
    parser.parseAll();
    assert.deepEqual(parser.problems, [], file);
  }
});

/**
 * Snippets on both sides of GRUB's grammar. (Left out: a file that ends in a function
 * definition, which grub-script-check alone rejects because the chunk has no command to run.)
 */
const SNIPPETS: readonly string[] = [
  'echo hello',
  'menuentry x { linux /a }',
  'menuentry x {linux /a;}',
  'menuentry x {\nlinux /a\n}',
  'menuentry x { }',
  'menuentry "x" {\n  # only a comment\n}',
  'menuentry x --id y { linux /a } echo',
  'menuentry a { menuentry b { linux /x } }',
  'menuentry t { if true; then linux /a; fi }',
  'if true; then echo a; fi',
  'if true then echo a; fi',
  'if true; then echo a; else echo b; fi',
  'if true; then echo a; elif false; then echo b; else echo c; fi',
  'if true; then fi',
  'if true; then echo; else fi',
  'if true; then echo; fi; fi',
  'if true;then t4=4; ;fi',
  'if true; then menuentry x { linux /a }; fi',
  'for i in a b c; do echo $i; done',
  'for i in; do echo; done',
  'for i in a b c do echo $i; done',
  'while true; do break; done',
  'while true; do done',
  'until false; do break; done',
  'while true; do function g { echo; }; done',
  'function g { function h { echo; }; }\necho',
  'function f { echo x; }\necho y',
  'function f\n{\n  echo\n}\necho y',
  'echo a | b',
  'echo a && b',
  'echo a; ; echo b',
  'echo a;; echo b',
  ';',
  'echo a\n\n\n;',
  'echo a;',
  'echo ${a-b}',
  'echo $',
  'echo "unterminated',
  "echo 'unterminated",
  'echo "multi\nline"',
  'echo a\\\nb',
  '{ echo a; }',
  '}',
  'echo }',
  'echo {',
  'echo a{b}',
  'case x in esac',
  'select',
  'echo if then else',
  'then echo',
  'x=1',
  '[ a = b ]',
  'echo ${1}',
  'echo $1x $@ $* $# $?',
  'echo $"i18n string"',
  'echo a # comment',
  'echo a#b',
  'echo "a\\"b" \'c\\d\' "e\\$f"',
  'echo [[ ]]',
  'echo a[[b',
  '! true',
  'echo <',
];

test('our parser reports a problem exactly where grub-script-check rejects the snippet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'grub-snippets-'));
  try {
    const disagreements: string[] = [];
    const verdicts = new Set<boolean>();
    SNIPPETS.forEach((snippet, i) => {
      const file = join(dir, `${i}.cfg`);
      writeFileSync(file, `${snippet}\n`);
      const grubAccepts = grubScriptCheck(file).ok;
      verdicts.add(grubAccepts);
      const parser = new Parser(`${snippet}\n`);
      parser.parseAll();
      const weAccept = parser.problems.length === 0;
      if (grubAccepts !== weAccept) disagreements.push(`${JSON.stringify(snippet)}: GRUB ${grubAccepts ? 'accepts' : 'rejects'}, we ${weAccept ? 'accept' : `report ${JSON.stringify(parser.problems)}`}`);
    });
    assert.deepEqual(disagreements, []);
    assert.deepEqual([...verdicts].sort(), [false, true], 'the snippets include both accepted and rejected text');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
