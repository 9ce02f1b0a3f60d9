import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../../src/settings/settings';
import { SettingsError, applyCmdline, loadSettings, parseSettings, readSettingsFile, cmdlineParameters } from '../../src/settings/load';

const FILE = '/etc/kexec-menu/config.yaml';

function errorOf(text: string): string {
  try {
    parseSettings(text, FILE);
  } catch (err) {
    assert.ok(err instanceof SettingsError);
    return err.message;
  }
  assert.fail('no error for: ' + text);
}

test('every key is read; relative paths are taken from the settings file’s folder', () => {
  const s = parseSettings(
    `timeout: -1
default: "debian*"
formats: [grub, loose]
roots:
  - ../samples/debian-boot
  - { path: /srv/fedora, name: nvme0n1p2, uuid: 9a4d, partuuid: p-1, label: boot, partlabel: Linux }
menus: [menus, /usr/share/kexec-menu/menus]
editor: false
shell: false
password: "pbkdf2-sha256$10000$c2FsdA$aGFzaA"
trusted: [{ uuid: 3f6a1c2e }, { partuuid: 8a7b }, { label: ESP }]
dry-run: true
handoff: init
console: { ascii: true }
network: { enabled: true, interfaces: [eth0], timeout: 5 }
`,
    '/work/x/configs/demo.yaml',
  );
  assert.deepEqual(s, {
    timeout: -1,
    default: 'debian*',
    formats: ['grub', 'loose'],
    roots: [{ path: '/work/x/samples/debian-boot' }, { path: '/srv/fedora', name: 'nvme0n1p2', uuid: '9a4d', partuuid: 'p-1', label: 'boot', partlabel: 'Linux' }],
    menus: ['/work/x/configs/menus', '/usr/share/kexec-menu/menus'],
    editor: false,
    shell: false,
    password: 'pbkdf2-sha256$10000$c2FsdA$aGFzaA',
    trusted: [
      { by: 'uuid', value: '3f6a1c2e' },
      { by: 'partuuid', value: '8a7b' },
      { by: 'label', value: 'ESP' },
    ],
    dryRun: true,
    handoff: 'init',
    console: { ascii: true },
    network: { enabled: true, interfaces: ['eth0'], timeout: 5 },
    file: '/work/x/configs/demo.yaml',
    timeoutOrigin: { file: '/work/x/configs/demo.yaml', line: 1 },
  });
});

test('what a file leaves out keeps its default; an empty file is all defaults', () => {
  assert.deepEqual(parseSettings('timeout: 3\n', FILE), { ...DEFAULT_SETTINGS, timeout: 3, file: FILE, timeoutOrigin: { file: FILE, line: 1 } });
  assert.deepEqual(parseSettings('', FILE), { ...DEFAULT_SETTINGS, file: FILE });
  assert.deepEqual(parseSettings('# only a comment\n', FILE), { ...DEFAULT_SETTINGS, file: FILE });
});

test('mistakes name file, line and key', () => {
  assert.equal(errorOf('timeout: 5\ntimout: 5\n'), `${FILE}:2: key 'timout' is not known (did you mean 'timeout'?)`);
  assert.equal(errorOf('dryRun: true\n'), `${FILE}:1: key 'dryRun' is not known (did you mean 'dry-run'?)`);
  assert.equal(errorOf('timeout: "5"\n'), `${FILE}:1: key 'timeout' must be whole seconds from 0 to 86400, -1 to wait forever, or from-default, not the text '5'`);
  assert.equal(errorOf('timeout: 2.5\n'), `${FILE}:1: key 'timeout' must be whole seconds from 0 to 86400, -1 to wait forever, or from-default, not number 2.5`);
  assert.equal(errorOf('timeout: -2\n'), `${FILE}:1: key 'timeout' must be whole seconds from 0 to 86400, -1 to wait forever, or from-default, not number -2`);
  assert.equal(errorOf('editor: yes\n'), `${FILE}:1: key 'editor' must be true or false, not the text 'yes'`);
  assert.equal(errorOf('handoff: kexec\n'), `${FILE}:1: key 'handoff' must be 'direct' or 'init', not the text 'kexec'`);
  assert.equal(errorOf('formats: [grub, bsl]\n'), `${FILE}:1: 'formats' has the text 'bsl', which is not a format (did you mean 'bls'?)`);
  assert.equal(errorOf('formats: [grub, grub]\n'), `${FILE}:1: 'formats' lists 'grub' twice`);
  assert.equal(errorOf('formats: grub\n'), `${FILE}:1: key 'formats' must be a list, not the text 'grub'`);
  assert.equal(errorOf('roots:\n  - { path: /a, uid: x }\n'), `${FILE}:2: in 'roots': key 'uid' is not known (did you mean 'uuid'?)`);
  assert.equal(errorOf('roots:\n  - { name: x }\n'), `${FILE}:2: a root in 'roots' has no 'path'`);
  assert.equal(errorOf('console: { ascii: true, colour: false }\n'), `${FILE}:1: in 'console': key 'colour' is not known (known keys: ascii)`);
  assert.equal(errorOf('password: 1234\n'), `${FILE}:1: key 'password' must be text, not number 1234 (quote it)`);
  assert.equal(errorOf('- timeout\n'), `${FILE}:1: settings must be a mapping of keys (timeout, default, formats, roots, menus, editor, shell, password, trusted, dry-run, handoff, console, network, state), not a list`);
  assert.equal(errorOf('trusted: { uuid: x }\n'), `${FILE}:1: key 'trusted' must be a list, not a mapping`);
  assert.equal(errorOf('trusted:\n  - { uuid: x, label: y }\n'), `${FILE}:2: each of 'trusted' must be a mapping with one of uuid, partuuid, label, server, url, not a mapping`);
  assert.equal(errorOf('trusted:\n  - { partlabel: x }\n'), `${FILE}:2: in 'trusted': key 'partlabel' is not known (known keys: uuid, partuuid, label, server, url)`);
  assert.equal(errorOf('trusted:\n  - { label: 2024 }\n'), `${FILE}:2: key 'label' must be text, not number 2024 (quote it)`);
  assert.equal(errorOf('timeout: 5\ntimeout: 6\n'), `${FILE}:2: key 'timeout' is given twice`);
  // yaml notices the missing quote where the text ends: the last line.
  assert.equal(errorOf('default: "unclosed\n'), `${FILE}:1: Missing closing "quote`);
});

