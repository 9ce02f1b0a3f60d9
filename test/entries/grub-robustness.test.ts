// Bad and hostile input: the reader reports problems with file and line, keeps every entry
// it can, and always returns — unclosed blocks, unterminated quotes, long lines, include
// loops, loops that never end, deep nesting, huge generated files, random damage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { grubParser } from '../../src/entries/grub';
import { MAX_DIAGNOSTICS_PER_FILE } from '../../src/entries/grub/limits';
import { MemoryFiles } from '../../src/fs/memory-files';
import { messages, runGrub, titles, X64 } from './grub-helpers';

test('an unclosed menuentry block: the entry is kept and the open line reported', () => {
  const r = runGrub("menuentry 'A' {\n  linux /vmlinuz-a\n");
  assert.deepEqual(titles(r), ['A']);
  assert.deepEqual(messages(r), ['warning@1: the `{` opened here is never closed']);
});

test('an unterminated quote costs only its line; the entries after it are listed', () => {
  const r = runGrub('echo "oops\nmenuentry B { linux /vmlinuz-b }\n');
  assert.deepEqual(titles(r), ['B']);
  assert.deepEqual(messages(r), ['warning@1: a double quote is never closed; the command is skipped']);
});

test('syntax errors inside an entry: the line is reported, the entry kept', () => {
  const r = runGrub("menuentry 'C' {\n  echo a | b\n  linux /vmlinuz-c quiet\n  fi\n}\nmenuentry D { linux /d }\n");
  assert.deepEqual(titles(r), ['C', 'D']);
  assert.equal(r.entries[0]?.cmdline, 'quiet');
  assert.deepEqual(messages(r), [
    'warning@2: `|` is not part of GRUB\'s script language; the command is skipped',
    'warning@4: `fi` is not expected here',
  ]);
});

test('long lines (up to the 1 MiB line cap) and 400 KB words are read like short ones', () => {
  const long = 'x'.repeat(400_000);
  const r = runGrub(`echo ${long} "${long}" $a${'$b'.repeat(1000)}\nmenuentry "L" { linux /vmlinuz ${long} }\n`);
  assert.deepEqual(titles(r), ['L']);
  assert.equal(r.entries[0]?.cmdline.length, 400_000);
  assert.deepEqual(r.diagnostics, []);
});

test('include loops (source and configfile) are read once and reported', () => {
  const r = runGrub('source /boot/grub/a.cfg\nmenuentry top { linux /t }\n', {
    '/boot/grub/a.cfg': 'menuentry a { linux /a }\nsource /boot/grub/b.cfg\n',
    '/boot/grub/b.cfg': 'menuentry b { linux /b }\nsource /boot/grub/a.cfg\nconfigfile /boot/grub/grub.cfg\n',
  });
  assert.deepEqual(titles(r), ['a', 'b', 'top']);
  assert.deepEqual(messages(r), [
    'warning@2: /boot/grub/a.cfg includes itself (through /boot/grub/grub.cfg → /boot/grub/a.cfg → /boot/grub/b.cfg); GRUB would loop until it runs out of memory, so it is read once',
    // configfile back to the config still running is a loop too (not a stub handing over to a listed config).
    'warning@3: /boot/grub/grub.cfg includes itself (through /boot/grub/grub.cfg → /boot/grub/a.cfg → /boot/grub/b.cfg); GRUB would loop until it runs out of memory, so it is read once',
  ]);
});

test('loops that never end, runaway recursion and loop bombs stop with a message; earlier entries stay', () => {
  const spin = runGrub('menuentry first { linux /f }\nwhile true; do echo; done\nmenuentry second { linux /s }\n');
  assert.deepEqual(titles(spin), ['first', 'second']);
  assert.deepEqual(messages(spin), ['warning@2: this loop is stopped after 1000 rounds']);

  const recursion = runGrub('function f { f; }\nf\nmenuentry after { linux /a }\n');
  assert.deepEqual(titles(recursion), ['after']);
  assert.deepEqual(messages(recursion), ['warning@1: function calls nested more than 32 deep (`f` calling itself?) are stopped']);

  const words = '1 '.repeat(3000);
  const bomb = runGrub(`menuentry before { linux /b }\nfor a in ${words}; do for b in ${words}; do echo; done; done\nmenuentry never { linux /n }\n`);
  assert.deepEqual(titles(bomb), ['before']);
  assert.equal(bomb.diagnostics.length, 1);
  assert.match(bomb.diagnostics[0]!.message, /^stopped after \d+ GRUB commands \(a loop that does not end\?\); the menu is what was built until then$/);
  assert.equal(bomb.diagnostics[0]!.severity, 'error');

  const entry = runGrub('function spin { while true; do echo; done; }\nmenuentry slow { for i in ' + '1 '.repeat(100) + '; do spin; done; linux /s }\nmenuentry ok { linux /o }\n');
  assert.deepEqual(titles(entry), ['ok']);
  assert.ok(messages(entry).includes('warning@2: "slow" runs too many commands (a loop that does not end?); not listed'), messages(entry).join('\n'));
});

