// `network:` in the settings file: off by default, each key checked with a sentence naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS } from '../../src/settings/settings';
import { SettingsError, parseSettings } from '../../src/settings/load';

const FILE = '/etc/kexec-menu/config.yaml';

/** The settings text is refused with exactly this sentence. */
const refused = (text: string, message: string): void =>
  assert.throws(() => parseSettings(text, FILE), (err: unknown) => err instanceof SettingsError && err.message === message, message);

test('the network is off unless the settings turn it on; keys left out keep their defaults', () => {
  assert.deepEqual(DEFAULT_SETTINGS.network, { enabled: false, interfaces: [], timeout: 10 });
  assert.deepEqual(parseSettings('timeout: 3\n', FILE).network, { enabled: false, interfaces: [], timeout: 10 });
  assert.deepEqual(parseSettings('network: { enabled: true }\n', FILE).network, { enabled: true, interfaces: [], timeout: 10 });
  assert.deepEqual(parseSettings('network:\n  enabled: true\n  interfaces: [eth0, "enp*"]\n  timeout: 30\n', FILE).network, {
    enabled: true,
    interfaces: ['eth0', 'enp*'],
    timeout: 30,
  });
});

test('a wrong network key or value is an error naming file, line and key', () => {
  refused('network: true\n', `${FILE}:1: key 'network' must be a mapping (enabled, interfaces, timeout), not boolean true`);
  refused('network:\n  enable: true\n', `${FILE}:2: in 'network': key 'enable' is not known (did you mean 'enabled'?)`);
  refused('network:\n  enabled: yes please\n', `${FILE}:2: key 'network.enabled' must be true or false, not the text 'yes please'`);
  refused('network:\n  timeout: 0\n', `${FILE}:2: key 'network.timeout' must be whole seconds from 1 to 300, not number 0`);
  refused('network:\n  timeout: 2.5\n', `${FILE}:2: key 'network.timeout' must be whole seconds from 1 to 300, not number 2.5`);
  refused('network:\n  interfaces: eth0\n', `${FILE}:2: key 'network.interfaces' must be a list, not the text 'eth0'`);
  refused('network:\n  interfaces:\n    - eth0\n    - "eth0; reboot"\n',
    `${FILE}:4: 'network.interfaces' has 'eth0; reboot', which is not an interface name or glob (up to 15 of A-Z a-z 0-9 _ . : @ - * ?)`,
  );
  refused('network:\n  interfaces: [averyveryverylongname0]\n', `${FILE}:2: 'network.interfaces' has 'averyveryverylongname0', which is not an interface name or glob (up to 15 of A-Z a-z 0-9 _ . : @ - * ?)`);
});