test('the kernel command line wins over the file; bad values there only warn', () => {
  const base = parseSettings('timeout: 10\ndefault: auto\ndry-run: false\n', FILE);
  const r = applyCmdline(base, 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 kexec_menu.timeout=5 "kexec_menu.default=Debian GNU/Linux*" kexec_menu.dry_run quiet');
  assert.equal(r.settings.timeout, 5);
  assert.equal(r.settings.default, 'Debian GNU/Linux*');
  assert.equal(r.settings.dryRun, true);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(applyCmdline(base, 'kexec_menu.dry_run=1 kexec_menu.dry_run=0').settings.dryRun, false, 'the last one wins');

  const bad = applyCmdline(base, 'kexec_menu.timeout=soon kexec_menu.defualt=x kexec_menu.dry_run=maybe kexec_menu.default=');
  assert.equal(bad.settings.timeout, 10);
  assert.equal(bad.settings.default, 'auto');
  assert.equal(bad.settings.dryRun, false);
  assert.deepEqual(
    bad.diagnostics.map((d) => `${d.file}: ${d.message}`),
    [
      "kernel command line: 'kexec_menu.timeout=soon' ignored: the timeout must be whole seconds from 0 to 86400, -1, or from-default",
      "kernel command line: 'kexec_menu.defualt=x' ignored: kexec_menu.defualt is not an option (did you mean kexec_menu.default?)",
      "kernel command line: 'kexec_menu.dry_run=maybe' ignored: dry_run must be 1 or 0",
      "kernel command line: 'kexec_menu.default=' ignored: it needs a value (auto, or an id or title glob)",
    ],
  );
});

test('timeout: from-default hands the timeout to the default entry\'s config; a number on the command line takes it back', () => {
  const s = parseSettings('default: auto\ntimeout: from-default\n', FILE);
  assert.equal(s.timeoutFromDefault, true);
  assert.equal(s.timeout, 10, 'the number for configs that set none stays the built-in one');
  assert.deepEqual(s.timeoutOrigin, { file: FILE, line: 2 });
  const back = applyCmdline(s, 'kexec_menu.timeout=4').settings;
  assert.deepEqual([back.timeout, back.timeoutFromDefault, back.timeoutOrigin], [4, false, { file: 'kernel command line' }]);
  const there = applyCmdline(parseSettings('timeout: 7\n', FILE), 'kexec_menu.timeout=from-default').settings;
  assert.deepEqual([there.timeout, there.timeoutFromDefault, there.timeoutOrigin], [7, true, { file: 'kernel command line' }]);
  assert.equal(errorOf('timeout: from-disk\n'), `${FILE}:1: key 'timeout' must be whole seconds from 0 to 86400, -1 to wait forever, or from-default, not the text 'from-disk'`);
});

test('cmdlineParameters follows the kernel: spaces split, double quotes group', () => {
  assert.deepEqual(cmdlineParameters('  a=1  "b=x y"\tc="d e" f\n'), ['a=1', 'b=x y', 'c=d e', 'f']);
  assert.deepEqual(cmdlineParameters(''), []);
});

test('loadSettings: the file, then the command line; no file: built-in defaults; missing file: error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-settings-'));
  try {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'timeout: 30\nmenus: [m]\n');
    const r = loadSettings(file, 'kexec_menu.timeout=0');
    assert.equal(r.settings.timeout, 0);
    assert.deepEqual(r.settings.menus, [join(dir, 'm')]);
    assert.equal(r.settings.file, file);
    assert.deepEqual(loadSettings(undefined, '').settings, DEFAULT_SETTINGS);
    assert.throws(() => readSettingsFile(join(dir, 'nope.yaml')), { message: `${join(dir, 'nope.yaml')}: no such file` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shipped settings files load', () => {
  const demo = readSettingsFile('configs/demo.yaml');
  assert.equal(demo.timeout, 10);
  assert.equal(demo.dryRun, true);
  assert.equal(demo.roots.length, 6);
  assert.ok(demo.roots.every((r) => r.path.includes('/samples/') && r.uuid !== undefined));
  const image = readSettingsFile('configs/default.yaml');
  assert.equal(image.dryRun, false);
  assert.deepEqual(image.roots, [], 'the image scans the real disks');
});