test('nesting deeper than the limit is skipped as a whole, without exhausting the stack', () => {
  const n = 20000;
  const r = runGrub(`${'if true; then '.repeat(n)}menuentry deep { linux /d }\n${'fi\n'.repeat(n)}menuentry shallow { linux /s }\n${'{'.repeat(n)}\n`);
  assert.deepEqual(titles(r), ['shallow']);
  assert.deepEqual(messages(r), [
    'warning@1: statements nested more than 64 deep are skipped',
    `warning@${n + 3}: a \`{\` block with no command before it`,
  ]);
});

test('thousands of problems: the first ones listed, then one line', () => {
  const r = runGrub('echo $\n'.repeat(500) + 'menuentry ok { linux /o }\n');
  assert.deepEqual(titles(r), ['ok']);
  assert.equal(r.diagnostics.length, MAX_DIAGNOSTICS_PER_FILE + 1);
  assert.deepEqual(r.diagnostics[MAX_DIAGNOSTICS_PER_FILE], { severity: 'warning', file: '/boot/grub/grub.cfg', line: MAX_DIAGNOSTICS_PER_FILE + 1, message: `more than ${MAX_DIAGNOSTICS_PER_FILE} problems; the rest are not listed` });
});

test('a 4 MB generated grub.cfg (about the largest config read) is read completely', () => {
  const uuid = '0f7e3c52-91a4-4d8b-b6e2-7a1d5c9e3b80';
  const parts = ['set default="1>3"\nset menuentry_id_option=--id\nexport menuentry_id_option\nfunction load_video { insmod all_video; }\n'];
  let size = parts[0]!.length;
  let count = 0;
  for (let sub = 0; size < 4_000_000; sub++) {
    parts.push(`submenu 'Advanced ${sub}' $menuentry_id_option 'advanced-${sub}' {\n`);
    for (let k = 0; k < 50; k++, count++) {
      const v = `6.1.0-${count}-amd64`;
      const e = `\tmenuentry 'Linux ${v}' --class debian $menuentry_id_option 'gnulinux-${v}' {\n\t\tload_video\n\t\tinsmod gzio\n\t\tset root='hd0,gpt2'\n\t\tif [ x$feature_platform_search_hint = xy ]; then\n\t\t  search --no-floppy --fs-uuid --set=root --hint-bios=hd0,gpt2 ${uuid}\n\t\telse\n\t\t  search --no-floppy --fs-uuid --set=root ${uuid}\n\t\tfi\n\t\techo\t'Loading Linux ${v} ...'\n\t\tlinux\t/vmlinuz-${v} root=UUID=${uuid} ro  quiet\n\t\tinitrd\t/initrd.img-${v}\n\t}\n`;
      parts.push(e);
      size += e.length;
    }
    parts.push('}\n');
  }
  const r = runGrub(parts.join(''));
  assert.equal(r.entries.length, count);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.entries.filter((e) => e.isDefault).map((e) => e.title), ['Advanced 1 > Linux 6.1.0-53-amd64']);
  assert.equal(r.entries[count - 1]?.localId, `gnulinux-6.1.0-${count - 1}-amd64`);
});

/** A small deterministic PRNG (mulberry32), so a failure can be reproduced. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('randomly damaged real configs never throw and always return entries and diagnostics', () => {
  const fixtures = join(__dirname, '../../../test/fixtures/grub');
  const sources = ['debian12/boot/grub/grub.cfg', 'ubuntu2204/boot/grub/grub.cfg', 'fedora39/grub2/grub.cfg', 'opensuse155/boot/grub2/grub.cfg'].map((p) => readFileSync(join(fixtures, p), 'utf8'));
  const junk = ['{', '}', '"', "'", '\\', '$', '${', ';', '\n', 'fi', 'done', 'if ', 'menuentry x {', '>', '|', '\0', '\r'];
  const random = prng(20240611);
  for (let i = 0; i < 150; i++) {
    let text = sources[i % sources.length]!;
    for (let k = 0; k < 1 + Math.floor(random() * 8); k++) {
      const at = Math.floor(random() * text.length);
      const cut = Math.floor(random() * 40);
      text = text.slice(0, at) + (random() < 0.7 ? junk[Math.floor(random() * junk.length)] : '') + text.slice(at + cut);
    }
    const files = new MemoryFiles({ '/boot/grub/grub.cfg': text, '/grub2/grub.cfg': text, '/boot/grub/grubenv': text.slice(0, 1024) });
    const r = grubParser.parse(files, 'sda1', X64);
    assert.ok(Array.isArray(r.entries) && Array.isArray(r.diagnostics), `round ${i}`);
    assert.ok(!r.diagnostics.some((d) => d.message.startsWith('the GRUB reader failed')), `round ${i}: ${JSON.stringify(r.diagnostics)}`);
  }
});
