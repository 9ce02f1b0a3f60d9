// The remembered choice in EFI variables (systemd-boot's convention): the file format, the
// store's read/consume/record rules, `default: @saved` picking the entry — and systemd's own
// bootctl (252, Debian's systemd-boot package) reading what we wrote and writing what we read,
// on a tmpfs standing in for efivarfs. bootctl has no option or variable naming another efivars
// folder (systemd 252 builds "/sys/firmware/efi/efivars/NAME-GUID" in efi_get_variable), and
// refuses EFI variables in a container (/.dockerenv): it runs in a private mount namespace,
// chrooted into a tmpfs root holding the host's /usr, /lib, /etc and that stand-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findBootctl } from '../entries/bootctl';
import { LOADER_VENDOR, decodeLoaderString, efiStrings, encodeLoaderString, type EfiStrings } from '../../src/machine/efivars';
import { efiChoiceStore } from '../../src/machine/saved-choice';
import { chooseDefault } from '../../src/entries/scan/default';
import type { BootEntry } from '../../src/entries/model';
import { entry as harnessEntry } from '../ui/harness';

const REPO = join(__dirname, '../../..');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'kexec-efivars-'));
}

test('a boot-loader string is 4 bytes of attributes, then UTF-16LE with a NUL', () => {
  const data = encodeLoaderString('debian.conf');
  assert.deepEqual([...data.subarray(0, 4)], [7, 0, 0, 0]);
  assert.equal(data.length, 4 + 2 * 'debian.conf'.length + 2);
  assert.deepEqual(data.subarray(4), Buffer.from('debian.conf\0', 'utf16le'));
  assert.deepEqual(decodeLoaderString(data), { attributes: 7, value: 'debian.conf' });
  assert.equal(decodeLoaderString(Buffer.from([7, 0, 0])), undefined, 'shorter than the attributes');
  assert.equal(decodeLoaderString(Buffer.from([7, 0, 0, 0, 0x61])), undefined, 'odd UTF-16');
  assert.deepEqual(decodeLoaderString(Buffer.from([7, 0, 0, 0, 0x61, 0])), { attributes: 7, value: 'a' }, 'no NUL: accepted, as systemd does');
  assert.equal(decodeLoaderString(Buffer.alloc(4 + 8192))?.value, undefined, 'too long for an entry id');
});

