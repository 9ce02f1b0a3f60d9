// `timeout: from-default`: the default entry's own config decides the timeout, read as its
// boot loader reads it, on the real fixture trees (test/fixtures) and the samples; a number
// in the settings keeps deciding otherwise; `list` says where the number comes from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MachineContext } from '../../../src/machine/context';
import { openRoot } from '../../../src/disks/roots';
import { MemoryFiles } from '../../../src/fs/memory-files';
import { PARSERS } from '../../../src/entries/scan/parsers';
import { scanPartitions, type Menu, type ScanSettings } from '../../../src/entries/scan/scan';
import { timeoutSentence } from '../../../src/entries/scan/timeout';
import { DEFAULT_SETTINGS, type ScanRoot } from '../../../src/settings/settings';

const PC: MachineContext = { efiArch: 'x64' };
const FX = resolve('test/fixtures');
const S = resolve('samples');
/** The file-system UUIDs the fixtures' grub.cfg search for (their own partition). */
const DEBIAN = 'f1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const UBUNTU = '8c2f5e1a-3b4d-4e6f-9a0b-7c1d2e3f4a5b';
const FROM_DEFAULT: ScanSettings = { ...DEFAULT_SETTINGS, timeoutFromDefault: true, timeout: 10, timeoutOrigin: { file: '/etc/kexec-menu/config.yaml', line: 1 } };

function scan(roots: ScanRoot[], settings: ScanSettings = FROM_DEFAULT, machine: MachineContext = PC): Menu {
  return scanPartitions(roots.map((r) => openRoot(r)!), settings, machine, PARSERS);
}

/** The line of `file` that `says` (1-based), to check the reported line against the file itself. */
function lineOf(file: string, says: RegExp): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => says.test(l)) + 1;
}

test("GRUB (Debian 12's grub-mkconfig): the timeout line GRUB runs, with feature_timeout_style set", () => {
  const m = scan([{ path: `${FX}/grub/debian12`, name: 'sda1', uuid: DEBIAN }]);
  const cfg = `${FX}/grub/debian12/boot/grub/grub.cfg`;
  assert.equal(m.timeout, 5);
  // Line 86 is the `set timeout=5` of the feature_timeout_style branch (line 90 is the fallback's).
  assert.deepEqual(m.timeoutSource, { from: 'config', format: 'grub', partition: 'sda1', file: cfg, line: 86, says: 'timeout=5' });
  assert.equal(lineOf(cfg, /^\s+set timeout_style=menu$/) + 1, 86);
  assert.equal(timeoutSentence(m.timeout, m.timeoutSource), `boots the default after 5 s (timeout=5 in ${cfg}:86, the default entry's grub config)`);
});

