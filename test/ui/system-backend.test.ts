// The menu's real backend on sample partitions holding Debian's real kernels: the scanner's
// entries, the kexec layer's dry-run plan (with an edited command line), its sentences for a
// missing kernel and a kernel of another architecture, read-ahead progress in bytes, and
// partitions arriving and leaving while the menu is open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { machineContextFromSystem } from '../../src/machine/context';
import type { ReadablePartition } from '../../src/fs/files';
import { openRoot } from '../../src/disks/roots';
import type { BootProgress } from '../../src/ui/backend';
import { type PartitionProvider, SystemBackend, type SystemBackendOptions } from '../../src/ui/system-backend';
import { DEFAULT_SETTINGS } from '../../src/settings/settings';
import { startMenu } from './harness';
import { detailFields } from '../../src/ui/text';
import type { Row } from '../../src/ui/rows';
import { detectRunningSystem } from '../../src/kexec/system';
import { makeSampleRoots, type SampleRoots } from './roots';

const made = process.arch === 'x64' ? makeSampleRoots() : 'these tests expect an x86_64 machine (the arm64 kernel is the foreign one)';
const skip = typeof made === 'string' ? made : false;
const roots = made as SampleRoots;

function partition(path: string, name: string, uuid: string): ReadablePartition {
  return openRoot({ path, name, uuid })!;
}

/** A provider whose partitions the test adds and removes, as disk discovery would. */
class TestProvider implements PartitionProvider {
  diagnostics = [];
  closed = 0;
  private change: ((a: readonly ReadablePartition[], r: readonly ReadablePartition[]) => void) | undefined;
  constructor(public present: ReadablePartition[]) {}
  partitions() {
    return this.present;
  }
  async close() {
    this.closed++;
    return [];
  }
  onChange(fn: (a: readonly ReadablePartition[], r: readonly ReadablePartition[]) => void) {
    this.change = fn;
  }
  add(p: ReadablePartition) {
    this.present = [...this.present, p];
    this.change?.([p], []);
  }
  remove(p: ReadablePartition) {
    this.present = this.present.filter((x) => x !== p);
    this.change?.([], [p]);
  }
}

/** A backend on `provider`, once it has read the partitions the provider has at start. */
async function backendOn(provider: PartitionProvider, options: Partial<SystemBackendOptions> = {}): Promise<SystemBackend> {
  const b = new SystemBackend({ settings: { ...DEFAULT_SETTINGS, dryRun: true }, provider, machine: machineContextFromSystem(), ...options });
  await b.firstRound;
  return b;
}

function sampleProvider(): TestProvider {
  return new TestProvider([
    partition(roots.roots.esp, 'vda1', '1234-ABCD'),
    partition(roots.roots.boot, 'vda2', '0b0e2a4c-5d6e-4f70-8192-a3b4c5d6e7f8'),
    partition(roots.roots.usb, 'sdb1', '5EED-0001'),
  ]);
}

test.after(() => {
  if (typeof made !== 'string') made.remove();
});

test('the first frame waits for no reader: the partitions present at start are read one per turn after it, each a "scanning..." heading until then', { skip }, async () => {
  const provider = sampleProvider();
  const b = new SystemBackend({ settings: { ...DEFAULT_SETTINGS, dryRun: true }, provider, machine: machineContextFromSystem() });
  const seen: { entries: number; scanning: readonly string[]; note: string | undefined }[] = [];
  const log: string[] = [];
  let settled = 0;
  b.subscribe({ menu: (m, note) => seen.push({ entries: m.entries.length, scanning: b.scanning(), note }), log: (l) => log.push(l), settled: () => settled++ });
  assert.deepEqual(b.current().entries, [], 'nothing is read before the first frame');
  assert.deepEqual(b.scanning(), ['vda1', 'vda2', 'sdb1']);
  assert.equal(b.isSettled(), false, 'the countdown waits for the first round');
  await b.firstRound;
  // One change for the image's menus, then one per partition, each saying nothing on the status line.
  assert.deepEqual(seen.map((s) => s.scanning), [['vda1', 'vda2', 'sdb1'], ['vda2', 'sdb1'], ['sdb1'], []]);
  assert.ok(seen.every((s) => s.note === ''), 'the first round fills in without a message');
  assert.ok(seen[1]!.entries > 0 && seen[1]!.entries < seen[3]!.entries, 'entries come partition by partition');
  assert.equal(b.isSettled(), true);
  assert.equal(settled, 1);
  assert.match(log[log.length - 1]!, new RegExp(`^3 partitions read: ${b.current().entries.length} entries, default \\S+ \\(dry run\\)\\.$`));
});

