// The image's sysinit loads kernel modules beside the menu (load-modules) and removes a marker
// file when done: until then the disk provider's first scan is not over (the countdown waits
// for it), and the menu lists "kernel drivers" as still being scanned.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { watchDisks } from '../../src/disks/provider';

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(cond(), what);
};

test('disks: while the modules marker exists the first scan is not over and "kernel drivers" is listed as scanning; once it is gone, a scan runs and the provider settles', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-modules-'));
  try {
    const marker = join(dir, 'modules-loading');
    const partitions = join(dir, 'partitions');
    writeFileSync(marker, '');
    writeFileSync(partitions, 'major minor  #blocks  name\n');
    const provider = watchDisks({ accept: () => false, pollOnly: true, pollMs: 50, debounceMs: 10, procPartitions: partitions, modulesLoading: marker });
    let settledAt = 0;
    provider.onSettled(() => (settledAt = Date.now()));
    await until(() => provider.scanning().includes('kernel drivers'), 'the drivers are listed as scanning');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(provider.isSettled(), false, 'not settled while the marker exists');
    const removed = Date.now();
    rmSync(marker);
    await until(() => provider.isSettled(), 'settles once the marker is gone');
    assert.ok(settledAt >= removed);
    assert.deepEqual(provider.scanning(), []);
    await provider.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('disks: without the marker (a machine with no background module load) the provider settles after its first scan', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-modules-'));
  try {
    const partitions = join(dir, 'partitions');
    writeFileSync(partitions, 'major minor  #blocks  name\n');
    const provider = watchDisks({ accept: () => false, pollOnly: true, pollMs: 50, procPartitions: partitions, modulesLoading: join(dir, 'absent') });
    await until(() => provider.isSettled(), 'settles');
    assert.ok(!provider.scanning().includes('kernel drivers'));
    await provider.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