test("GRUB's hidden menu (Ubuntu 22.04): boots at once unless a key is pressed", () => {
  const m = scan([{ path: `${FX}/grub/ubuntu2204`, name: 'sda2', uuid: UBUNTU }]);
  assert.ok(m.defaultId?.includes(':grub:'), m.defaultId);
  assert.equal(m.timeout, 0);
  assert.equal(m.timeoutSource?.from, 'config');
  assert.ok(m.timeoutSource?.from === 'config' && m.timeoutSource.hiddenMenu);
  assert.equal(m.timeoutSource?.from === 'config' ? m.timeoutSource.says : '', 'timeout=0, timeout_style=hidden');
  // Debian's config with its style changed to hidden (00_header's and 30_os-prober's lines):
  // GRUB would wait 5 s without a menu; the menu here is always on screen, so it boots at once
  // (a key held at start still stops it).
  const cfg = readFileSync(`${FX}/grub/debian12/boot/grub/grub.cfg`, 'utf8').replaceAll('set timeout_style=menu', 'set timeout_style=hidden');
  const files = new MemoryFiles({ '/boot/grub/grub.cfg': cfg, '/boot/vmlinuz-6.1.0-13-amd64': 'k', '/boot/initrd.img-6.1.0-13-amd64': 'i' });
  const hidden = scanPartitions([{ info: { name: 'sda1', uuid: DEBIAN }, root: '/mnt/sda1', files }], FROM_DEFAULT, PC, PARSERS);
  assert.ok(hidden.defaultId?.includes(':grub:'), hidden.defaultId);
  assert.equal(hidden.timeout, 0);
  assert.deepEqual(hidden.timeoutSource, { from: 'config', format: 'grub', partition: 'sda1', file: '/mnt/sda1/boot/grub/grub.cfg', line: 86, says: 'timeout=5, timeout_style=hidden', hiddenMenu: true });
  assert.match(timeoutSentence(hidden.timeout, hidden.timeoutSource), /^boots the default at once unless a key is pressed \(timeout=5, timeout_style=hidden in /);
});

test('extlinux (u-boot-update): `timeout 50` counts tenths, 5 s', () => {
  const m = scan([{ path: `${FX}/extlinux/u-boot-menu`, name: 'mmcblk0p1' }], FROM_DEFAULT, { efiArch: 'aa64' });
  const conf = `${FX}/extlinux/u-boot-menu/extlinux/extlinux.conf`;
  assert.equal(m.timeout, 5);
  assert.deepEqual(m.timeoutSource, { from: 'config', format: 'extlinux', partition: 'mmcblk0p1', file: conf, line: lineOf(conf, /^timeout 50$/), says: 'timeout 50' });
});

test("BLS: loader.conf's `timeout 4` on the systemd-boot ESP", () => {
  const m = scan([{ path: `${FX}/bls/systemd-boot-esp`, name: 'nvme0n1p1' }]);
  const conf = `${FX}/bls/systemd-boot-esp/loader/loader.conf`;
  assert.equal(m.timeout, 4);
  assert.deepEqual(m.timeoutSource, { from: 'config', format: 'bls', partition: 'nvme0n1p1', file: conf, line: 2, says: 'timeout 4' });
  assert.equal(lineOf(conf, /^timeout 4$/), 2);
});

test("Raspberry Pi config.txt sets none: the settings' number, and the source says why", () => {
  const m = scan([{ path: `${S}/rpi-boot`, name: 'mmcblk0p1' }], { ...FROM_DEFAULT, timeout: 12 }, { efiArch: 'aa64', piModel: 'Raspberry Pi 4 Model B Rev 1.4' });
  assert.ok(m.defaultId?.includes(':rpi:'), m.defaultId);
  assert.equal(m.timeout, 12);
  assert.deepEqual(m.timeoutSource, { from: 'settings', file: '/etc/kexec-menu/config.yaml', line: 1, note: 'the default entry (rpi) has no timeout of its own' });
});

test("a number in the settings keeps today's behaviour, whatever the configs say", () => {
  const numbered: ScanSettings = { ...DEFAULT_SETTINGS, timeout: 10, timeoutOrigin: { file: '/etc/kexec-menu/config.yaml', line: 3 } };
  const m = scan([{ path: `${FX}/grub/debian12`, name: 'sda1', uuid: DEBIAN }], numbered);
  assert.equal(m.timeout, 10);
  assert.deepEqual(m.timeoutSource, { from: 'settings', file: '/etc/kexec-menu/config.yaml', line: 3 });
  assert.equal(scan([{ path: `${FX}/grub/debian12`, name: 'sda1', uuid: DEBIAN }], DEFAULT_SETTINGS).timeoutSource?.from, 'settings');
  assert.equal(timeoutSentence(10, { from: 'settings' }), 'boots the default after 10 s (the built-in timeout)');
});

test('which config decides follows the default: the samples, default moved from GRUB to the extlinux disk', () => {
  const roots: ScanRoot[] = [
    { path: `${S}/debian-boot`, name: 'sda2', uuid: '5b1c9e0a-7d2f-4a51-9b3e-2c8f0d6a7e14' },
    { path: `${FX}/extlinux/u-boot-menu`, name: 'mmcblk0p1' },
  ];
  const grub = scan(roots);
  assert.equal(grub.timeoutSource?.from === 'config' && grub.timeoutSource.format, 'grub');
  assert.equal(grub.timeout, 5);
  const ext = scan(roots, { ...FROM_DEFAULT, default: '*:extlinux:*' });
  assert.equal(ext.timeoutSource?.from === 'config' && ext.timeoutSource.format, 'extlinux');
  assert.equal(ext.timeout, 5);
  assert.equal(ext.timeoutSource?.from === 'config' && ext.timeoutSource.says, 'timeout 50');
});

test('kexec-menu list: --json reports the timeout and its source; the text says the same', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-timeout-'));
  try {
    const config = join(dir, 'settings.yaml');
    writeFileSync(config, `default: auto\ntimeout: from-default\nroots:\n  - { path: ${FX}/bls/systemd-boot-esp, name: nvme0n1p1 }\n`);
    const run = (...args: string[]) => spawnSync(process.execPath, ['build/src/cli.js', 'list', '--config', config, ...args], { encoding: 'utf8' });
    const json = run('--json');
    assert.equal(json.status, 0, json.stderr);
    const out = JSON.parse(json.stdout) as { timeout: number; timeoutSource: unknown };
    const conf = `${FX}/bls/systemd-boot-esp/loader/loader.conf`;
    assert.equal(out.timeout, 4);
    assert.deepEqual(out.timeoutSource, { from: 'config', format: 'bls', partition: 'nvme0n1p1', file: conf, line: 2, says: 'timeout 4' });
    const text = run();
    assert.match(text.stdout.split('\n')[0]!, new RegExp(`; boots the default after 4 s \\(timeout 4 in ${conf.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2, the default entry's bls config\\)$`));
    // The kernel command line wins with a number, and says so.
    const cmd = JSON.parse(run('--json', '--cmdline', 'kexec_menu.timeout=7').stdout) as typeof out;
    assert.deepEqual([cmd.timeout, cmd.timeoutSource], [7, { from: 'kernel command line' }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