test('with no partition at start (the disks come later), the first round still logs its end to a listener that subscribes after the backend is made', async () => {
  const b = new SystemBackend({ settings: { ...DEFAULT_SETTINGS, dryRun: true }, provider: new TestProvider([]), machine: machineContextFromSystem() });
  const log: string[] = [];
  b.subscribe({ menu: () => undefined, log: (l) => log.push(l), settled: () => undefined });
  await b.firstRound;
  assert.deepEqual(log, ['0 partitions read: 0 entries, default none (dry run).']);
});

test('a partition pulled out before the first round reaches it is not read', { skip }, async () => {
  const provider = sampleProvider();
  const b = new SystemBackend({ settings: { ...DEFAULT_SETTINGS, dryRun: true }, provider, machine: machineContextFromSystem() });
  provider.remove(provider.present.find((p) => p.info.name === 'sdb1')!);
  assert.deepEqual(b.scanning(), ['vda1', 'vda2']);
  await b.firstRound;
  assert.ok(!b.current().entries.some((e) => e.title === 'Rescue (arm64)'), 'sdb1 was gone before it was read');
  assert.ok(b.current().entries.some((e) => e.title === 'Linux (extlinux)'));
});

test('a dry-run boot reads the files with progress in bytes and returns the plan with the edited command line', { skip }, async () => {
  const b = await backendOn(sampleProvider());
  const debian = b.current().entries.find((e) => e.title === 'Debian GNU/Linux 12 (bookworm)')!;
  assert.equal(b.current().defaultId, debian.id);
  const progress: BootProgress[] = [];
  const outcome = await b.boot(debian, { cmdline: 'root=LABEL=root ro test.edited=yes', progress: (p) => progress.push(p) });
  assert.equal(outcome.kind, 'dry-run');
  assert.match(outcome.text, /^Dry run: nothing is loaded\.\n/);
  assert.match(outcome.text, /cmdline: +root=LABEL=root ro test\.edited=yes \(34 bytes\)/);
  assert.match(outcome.text, /x86 bzImage/);
  const total = statSync(`${roots.roots.esp}/debian/vmlinuz`).size + statSync(`${roots.roots.esp}/debian/initrd.img`).size;
  const last = progress[progress.length - 1]!;
  assert.deepEqual(last, { file: '/debian/initrd.img', done: total, total });
  assert.ok(progress.every((p, i) => i === 0 || p.done >= progress[i - 1]!.done), 'progress only grows');
  assert.equal(progress[0]!.file, '/debian/vmlinuz');
});

test('the background check names a kernel of another architecture; a missing kernel fails with its sentence', { skip }, async () => {
  const b = await backendOn(sampleProvider());
  const entries = b.current().entries;
  const arm = entries.find((e) => e.title === 'Rescue (arm64)')!;
  assert.equal(await b.check(arm), 'it is a kernel for arm64; this machine is x86_64');
  assert.equal(await b.check(entries.find((e) => e.title === 'Linux (extlinux)')!), undefined);
  const old = entries.find((e) => e.title === 'Debian GNU/Linux 12 (old kernel)')!;
  await assert.rejects(b.boot(old, { progress: () => undefined }), /Debian GNU\/Linux 12 \(old kernel\) cannot boot: kernel \/debian\/vmlinuz-6\.1\.0-9-amd64 is not on partition vda1\./);
  await assert.rejects(b.boot(arm, { progress: () => undefined }), /Image cannot be started on this machine: it is a kernel for arm64; this machine is x86_64\./);
});

test('reboot, power off and the shell only say what they would do in a dry run', { skip }, async () => {
  const b = await backendOn(sampleProvider());
  assert.equal(await b.power('reboot'), 'Dry run: this would reboot the machine now.');
  assert.equal(await b.power('power-off'), 'Dry run: this would power off the machine now.');
  let lent = 0;
  assert.equal(await b.shell({ release: () => lent++, reclaim: () => lent++ }), 'Dry run: this would start a rescue shell (/bin/sh) on this console.');
  assert.equal(lent, 0, 'the terminal is not even lent');
});

