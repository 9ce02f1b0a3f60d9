// The installed system's default (which boot loader, which entry) and GRUB's one-shot
// next_entry, cleared in place as GRUB's save_env does; `reboot --dry-run` on a tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOADER_INFO_VARIABLE, detectBootloader, installedDefault, lockdownMode, lockdownWarning } from '../../src/kexec/installed';
import { clearNextEntry, pendingNextEntry, withoutNextEntry } from '../../src/kexec/installed-grubenv';
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
