// `default: @saved` through the menu's boot path: SystemBackend reads the injected choice
// store for its default and, on a real boot (system calls replaced by recorders), records the
// entry once the kernel is loaded and before the hand-over: LoaderEntryLastBooted written
// only when it changes, LoaderEntryOneShot removed. A dry run and a failed load write nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as sys from '../../src/sys';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineContextFromSystem } from '../../src/machine/context';
import { openRoot } from '../../src/disks/roots';
import { type EfiStrings, efiStrings } from '../../src/machine/efivars';
import { efiChoiceStore } from '../../src/machine/saved-choice';
import { type PartitionProvider, SystemBackend } from '../../src/ui/system-backend';
import { DEFAULT_SETTINGS } from '../../src/settings/settings';
import { detectRunningSystem } from '../../src/kexec/system';
import { makeSampleRoots, type SampleRoots } from './roots';

const made = process.arch === 'x64' ? makeSampleRoots() : 'these tests expect an x86_64 machine (the sample kernels are amd64)';
const skip = typeof made === 'string' ? made : false;
const roots = made as SampleRoots;
test.after(() => {
  if (typeof made !== 'string') made.remove();
});

/** EFI strings on a folder standing in for efivarfs, counting each write and removal. */
function countingVars(dir: string): EfiStrings & { changes: string[] } {
  const inner = efiStrings(dir);
  const changes: string[] = [];
  return {
    changes,
    where: inner.where,
    read: (n) => inner.read(n),
    write: (n, v) => (changes.push(`write ${n}=${v}`), inner.write(n, v)),
    remove: (n) => (changes.push(`remove ${n}`), inner.remove(n)),
  };
}

/**
 * The system calls a real boot makes: the module's own constants and memfds, kexec_file_load,
 * sync and reboot recorded instead of made; `load` may throw to stand for a refused load.
 */
function recordingSys(events: string[], load?: () => void) {
  return {
    ...sys.system,
    kexecFileLoad: (_k: number, _i: number, _c: string, flags: number) => {
      if (flags & sys.KEXEC_FILE_UNLOAD) return void events.push('unload');
      load?.();
      events.push('kexec_file_load');
    },
    sync: () => void events.push('sync'),
    insideImage: () => true,
    // The real call does not return; this one fails, and the boot with it, after the hand-over began.
    reboot: (how: string): never => {
      events.push(`reboot ${how}`);
      throw Object.assign(new Error('recorded, not rebooted'), { code: 'EPERM' });
    },
  };
}

async function setupBackend(opts: { dryRun?: boolean; load?: () => void } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-saved-boot-'));
  const vars = countingVars(dir);
  const events: string[] = [];
  const provider: PartitionProvider = {
    partitions: () => [openRoot({ path: roots.roots.esp, name: 'vda1', uuid: '1234-ABCD' })!, openRoot({ path: roots.roots.boot, name: 'vda2', uuid: '0b0e2a4c-5d6e-4f70-8192-a3b4c5d6e7f8' })!],
    diagnostics: [],
    close: async () => (events.push('unmount'), []),
  };
  const store = efiChoiceStore(vars);
  const choices = { read: () => store.read(), booted: (id: string) => (events.push(`remember ${id}`), store.booted(id)) };
  const backend = new SystemBackend({
    settings: { ...DEFAULT_SETTINGS, default: '@saved', dryRun: opts.dryRun ?? false },
    provider,
    machine: machineContextFromSystem(),
    system: () => ({ ...detectRunningSystem(), arch: 'x86_64', isRoot: true, tmpDir: dir, kexecFile: true }),
    loadSys: () => recordingSys(events, opts.load) as never,
    choices,
  });
  await backend.firstRound;
  return { dir, vars, events, backend, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const ONESHOT = 'LoaderEntryOneShot';
const LAST = 'LoaderEntryLastBooted';

test('a real boot: the one-shot is the default, and booting it removes it and names it in LoaderEntryLastBooted, after the load and before the hand-over', { skip }, async () => {
  const { vars, events, backend, cleanup } = await setupBackend();
  try {
    const entries = backend.current().entries;
    const extlinux = entries.find((e) => e.title === 'Linux (extlinux)')!;
    assert.ok(extlinux && extlinux.resolution.ok);
    vars.write(ONESHOT, extlinux.id);
    vars.changes.length = 0;
    await backend.rescan();
    assert.equal(backend.current().defaultId, extlinux.id, 'the store is read again for the default');
    assert.match(backend.current().diagnostics.map((d) => d.message).join('\n'), /LoaderEntryOneShot in EFI variables .* names 'Linux \(extlinux\)'/);

    // The fake reboot returns an error: the boot fails after the hand-over began.
    await assert.rejects(backend.boot(extlinux, { progress: () => undefined }), /refused|reboot/);
    assert.deepEqual(vars.changes, [`remove ${ONESHOT}`, `write ${LAST}=${extlinux.id}`]);
    assert.equal(vars.read(ONESHOT), undefined);
    assert.equal(vars.read(LAST), extlinux.id);
    const at = (e: string) => events.indexOf(e);
    assert.ok(at('kexec_file_load') < at(`remember ${extlinux.id}`), `loaded first: ${events.join(', ')}`);
    assert.ok(at(`remember ${extlinux.id}`) < at('unmount') && at('unmount') < at('reboot kexec'), `remembered before the disks are unmounted: ${events.join(', ')}`);

    // The same entry again: LoaderEntryLastBooted already names it, so nothing is written.
    vars.changes.length = 0;
    await assert.rejects(backend.boot(extlinux, { progress: () => undefined }));
    assert.deepEqual(vars.changes, []);
    await backend.rescan();
    assert.equal(backend.current().defaultId, extlinux.id, 'the last choice stays the default');

    // Another entry: LastBooted changes; there is no one-shot to remove.
    const debian = entries.find((e) => e.title === 'Debian GNU/Linux 12 (bookworm)')!;
    await assert.rejects(backend.boot(debian, { progress: () => undefined }));
    assert.deepEqual(vars.changes, [`write ${LAST}=${debian.id}`]);
  } finally {
    cleanup();
  }
});

test('a dry run and a load the kernel refuses write nothing', { skip }, async () => {
  const dry = await setupBackend({ dryRun: true });
  try {
    const e = dry.backend.current().entries.find((x) => x.title === 'Linux (extlinux)')!;
    dry.vars.write(ONESHOT, e.id);
    dry.vars.changes.length = 0;
    const outcome = await dry.backend.boot(e, { progress: () => undefined });
    assert.equal(outcome.kind, 'dry-run');
    assert.deepEqual(dry.vars.changes, []);
    assert.equal(dry.vars.read(ONESHOT), e.id, 'the one-shot is still there');
    assert.ok(!dry.events.some((x) => x.startsWith('remember')));
  } finally {
    dry.cleanup();
  }
  const refused = await setupBackend({ load: () => { throw Object.assign(new Error('kexec_file_load failed: EPERM'), { code: 'EPERM', syscall: 'kexec_file_load' }); } });
  try {
    const e = refused.backend.current().entries.find((x) => x.title === 'Linux (extlinux)')!;
    await assert.rejects(refused.backend.boot(e, { progress: () => undefined }));
    assert.deepEqual(refused.vars.changes, []);
    assert.ok(!refused.events.some((x) => x.startsWith('remember')), refused.events.join(', '));
  } finally {
    refused.cleanup();
  }
});
