// How a boot server's entries join the disks' menu (src/net/merge.ts): the trust rule marks
// them, the disks' default stays unless nothing there boots by itself or the settings' glob
// names a network entry, and what the countdown asks: whether its default may still come
// from a boot server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PartitionInfo } from '../../src/fs/files';
import type { Menu } from '../../src/entries/scan/scan';
import { noMatchMessage } from '../../src/entries/scan/default';
import { defaultAwaitsNetwork, withNetwork } from '../../src/net/merge';
import type { NetScan } from '../../src/net/source';
import { VDA2, entry } from '../ui/harness';

const SERVER: PartitionInfo = { name: 'tftp://10.0.2.2', fstype: 'tftp', partlabel: 'network eth0' };
const CONFIG = 'tftp://10.0.2.2/pxelinux.cfg/default';
const netEntry = (local: string, title: string) =>
  entry(`tftp://10.0.2.2:extlinux:${local}`, title, SERVER, {
    source: { format: 'extlinux', file: CONFIG, line: 1, partition: SERVER.name },
    resolution: { ok: true, files: { kernel: `tftp://10.0.2.2/${local}/vmlinuz`, initrds: [], overlays: [] } },
  });
const NET: NetScan = { partition: SERVER, entries: [netEntry('install', 'Installer'), netEntry('rescue', 'Rescue')], diagnostics: [], config: CONFIG };
const DEBIAN = entry('ROOT:bls:debian', 'Debian', VDA2);
const disks = (defaultId?: string, rule = 'auto'): Menu => ({
  entries: [DEBIAN],
  ...(defaultId ? { defaultId } : {}),
  diagnostics: rule === 'auto' || defaultId === undefined ? [] : [{ severity: 'warning', file: 'settings', message: noMatchMessage(rule) }],
  timeout: 10,
});
const PASSWORD = '$pbkdf2-sha256$1000$c2FsdA$aGFzaA';

test("the disks' default stays; nothing bootable on the disks: the network's; after the disks' entries", () => {
  const kept = withNetwork(disks(DEBIAN.id), NET, { default: 'auto' });
  assert.deepEqual(kept.entries.map((e) => e.id), [DEBIAN.id, ...NET.entries.map((e) => e.id)]);
  assert.equal(kept.defaultId, DEBIAN.id);
  assert.equal(withNetwork({ entries: [], diagnostics: [], timeout: 10 }, NET, { default: 'auto' }).defaultId, 'tftp://10.0.2.2:extlinux:install');
});

test("a glob that names no disk entry and names a boot server's entry makes it the default, and the disks' warning goes", () => {
  const menu = withNetwork(disks(DEBIAN.id, 'Rescue'), NET, { default: 'Rescue' });
  assert.equal(menu.defaultId, 'tftp://10.0.2.2:extlinux:rescue');
  assert.deepEqual(menu.diagnostics, [], 'it names an entry now');
  const onDisk = withNetwork(disks(DEBIAN.id), NET, { default: 'Deb*' });
  assert.equal(onDisk.defaultId, DEBIAN.id, 'a glob naming a disk entry keeps it');
  const none = withNetwork(disks(DEBIAN.id, 'Fedora*'), NET, { default: 'Fedora*' });
  assert.equal(none.defaultId, DEBIAN.id);
  assert.deepEqual(none.diagnostics.map((d) => d.message), [noMatchMessage('Fedora*')], 'still names nothing: said once');
});

test("with a password, an untrusted server's entries are marked, never the default, and the glob falls back to the disks' default", () => {
  const locked = withNetwork(disks(DEBIAN.id, 'Rescue'), NET, { default: 'Rescue', password: PASSWORD });
  const rescue = locked.entries.find((e) => e.title === 'Rescue')!;
  assert.match(rescue.needsPassword ?? '', /^config tftp:\/\/10\.0\.2\.2\/pxelinux\.cfg\/default is on a boot server the settings do not trust \(trusted: \{ server: 10\.0\.2\.2 \}/);
  assert.equal(locked.defaultId, DEBIAN.id);
  assert.match(locked.diagnostics.map((d) => d.message).join('\n'), /default 'Rescue' picks 'Rescue', which boots only with the password/);
  const alone = withNetwork({ entries: [], diagnostics: [], timeout: 10 }, NET, { default: 'auto', password: PASSWORD });
  assert.equal(alone.defaultId, undefined, 'nothing boots by itself: no default, so no countdown boots one');
  const trusted = withNetwork({ entries: [], diagnostics: [], timeout: 10 }, NET, { default: 'auto', password: PASSWORD, trusted: [{ by: 'server', value: '10.0.2.2' }] });
  assert.equal(trusted.defaultId, 'tftp://10.0.2.2:extlinux:install');
  assert.ok(trusted.entries.every((e) => e.needsPassword === undefined));
});

test('the countdown awaits the network when nothing boots by itself, or when the glob names no entry there is', () => {
  assert.equal(defaultAwaitsNetwork([DEBIAN], true, 'auto'), false, "the disks' default");
  assert.equal(defaultAwaitsNetwork([DEBIAN], false, 'auto'), true, 'nothing boots by itself');
  assert.equal(defaultAwaitsNetwork([], false, 'auto'), true);
  assert.equal(defaultAwaitsNetwork([DEBIAN], true, 'Installer'), true, 'the glob may name a boot server entry not read yet');
  assert.equal(defaultAwaitsNetwork([DEBIAN, ...NET.entries], true, 'Installer'), false, 'it names one now');
  assert.equal(defaultAwaitsNetwork([DEBIAN], true, 'deb*'), false);
  assert.equal(defaultAwaitsNetwork([DEBIAN], true, '@saved'), false, '@saved is read from the machine, not the network');
});

test("`default: @saved` with nothing bootable on the disks: the automatic rule picks among the server's entries, without a note about a store of the last choice", () => {
  const menu = withNetwork({ entries: [], diagnostics: [], timeout: 10 }, NET, { default: '@saved' });
  assert.equal(menu.defaultId, 'tftp://10.0.2.2:extlinux:install');
  assert.deepEqual(menu.diagnostics, []);
});