test('the menu on the real backend: a partition plugged in while it is open appears in place and boots; one pulled out goes', { skip }, async () => {
  const provider = sampleProvider();
  const b = await backendOn(provider);
  const m = await startMenu({ backend: b });
  for (let i = 0; i < 50 && !/! Rescue/.test(m.text()); i++) {
    await new Promise((r) => setTimeout(r, 20)); // the background kernel checks read real files
    await m.advance(0);
  }
  assert.match(m.text(), /5 {2}! Rescue \(arm64\)/, 'the arm64 kernel is marked');
  await m.send('3');
  assert.match(m.inverse()[0]!, /3 {4}Linux \(extlinux\)/);
  provider.add(partition(roots.roots.late, 'sdc1', 'C0FFEE00-0001'));
  await m.advance(0);
  assert.match(m.text(), /6 {4}Hot-plugged Linux/);
  assert.match(m.inverse()[0]!, /3 {4}Linux \(extlinux\)/, 'the selection did not move');
  assert.equal(m.lines()[22], 'New: sdc1.');
  provider.remove(provider.present.find((p) => p.info.name === 'sdb1')!);
  await m.advance(0);
  assert.doesNotMatch(m.text(), /Rescue \(arm64\)/);
  assert.equal(m.lines()[22], 'Gone: sdb1.');
  await m.send('5');
  assert.match(m.inverse()[0]!, /5 {4}Hot-plugged Linux/);
  await m.send('\r');
  const f = await m.finished;
  assert.equal(f.kind, 'booted');
  assert.match(f.kind === 'booted' ? f.outcome.text : '', /kernel: +\S+\/late\/vmlinuz/);
  assert.match(f.kind === 'booted' ? f.outcome.text : '', /cmdline: +root=LABEL=usb ro /);
});

test('r reads the partitions again: a config changed on disk shows, the selection stays on its entry', { skip }, async () => {
  const own = makeSampleRoots();
  if (typeof own === 'string') return;
  try {
    const provider = new TestProvider([partition(own.roots.boot, 'vda2', '0b0e2a4c-5d6e-4f70-8192-a3b4c5d6e7f8')]);
    const m = await startMenu({ backend: await backendOn(provider) });
    await m.send('2');
    assert.match(m.inverse()[0]!, /2 {4}Linux \(extlinux, single user\)/);
    const conf = `${own.roots.boot}/extlinux/extlinux.conf`;
    writeFileSync(conf, readFileSync(conf, 'utf8').replace('default main', 'default main\nlabel first\n\tmenu label A new first entry\n\tkernel /vmlinuz\n'));
    await m.send('r');
    assert.match(m.text(), /1 {4}A new first entry/);
    assert.match(m.inverse()[0]!, /3 {4}Linux \(extlinux, single user\)/);
    assert.match(m.lines()[22]!, /^Rescanned 1 partitions: 3 entries \(2 before\)\.$/);
    await m.quit();
  } finally {
    own.remove();
  }
});

test('an arm64 board without PSCI: every entry’s details warn of "CPUs are stuck" before any attempt; with nr_cpus=1 they do not', { skip }, async () => {
  const board = (possible: number) => ({
    ...detectRunningSystem(),
    arch: 'arm64' as const,
    // What readCpuParking reads on QEMU's raspi3b (test/kexec/psci.test.ts reads the real tree).
    cpuParking: { possible, enableMethods: ['spin-table', 'spin-table', 'spin-table', 'spin-table'] },
  });
  const stuck = await backendOn(sampleProvider(), { system: () => board(4) });
  const entry = stuck.current().entries.find((e) => e.resolution.ok)!;
  const fields = detailFields({ kind: 'entry', id: entry.id, number: 1, entry } as Row, {
    cannotBoot: () => undefined,
    deviceTreeNote: () => undefined,
    editorAllowed: () => true,
    machineWarning: () => stuck.machineWarning(),
  } as unknown as Parameters<typeof detailFields>[1]);
  const warning = fields.find(([label]) => label === 'warning');
  assert.ok(warning, 'the details pane has a warning line');
  assert.match(warning[1], /CPUs are stuck in the kernel.*spin-table.*3 secondary CPUs.*nr_cpus=1/);

  const parked = await backendOn(sampleProvider(), { system: () => board(1) });
  assert.equal(parked.machineWarning(), undefined, 'one possible CPU: nothing to park');
  const x86 = await backendOn(sampleProvider(), { system: () => ({ ...board(4), arch: 'x86_64' as const }) });
  assert.equal(x86.machineWarning(), undefined, 'only arm64 has the rule');
});
