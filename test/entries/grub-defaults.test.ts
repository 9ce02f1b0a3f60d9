// Which entry GRUB boots by default (grub-core/normal/menu.c): `default` as an index, an id,
// a title, or a `>` path into submenus; next_entry/saved_entry from grubenv as the
// distributions' 00_header applies them; and what grubenv changes in the fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, lstatSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { grubParser } from '../../src/entries/grub';
import { defaultIndex, menuEntryMatches, submenuDefault } from '../../src/entries/grub/menu';
import { MemoryFiles } from '../../src/fs/memory-files';
import type { ParseResult } from '../../src/entries/model';
import { grubenv, messages, runGrub, X64 } from './grub-helpers';

const MENU = `
menuentry 'Zero' --id zero { linux /vmlinuz-0 }
menuentry 'One' --id one { linux /vmlinuz-1 }
submenu 'Sub>menu' --id sub {
  menuentry 'S0' --id s0 { linux /vmlinuz-s0 }
  menuentry 'S1' --id s1 { linux /vmlinuz-s1 }
  menuentry 'S2' --id s2 { linux /vmlinuz-s2 }
}
menuentry '3 Three' { linux /vmlinuz-3 }
`;

const defaultTitle = (r: ParseResult): string[] => r.entries.filter((e) => e.isDefault).map((e) => e.title);

test('set default: index, hex index, id, title, "N>M" and id/title paths into a submenu, ">>" for a ">" in a title', () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'Zero'],
    ['1', 'One'],
    ['0x1', 'One'],
    ['one', 'One'],
    ['One', 'One'],
    // The submenu itself: GRUB enters it and boots its first entry (no rest after `>`).
    ['2', 'Sub>menu > S0'],
    ['2>2', 'Sub>menu > S2'],
    ['2>s1', 'Sub>menu > S1'],
    ['sub>s2', 'Sub>menu > S2'],
    ['Sub>>menu>S1', 'Sub>menu > S1'],
    ['3 Three', '3 Three'],
    // Out of range, unknown, negative: GRUB falls back to the first entry.
    ['9', 'Zero'],
    ['nonexistent', 'Zero'],
    ['-1', 'Zero'],
    ['sub>nothing', 'Sub>menu > S0'],
  ];
  for (const [value, expected] of cases) {
    const set = value === undefined ? '' : `set default='${value}'\n`;
    assert.deepEqual(defaultTitle(runGrub(set + MENU)), [expected], `default=${value}`);
  }
});

test('a submenu may set its own default; the rest of the outer default after ">" comes first', () => {
  const sub = (body: string) => `set default=1\nmenuentry A { linux /a }\nsubmenu B { ${body}\nmenuentry B0 { linux /b0 }\nmenuentry B1 { linux /b1 } }\n`;
  assert.deepEqual(defaultTitle(runGrub(sub('set default=1'))), ['B > B1']);
  assert.deepEqual(defaultTitle(runGrub(sub('echo'))), ['B > B0']);
  assert.deepEqual(defaultTitle(runGrub(sub('echo').replace('set default=1', 'set default="1>1"'))), ['B > B1']);
});

test("GRUB's matching helpers: menuentry_eq with '>' paths and '>>' escapes, the submenu's share of default", () => {
  assert.ok(menuEntryMatches('a>b', 'a>>b'));
  assert.ok(menuEntryMatches('a', 'a>b'));
  assert.ok(!menuEntryMatches('ab', 'a>b'));
  assert.ok(!menuEntryMatches('a', 'ab'));
  assert.equal(submenuDefault('a>>b>c>d'), 'c>d');
  assert.equal(submenuDefault('a>'), undefined);
  assert.equal(submenuDefault('abc'), undefined);
  assert.equal(defaultIndex([], '1'), 0);
});

/** A fixture tree as MemoryFiles, so a test can change one file. */
function fixture(name: string, changes: Record<string, string | undefined>): MemoryFiles {
  const root = join(__dirname, '../../../test/fixtures/grub', name);
  const files = new MemoryFiles();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const p = join(dir, entry);
      const inside = '/' + relative(root, p);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) files.addLink(inside, readlinkSync(p));
      else if (st.isDirectory()) walk(p);
      else if (!(inside in changes)) files.addFile(inside, readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  for (const [path, text] of Object.entries(changes)) if (text !== undefined) files.addFile(path, text);
  return files;
}

const M = '2f4a6c8e0b1d43f5a7c9e1b3d5f7a9c1';
const R = 'e3b5a1c7-9d2f-4e6a-8b0c-1d3f5a7b9c2e';

test('Fedora: next_entry wins over saved_entry (once); kernelopts comes from grubenv, else the config sets it', () => {
  const env = grubenv({ saved_entry: `${M}-6.5.6-300.fc39.x86_64`, next_entry: `${M}-0-rescue`, kernelopts: `root=UUID=${R} ro debug` });
  const r = grubParser.parse(fixture('fedora39', { '/grub2/grubenv': env }), 'sda2', X64);
  assert.deepEqual(defaultTitle(r), [`Fedora (0-rescue-${M}) 33 (Workstation Edition)`]);
  assert.equal(r.entries.find((e) => e.localId.endsWith('0-rescue'))?.cmdline, `root=UUID=${R} ro debug`);
  // No menu_auto_hide in this grubenv: the menu shows for 5 s.
  assert.equal(r.configTimeout, 5);

  const bare = grubParser.parse(fixture('fedora39', { '/grub2/grubenv': undefined }), 'sda2', X64);
  assert.deepEqual(defaultTitle(bare), ['Fedora Linux (6.6.9-200.fc39.x86_64) 39 (Workstation Edition)'], 'no saved_entry: the first (newest) entry');
  assert.equal(bare.entries.find((e) => e.localId.endsWith('0-rescue'))?.cmdline, `root=UUID=${R} ro rootflags=subvol=root rhgb quiet`);
});

test('Debian: next_entry as an id path into the Advanced submenu', () => {
  const U = 'f1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  const env = grubenv({ next_entry: `gnulinux-advanced-${U}>gnulinux-6.1.0-12-amd64-recovery-${U}` });
  const r = grubParser.parse(fixture('debian12', { '/boot/grub/grubenv': env }), 'sda2', X64);
  assert.deepEqual(defaultTitle(r), ['Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-12-amd64 (recovery mode)']);
});

test('Ubuntu after a failed boot (recordfail=1): 30 s visible menu, text mode so no vt.handoff', () => {
  const r = grubParser.parse(fixture('ubuntu2204', { '/boot/grub/grubenv': grubenv({ recordfail: '1' }) }), 'sda2', X64);
  assert.equal(r.configTimeout, 30);
  assert.equal(r.entries[0]?.cmdline, 'root=UUID=8c2f5e1a-3b4d-4e6f-9a0b-7c1d2e3f4a5b ro quiet splash');
  assert.deepEqual(messages(r), [`info@${r.diagnostics[0]?.line}: "UEFI Firmware Settings" reboots into the firmware's setup (fwsetup), which kexec cannot do; not listed`]);
});

test('timeout: GRUB reads the leading number; none, or no digits, means no timeout', () => {
  const t = (cfg: string) => runGrub(cfg + '\nmenuentry a { linux /a }\n').configTimeout;
  assert.equal(t('set timeout=7'), 7);
  assert.equal(t('set timeout=10s'), 10);
  assert.equal(t('set timeout=-1'), undefined);
  assert.equal(t('echo'), undefined);
});
