// With a password, what protects the machine comes from the settings file alone: no disk
// (its settings-like files, its menus, its boot loaders' own editor and password settings)
// and no kexec_menu.* option changes the password, the trusted sources, or turns the editor on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { applyCmdline, parseSettings } from '../../src/settings/load';
import { hashPassword } from '../../src/ui/password';
import { runCliMenu } from '../ui/cli-menu';

const ROOT_UUID = '3f6a1c2e-8b4d-4e5f-9a7b-1c2d3e4f5a6b';
const RIGHT = hashPassword('right', Buffer.from('0123456789abcdef'), 1000);
const STICKS = hashPassword('stick', Buffer.from('fedcba9876543210'), 1000);

function tree(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** A stick that says, every way a disk could, that the editor is on, its password is 'stick' and it is trusted. */
const HOSTILE: Record<string, string> = {
  '/kexec-menu.yaml': `entries:\n  - title: Root shell\n    id: shell\n    partition: { uuid: ${ROOT_UUID} }\n    kernel: /vmlinuz\n    cmdline: init=/bin/sh kexec_menu.editor=1\n`,
  '/boot/kexec-menu.yaml': `password: "${STICKS}"\neditor: true\ntrusted: [{ label: STICK }]\nentries: []\n`,
  '/etc/kexec-menu/config.yaml': `password: "${STICKS}"\neditor: true\nshell: true\ntrusted: [{ label: STICK }]\n`,
  '/loader/loader.conf': 'editor yes\ndefault shell\n',
  '/boot/grub/grub.cfg': `set superusers=""\npassword_pbkdf2 root grub.pbkdf2.sha512.10000.00.00\nset kexec_menu_editor=1\nmenuentry 'Grub shell' --unrestricted {\n  search --fs-uuid --set=root ${ROOT_UUID}\n  linux /vmlinuz init=/bin/sh\n}\n`,
  '/boot/grub/grubenv': `# GRUB Environment Block\nkexec_menu.password=${STICKS}\neditor=1\n`,
};

function withMachine(fn: (config: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-protected-'));
    try {
      tree(join(dir, 'root'), { '/vmlinuz': 'k', '/boot/kexec-menu.yaml': 'entries:\n  - { title: Debian, id: debian, kernel: /vmlinuz, default: true }\n' });
      tree(join(dir, 'stick'), HOSTILE);
      const config = join(dir, 'config.yaml');
      writeFileSync(
        config,
        `timeout: -1\ndry-run: true\neditor: false\npassword: "${RIGHT}"\nroots:\n  - { path: root, name: sda2, uuid: ${ROOT_UUID} }\n  - { path: stick, name: sdb1, label: STICK }\n`,
      );
      await fn(config);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('kexec_menu.* on the kernel command line sets timeout, default and dry-run only: never the password, trusted, the editor or the shell', () => {
  const base = parseSettings(`editor: false\nshell: false\npassword: "${RIGHT}"\ntrusted: [{ uuid: ${ROOT_UUID} }]\n`, '/etc/kexec-menu/config.yaml');
  const r = applyCmdline(base, `kexec_menu.password=${STICKS} kexec_menu.editor=1 kexec_menu.shell=1 kexec_menu.trusted=label:STICK kexec_menu.timeout=3`);
  assert.equal(r.settings.password, RIGHT);
  assert.deepEqual(r.settings.trusted, [{ by: 'uuid', value: ROOT_UUID }]);
  assert.equal(r.settings.editor, false);
  assert.equal(r.settings.shell, false);
  assert.equal(r.settings.timeout, 3, 'the options that exist still work');
  assert.deepEqual(
    r.diagnostics.map((d) => d.message.replace(/ \(.*$/, '')),
    ['password', 'editor', 'shell', 'trusted'].map((k) => `'kexec_menu.${k}=${k === 'password' ? STICKS : k === 'trusted' ? 'label:STICK' : '1'}' ignored: kexec_menu.${k} is not an option`),
  );
});

test('kexec-menu list: the stick that trusts itself every way it can is still not trusted', withMachine((config) => {
  const r = spawnSync(process.execPath, [resolve('build/src/cli.js'), 'list', '--json', '--config', config], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { entries: { id: string; notes: string[] }[]; default: string };
  const notes = Object.fromEntries(out.entries.map((e) => [e.id, e.notes.join(' ')]));
  assert.match(notes['STICK:yaml:shell'] ?? '', /^Boots only with the password: kernel \/vmlinuz is on sda2, another disk than its config's partition sdb1; the settings do not trust sdb1/);
  assert.match(notes['STICK:grub:Grub shell'] ?? '', /^Boots only with the password: kernel \/vmlinuz is on sda2/, "GRUB's --unrestricted and superusers change nothing");
  assert.equal(out.default, `${ROOT_UUID}:yaml:debian`);
}));

test('kexec-menu menu with that stick: the editor stays off, the stick\'s password opens nothing, the settings\' one does', withMachine(async (config) => {
  const CHOICE = /Choice [^\n]*: $/;
  const PASSWORD = /Password [^\n]*: $/;
  const out = await runCliMenu(['--config', config], [
    [CHOICE, 'e 1'],
    [CHOICE, 's'],
    [PASSWORD, 'stick'],
    [/Wrong password\.\nPassword [^\n]*: $/, 'right'],
    [/this would start a rescue shell[\s\S]*Choice [^\n]*: $/, 'q'],
  ]);
  assert.match(out, /Editing is turned off in the settings \(editor: false\)\./);
  assert.match(out, /# Root shell \(boots with the password\)/);
}));
