// The installed system's default (which boot loader, which entry) and GRUB's one-shot
// next_entry, cleared in place as GRUB's save_env does; `reboot --dry-run` on a tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOADER_INFO_VARIABLE, detectBootloader, installedDefault, lockdownMode, lockdownWarning } from '../../src/kexec/installed';
import { clearNextEntry, pendingNextEntry, withoutNextEntry } from '../../src/kexec/installed-grubenv';
import { systemdBootChoice, systemdBootId } from '../../src/kexec/installed-efi';
import { LOADER_VENDOR, efiStrings, encodeLoaderString } from '../../src/machine/efivars';
import type { BootEntry, Format } from '../../src/entries/model';

const block = (body: string) => {
  const text = `# GRUB Environment Block\n${body}`;
  return text + '#'.repeat(1024 - text.length);
};

test('next_entry is emptied in place: same 1024 bytes, other variables and escaped values kept', () => {
  const before = block('saved_entry=gnulinux-advanced>x\nnext_entry=a\\\nb\nboot_success=1\n');
  const after = withoutNextEntry(before);
  assert.equal(after.length, 1024);
  assert.equal(after, block('saved_entry=gnulinux-advanced>x\nnext_entry=\nboot_success=1\n'));
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-grubenv-'));
  const file = join(dir, 'grubenv');
  writeFileSync(file, before, 'latin1');
  assert.equal(pendingNextEntry(file), 'a\nb');
  clearNextEntry(file);
  assert.equal(readFileSync(file, 'latin1'), after);
  assert.equal(pendingNextEntry(file), undefined);
  assert.equal(withoutNextEntry('not a block'), 'not a block');
});

function entry(id: string, format: Format, isDefault = false, ok = true): BootEntry {
  return {
    id,
    localId: id,
    title: id,
    kernel: { partition: { by: 'self' }, path: '/vmlinuz' },
    initrds: [],
    overlays: [],
    cmdline: '',
    reuseCmdline: false,
    isDefault,
    notes: [],
    source: { format, file: '/x', line: 1, partition: 'p' },
    partition: { name: 'p' },
    resolution: ok ? { ok: true, files: { kernel: '/vmlinuz', initrds: [], overlays: [] } } : { ok: false, reason: 'gone' },
  } as BootEntry;
}

test('--default: GRUB before loose kernels; systemd-boot when its LoaderInfo variable is set; the marked entry that can boot', () => {
  const entries = [entry('loose-1', 'loose', true), entry('bls-1', 'bls'), entry('bls-2', 'bls', true), entry('grub-a', 'grub'), entry('grub-b', 'grub', true, false), entry('grub-c', 'grub')];
  const efivars = mkdtempSync(join(tmpdir(), 'kexec-menu-efivars-'));
  const grub = detectBootloader(entries, efivars)!;
  assert.equal(grub.format, 'grub');
  assert.equal(installedDefault(entries, grub)?.id, 'grub-a', 'the marked GRUB entry cannot boot: GRUB\'s first that can');
  writeFileSync(join(efivars, LOADER_INFO_VARIABLE), '');
  const sdboot = detectBootloader(entries, efivars)!;
  assert.match(sdboot.why, /systemd-boot started this system/);
  assert.equal(installedDefault(entries, sdboot)?.id, 'bls-2');
  assert.equal(detectBootloader([], efivars), undefined);
});

test('lockdown: the mode read from securityfs, and the sentence for kexec_load and kexec_file_load', () => {
  const root = mkdtempSync(join(tmpdir(), 'kexec-menu-lockdown-'));
  mkdirSync(join(root, 'sys/kernel/security'), { recursive: true });
  writeFileSync(join(root, 'sys/kernel/security/lockdown'), 'none [integrity] confidentiality\n');
  assert.equal(lockdownMode(root), 'integrity');
  assert.match(lockdownWarning('integrity', 'kexec_load')!, /refuses kexec_load, so only a signed kernel loaded through kexec_file_load can start/);
  assert.match(lockdownWarning('integrity', 'kexec_file_load')!, /starts only a kernel signed/);
  writeFileSync(join(root, 'sys/kernel/security/lockdown'), '[none] integrity confidentiality\n');
  assert.equal(lockdownMode(root), undefined);
});

