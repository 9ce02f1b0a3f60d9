// `kexec-menu reboot` in this process with the system-call module replaced (no kexec call is
// made on this machine) and a folder standing in for efivarfs: systemd-boot's
// LoaderEntryOneShot is what --default boots and is removed only once the kernel is loaded,
// before the hand-over; a failed load leaves it. `--menu` hands over through init unless
// `--handoff direct`, as the rest of `reboot` does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type RebootDeps, type Sys, run } from '../../src/cli/reboot';
import { LOADER_INFO_VARIABLE } from '../../src/kexec/installed';
import { LOADER_VENDOR, encodeLoaderString } from '../../src/machine/efivars';
import { type RunningSystem, detectRunningSystem } from '../../src/kexec/system';
import { debianKernel } from '../kexec/debian';
import { fakeSys } from '../kexec/fake-sys';

const UUID = '5e1f0a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b';

/** An ESP-like tree: loader.conf (default a.conf), entries a and b, one kernel. */
function esp(kernel: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-reboot-efi-'));
  mkdirSync(join(dir, 'loader/entries'), { recursive: true });
  writeFileSync(join(dir, 'loader/loader.conf'), 'default a.conf\n');
  for (const id of ['a', 'b']) writeFileSync(join(dir, `loader/entries/${id}.conf`), `title ${id}\nlinux /vmlinuz\noptions test.entry=${id}\n`);
  copyFileSync(kernel, join(dir, 'vmlinuz'));
  return dir;
}

/** The efivarfs of a systemd-boot boot (LoaderInfo) with a one-shot for b. */
function efivarfs(): { dir: string; oneShot: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-efivars-'));
  writeFileSync(join(dir, LOADER_INFO_VARIABLE), encodeLoaderString('systemd-boot 252'));
  const oneShot = join(dir, `LoaderEntryOneShot-${LOADER_VENDOR}`);
  writeFileSync(oneShot, encodeLoaderString('b.conf'));
  return { dir, oneShot };
}

const system: RunningSystem = { ...detectRunningSystem(), arch: 'x86_64', kexecFile: true, procCmdline: 'root=/dev/vda2' };

/** The system-call module; `fail`: kexec_file_load answers EINVAL. Records the calls, and whether the one-shot was there at reboot(). */
function sysFor(oneShot: string, steps: string[], fail = false): Sys {
  return fakeSys({
    kexecFileLoad: (_k, _i, cmdline, flags) => {
      steps.push(flags & 1 ? 'unload' : `load ${cmdline}`);
      if (fail && !(flags & 1)) throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
    },
    sync: () => void steps.push('sync'),
    // The hand-over "returns": the boot fails after it, which is what a test can see of it.
    reboot: () => void steps.push(`reboot (one-shot ${existsSync(oneShot) ? 'still there' : 'removed'})`),
  });
}

/** Runs `reboot` with its output captured. */
async function reboot(argv: string[], sys: Sys, deps: Partial<RebootDeps>): Promise<{ rc: number; out: string }> {
  let out = '';
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = process.stderr.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    const rc = await run(argv, system, () => sys, { efivars: '/nonexistent', unprotect: () => {}, menu: async () => assert.fail('no menu'), ...deps });
    return { rc, out };
  } finally {
    [process.stdout.write, process.stderr.write] = [stdout, stderr];
  }
}

test('reboot --default under systemd-boot: LoaderEntryOneShot boots, removed after the load and before the hand-over; a failed load keeps it', async (t) => {
  const k = debianKernel('amd64');
  if (typeof k === 'string') return t.skip(k);
  const root = ['--root', `${esp(k.image)}=uuid:${UUID}`];
  const efi = efivarfs();
  const none: string[] = [];
  const dry = await reboot(['--default', '--dry-run', ...root], sysFor(efi.oneShot, none), { efivars: efi.dir });
  assert.equal(dry.rc, 0, dry.out);
  assert.match(dry.out, new RegExp(`entry: +${UUID}:bls:b\\n`));
  assert.match(dry.out, /note: +systemd-boot's choice: LoaderEntryOneShot in EFI variables \(.*\) names 'b'\./);
  assert.match(dry.out, /note: +LoaderEntryOneShot=b\.conf is removed in EFI variables .* once the kernel is loaded, as systemd-boot does when it boots\./);
  assert.ok(existsSync(efi.oneShot), 'a dry run changes nothing');
  assert.deepEqual(none, []);

  const failed: string[] = [];
  const bad = await reboot(['--default', '--handoff', 'direct', ...root], sysFor(efi.oneShot, failed, true), { efivars: efi.dir });
  assert.equal(bad.rc, 1);
  assert.deepEqual(failed, ['load test.entry=b']);
  assert.ok(existsSync(efi.oneShot), 'the load failed: the one-shot is left for the next reboot');

  const steps: string[] = [];
  const r = await reboot(['--default', '--handoff', 'direct', ...root], sysFor(efi.oneShot, steps), { efivars: efi.dir });
  assert.deepEqual(steps, ['load test.entry=b', 'sync', 'sync', 'reboot (one-shot removed)', 'unload'], r.out);
  assert.ok(!existsSync(efi.oneShot));

  const again: string[] = [];
  await reboot(['--default', '--handoff', 'direct', ...root], sysFor(efi.oneShot, again), { efivars: efi.dir });
  assert.equal(again[0], 'load test.entry=a', 'the one-shot used up: loader.conf\'s default');
  const other = efivarfs();
  rmSync(join(other.dir, LOADER_INFO_VARIABLE));
  const plain: string[] = [];
  await reboot(['--default', '--handoff', 'direct', ...root], sysFor(other.oneShot, plain), { efivars: other.dir });
  assert.equal(plain[0], 'load test.entry=a', 'no LoaderInfo: systemd-boot did not start this boot, loader.conf decides');
  assert.ok(existsSync(other.oneShot), 'and its variables are left alone');
});

test('reboot --menu: the menu on the same roots, handing over through init unless --handoff direct', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-reboot-menu-'));
  const calls: Array<{ argv: readonly string[]; handoff: string }> = [];
  const menu: RebootDeps['menu'] = async (argv, handoff) => (calls.push({ argv, handoff }), 0);
  const sys = sysFor('/nonexistent', []);
  assert.equal((await reboot(['--menu', '--root', `${dir}=uuid:${UUID}`, '--dry-run'], sys, { menu })).rc, 0);
  assert.equal((await reboot(['--menu', '--root', `${dir}=uuid:${UUID}`, '--handoff', 'direct'], sys, { menu })).rc, 0);
  const same = `${dir}=uuid:${UUID},name:${basename(dir)}`;
  assert.deepEqual(calls, [
    { argv: ['--root', same, '--dry-run'], handoff: 'init' },
    { argv: ['--root', same], handoff: 'direct' },
  ]);
});
