// `state:` in the settings file: the label of the menu's own state partition, checked with a
// sentence naming file, line and key; only the settings file sets it (not the kernel command line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS } from '../../src/settings/settings';
import { SettingsError, applyCmdline, parseSettings } from '../../src/settings/load';

const FILE = '/etc/kexec-menu/config.yaml';

const refused = (text: string, message: string): void =>
  assert.throws(() => parseSettings(text, FILE), (err: unknown) => err instanceof SettingsError && err.message === message, message);

test('no state partition unless the settings name one by label', () => {
  assert.equal(DEFAULT_SETTINGS.state, undefined);
  assert.equal(parseSettings('default: "@saved"\n', FILE).state, undefined);
  assert.deepEqual(parseSettings('default: "@saved"\nstate: { label: KEXEC-STATE }\n', FILE).state, { label: 'KEXEC-STATE' });
  assert.deepEqual(parseSettings('state:\n  label: "menu state"\n', FILE).state, { label: 'menu state' });
  // The kernel command line has no say in it.
  const s = parseSettings('state: { label: KEXEC-STATE }\n', FILE);
  assert.deepEqual(applyCmdline(s, 'kexec_menu.state=OTHER kexec_menu.default=@saved').settings.state, { label: 'KEXEC-STATE' });
});

test('a wrong state key or label is an error naming file, line and key', () => {
  const shape = "key 'state' must be a mapping with 'label' (the state partition's file system label)";
  refused('state: KEXEC-STATE\n', `${FILE}:1: ${shape}, not the text 'KEXEC-STATE'`);
  refused('state:\n  uuid: 1234-ABCD\n', `${FILE}:2: ${shape}, not a mapping`);
  refused('state: { label: A, uuid: B }\n', `${FILE}:1: ${shape}, not a mapping`);
  refused('state: { label: 12 }\n', `${FILE}:1: key 'state.label' must be text, not number 12 (quote it)`);
  refused('state: { label: ABCDEFGHIJKLMNOPQ }\n', `${FILE}:1: 'state.label' must be a file system label of up to 16 bytes without '/' or control characters, not the text 'ABCDEFGHIJKLMNOPQ'`);
  refused('state: { label: "a/b" }\n', `${FILE}:1: 'state.label' must be a file system label of up to 16 bytes without '/' or control characters, not the text 'a/b'`);
});