test('efiStrings: write, read back, overwrite with a shorter value, remove; the file is NAME-GUID', () => {
  const dir = tmp();
  try {
    const vars = efiStrings(dir);
    assert.equal(vars.read('LoaderEntryDefault'), undefined);
    vars.write('LoaderEntryDefault', 'a-long-entry-id.conf');
    vars.write('LoaderEntryDefault', 'b.conf');
    const file = join(dir, `LoaderEntryDefault-${LOADER_VENDOR}`);
    assert.deepEqual(readFileSync(file), encodeLoaderString('b.conf'), 'no tail of the longer value');
    assert.equal(vars.read('LoaderEntryDefault'), 'b.conf');
    vars.remove('LoaderEntryDefault');
    vars.remove('LoaderEntryDefault');
    assert.equal(vars.read('LoaderEntryDefault'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the store: booting consumes the one-shot and records the last boot, written only when it changes', () => {
  const values = new Map<string, string>([['LoaderEntryOneShot', 'x:bls:rescue']]);
  const writes: string[] = [];
  const vars: EfiStrings = {
    where: 'test',
    read: (n) => values.get(n),
    write: (n, v) => (writes.push(`${n}=${v}`), values.set(n, v)),
    remove: (n) => (writes.push(`-${n}`), values.delete(n)),
  };
  const store = efiChoiceStore(vars);
  assert.deepEqual(store.read().values, { LoaderEntryOneShot: 'x:bls:rescue' });
  store.booted('x:bls:rescue');
  store.booted('x:bls:rescue');
  assert.deepEqual(writes, ['-LoaderEntryOneShot', 'LoaderEntryLastBooted=x:bls:rescue']);
  assert.deepEqual(store.read().values, { LoaderEntryLastBooted: 'x:bls:rescue' });
});

/** An entry read from `file` on sda1 (harness.entry), that cannot boot unless `ok`. */
function entry(id: string, file: string, ok = true): BootEntry {
  const format = id.split(':')[1] as BootEntry['source']['format'];
  return harnessEntry(id, id, { name: 'sda1' }, {
    source: { format, file, line: 1, partition: 'sda1' },
    ...(ok ? {} : { resolution: { ok: false, reason: 'kernel /vmlinuz is not there' } }),
  });
}

test('default @saved: one-shot, then LoaderEntryDefault, then LoaderEntryLastBooted; systemd-boot ids name BLS entries', () => {
  const entries = [entry('u:grub:debian', '/boot/grub/grub.cfg'), entry('e:bls:fedora', '/loader/entries/fedora+3-0.conf'), entry('e:bls:old', '/loader/entries/old.conf', false)];
  const pick = (values: Record<string, string>) => chooseDefault(entries, '@saved', 'settings.yaml', { values, where: 'EFI variables' });
  assert.equal(pick({ LoaderEntryOneShot: 'fedora.conf', LoaderEntryDefault: 'u:grub:debian' }).id, 'e:bls:fedora', 'the boot counter is not part of the id');
  assert.equal(pick({ LoaderEntryDefault: 'u:grub:debian', LoaderEntryLastBooted: 'e:bls:fedora' }).id, 'u:grub:debian');
  assert.equal(pick({ LoaderEntryLastBooted: 'e:bls:fedora' }).id, 'e:bls:fedora');
  const passed = pick({ LoaderEntryOneShot: 'old.conf', LoaderEntryDefault: 'gone:yaml:x', LoaderEntryLastBooted: 'e:bls:fedora' });
  assert.equal(passed.id, 'e:bls:fedora');
  assert.deepEqual(passed.diagnostics.map((d) => d.message), [
    "default @saved: LoaderEntryOneShot in EFI variables names 'e:bls:old', which cannot boot (kernel /vmlinuz is not there)",
    "default @saved: LoaderEntryDefault in EFI variables names 'gone:yaml:x', which is not in the menu",
    "default @saved: LoaderEntryLastBooted in EFI variables names 'e:bls:fedora'",
  ]);
  const none = chooseDefault(entries, '@saved', 'settings.yaml');
  assert.equal(none.id, 'u:grub:debian', 'no store: the automatic default');
  assert.match(none.diagnostics[0]!.message, /no store of the last choice .*; using the automatic default$/);
});

// --- systemd's bootctl as the oracle ---------------------------------------------------------

const ROOT_NEEDED = process.getuid?.() !== 0 ? 'bootctl in a mount namespace needs root' : false;

/**
 * Runs `script` (sh) chrooted into a tmpfs root that has the host's system folders, the
 * bootctl package at /bc, `vars` at /sys/firmware/efi/efivars and an ESP holding two entries
 * at /esp; returns its output.
 */
function inBootctlRoot(vars: string, script: string): string {
  // The oracle as the BLS tests find it (test/entries/bootctl.ts): its package and the
  // libraries this machine lacks, fetched into cache/, which the chroot sees at the same path.
  const found = findBootctl();
  assert.ok(found.ok, found.ok ? '' : found.reason);
  const pkg = dirname(dirname(dirname(found.bin)));
  const cache = join(REPO, 'cache');
  const setup = `set -eu
R=$(mktemp -d /tmp/kexec-bootctl.XXXXXX)
mount -t tmpfs none "$R"
for d in usr lib lib64 bin sbin etc; do
  if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$R/$d"; elif [ -d "/$d" ]; then mkdir "$R/$d"; mount --bind "/$d" "$R/$d"; fi
done
mkdir -p "$R/proc" "$R/bc" "$R/esp" "$R/sys/firmware/efi/efivars" "$R/tmp"
mount --bind "${pkg}" "$R/bc"
mkdir -p "$R${cache}"
mount --bind "${cache}" "$R${cache}"
mount --bind "${vars}" "$R/sys/firmware/efi/efivars"
mount -t tmpfs none "$R/esp"
mkdir -p "$R/esp/loader/entries"
printf 'title Debian\\nlinux /vmlinuz\\n' > "$R/esp/loader/entries/debian.conf"
printf 'title Rescue\\nlinux /vmlinuz-rescue\\n' > "$R/esp/loader/entries/rescue.conf"
mount -t proc proc "$R/proc"
bootctl() { SYSTEMD_RELAX_ESP_CHECKS=1 LD_LIBRARY_PATH="${found.libPath}" chroot "$R" /bc/usr/bin/bootctl --esp-path=/esp --no-pager "$@"; }
`;
  const r = spawnSync('unshare', ['-m', '-p', '-f', '--mount-proc', 'sh', '-c', setup + script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `bootctl script failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The id under bootctl status's "Default Boot Loader Entry:". */
function bootctlDefault(status: string): string | undefined {
  return /Default Boot Loader Entry:[\s\S]*?\n\s+id: (\S+)/.exec(status)?.[1];
}

test("bootctl (systemd 252) reads the variables we write, and we read the ones it writes, byte for byte", { skip: ROOT_NEEDED }, () => {
  const dir = tmp();
  try {
    const vars = efiStrings(dir);
    // bootctl changes variables only under a boot loader that says it supports them.
    vars.write('LoaderInfo', 'systemd-boot 252');
    vars.write('LoaderEntryDefault', 'debian.conf');
    vars.write('LoaderEntryOneShot', 'rescue.conf');
    assert.equal(bootctlDefault(inBootctlRoot(dir, 'bootctl status\n')), 'rescue.conf', 'our one-shot is what systemd-boot would boot');
    efiChoiceStore(vars).booted('rescue.conf');
    assert.equal(bootctlDefault(inBootctlRoot(dir, 'bootctl status\n')), 'debian.conf', 'consumed: our LoaderEntryDefault decides');

    inBootctlRoot(dir, 'bootctl set-oneshot debian.conf\nbootctl set-default rescue.conf\n');
    assert.equal(vars.read('LoaderEntryOneShot'), 'debian.conf');
    assert.equal(vars.read('LoaderEntryDefault'), 'rescue.conf');
    assert.deepEqual(readFileSync(join(dir, `LoaderEntryDefault-${LOADER_VENDOR}`)), encodeLoaderString('rescue.conf'), "bootctl's bytes are ours");
    const store = efiChoiceStore(vars).read();
    assert.deepEqual(store.values, { LoaderEntryOneShot: 'debian.conf', LoaderEntryDefault: 'rescue.conf', LoaderEntryLastBooted: 'rescue.conf' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('efiStrings writes a file efivarfs made immutable once it is unprotected (chattr -i through src/sys)', { skip: ROOT_NEEDED }, () => {
  const dir = tmp();
  mkdirSync(join(dir, 'vars'));
  const mnt = join(dir, 'vars');
  try {
    // A tmpfs supports the immutable flag as efivarfs does (Linux 6.0 and later).
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', 'none', mnt]).status, 0);
    const file = join(mnt, `LoaderEntryLastBooted-${LOADER_VENDOR}`);
    writeFileSync(file, encodeLoaderString('old'));
    assert.equal(spawnSync('chattr', ['+i', file]).status, 0);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sys = require('../../src/sys') as typeof import('../../src/sys');
    assert.throws(() => efiStrings(mnt).write('LoaderEntryLastBooted', 'new'), { code: 'EPERM' }, 'immutable until cleared');
    efiStrings(mnt, (p) => sys.setImmutable(p, false)).write('LoaderEntryLastBooted', 'new');
    assert.equal(efiStrings(mnt).read('LoaderEntryLastBooted'), 'new');
  } finally {
    spawnSync('chattr', ['-i', join(mnt, `LoaderEntryLastBooted-${LOADER_VENDOR}`)]);
    spawnSync('umount', [mnt]);
    rmSync(dir, { recursive: true, force: true });
  }
});