/** A BLS entry read from /loader/entries/NAME on p. */
const bls = (name: string, ok = true): BootEntry => ({ ...entry(`p:bls:${name.replace(/(\+\d+(-\d+)?)?\.conf$/, '')}`, 'bls', false, ok), source: { format: 'bls', file: `/loader/entries/${name}`, line: 1, partition: 'p' } });

/** A folder standing in for efivarfs, holding `vars` as systemd-boot's strings. */
function efivarfs(vars: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-efivars-'));
  for (const [k, v] of Object.entries(vars)) writeFileSync(join(dir, `${k}-${LOADER_VENDOR}`), encodeLoaderString(v));
  return dir;
}

test('systemd-boot\'s choice: LoaderEntryOneShot (by its file name or kexec-menu id) before LoaderEntryDefault; the one-shot removed only by consume', () => {
  const entries = [bls('a.conf'), bls('b+3-1.conf'), bls('c.conf'), bls('gone.conf', false)];
  assert.equal(systemdBootId(entries[1]!), 'b.conf', 'without the boot counter, as systemd-boot names it');
  const dir = efivarfs({ LoaderEntryOneShot: 'b.conf', LoaderEntryDefault: 'c.conf', LoaderEntryLastBooted: 'a.conf' });
  const vars = efiStrings(dir);
  const one = systemdBootChoice(entries, vars, false);
  assert.equal(one.entry?.id, 'p:bls:b');
  assert.match(one.notes.join(' '), /LoaderEntryOneShot in EFI variables \(.*\) names 'p:bls:b'/);
  assert.match(one.consumes!, /^LoaderEntryOneShot=b\.conf is removed in EFI variables .* once the kernel is loaded, as systemd-boot does when it boots\.$/);
  assert.equal(vars.read('LoaderEntryOneShot'), 'b.conf', 'reading consumes nothing');
  one.consume!(one.entry!);
  assert.equal(vars.read('LoaderEntryOneShot'), undefined);
  assert.equal(vars.read('LoaderEntryLastBooted'), 'a.conf', 'no @saved: LoaderEntryLastBooted is not systemd-boot\'s to write');
  const def = systemdBootChoice(entries, vars, false);
  assert.equal(def.entry?.id, 'p:bls:c', 'LoaderEntryDefault (bootctl set-default)');
  assert.equal(def.consume, undefined, 'nothing to use up');
  vars.write('LoaderEntryOneShot', 'p:bls:gone');
  const passed = systemdBootChoice(entries, vars, false);
  assert.equal(passed.entry?.id, 'p:bls:c');
  assert.match(passed.notes[0]!, /LoaderEntryOneShot .* names 'p:bls:gone', which cannot boot \(gone\)/);
  assert.ok(passed.consume, 'a one-shot naming no bootable entry is used up all the same, as systemd-boot removes it on reading');
  assert.equal(systemdBootChoice(entries, efiStrings(efivarfs({})), false).entry, undefined, 'no variables: loader.conf decides');
});

test('systemd-boot\'s @saved: loader.conf\'s or LoaderEntryDefault\'s means LoaderEntryLastBooted, which consume records as systemd-boot does', () => {
  const entries = [bls('a.conf'), bls('b.conf')];
  const vars = efiStrings(efivarfs({ LoaderEntryLastBooted: 'b.conf' }));
  assert.equal(systemdBootChoice(entries, vars, false).entry, undefined, 'LoaderEntryLastBooted counts only under @saved');
  const saved = systemdBootChoice(entries, vars, true);
  assert.equal(saved.entry?.id, 'p:bls:b');
  vars.write('LoaderEntryDefault', '@saved');
  const efivar = systemdBootChoice(entries, vars, false);
  assert.equal(efivar.entry?.id, 'p:bls:b');
  assert.doesNotMatch(efivar.notes.join(' '), /names '@saved'/);
  efivar.consume!(entries[0]!);
  assert.equal(vars.read('LoaderEntryLastBooted'), 'a.conf', 'the entry booted, by systemd-boot\'s id');
});
