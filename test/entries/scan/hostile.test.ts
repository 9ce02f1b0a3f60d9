// Hostile or huge input from one partition costs that partition's config, never the menu.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFiles } from '../../../src/fs/memory-files';
import type { FormatParser, ParsedEntry } from '../../../src/entries/model';
import type { ReadablePartition } from '../../../src/fs/files';
import { MAX_ENTRIES_PER_READER, scanPartitions, type ScanSettings } from '../../../src/entries/scan/scan';

const MACHINE = { efiArch: 'x64' } as const;
const SETTINGS: ScanSettings = { formats: ['grub', 'loose'], default: 'auto', timeout: 5 };

function entry(localId: string, line: number): ParsedEntry {
  return {
    localId,
    title: localId,
    kernel: { partition: { by: 'self' }, path: '/vmlinuz' },
    initrds: [],
    overlays: [],
    cmdline: `n=${localId}`,
    reuseCmdline: false,
    isDefault: false,
    notes: [],
    source: { format: 'grub', file: '/boot/grub/grub.cfg', line, partition: 'x' },
  };
}

test('a config that makes 200,000 entries: the first MAX_ENTRIES_PER_READER are listed with an error naming the file, and the other partition keeps its entries', () => {
  const huge: FormatParser = {
    format: 'grub',
    parse: (_files, partition) => ({
      entries: partition === 'sda1' ? Array.from({ length: 200_000 }, (_, i) => entry(`e${i}`, i + 1)) : [entry('good', 3)],
      diagnostics: [],
    }),
  };
  const parts: ReadablePartition[] = ['sda1', 'sdb1'].map((name) => ({ info: { name }, root: `/mnt/${name}`, files: new MemoryFiles({ '/vmlinuz': 'k' }) }));
  const menu = scanPartitions(parts, SETTINGS, MACHINE, { grub: huge });
  const fromA = menu.entries.filter((e) => e.partition.name === 'sda1');
  const fromB = menu.entries.filter((e) => e.partition.name === 'sdb1');
  assert.equal(fromA.length, MAX_ENTRIES_PER_READER);
  assert.equal(fromA.at(-1)!.title, `e${MAX_ENTRIES_PER_READER - 1}`);
  assert.deepEqual(fromB.map((e) => e.title), ['good']);
  const cut = menu.diagnostics.filter((d) => /only the first/.test(d.message));
  assert.deepEqual(cut, [
    { severity: 'error', file: '/mnt/sda1/boot/grub/grub.cfg', message: `the grub configs of this partition make 200000 entries; only the first ${MAX_ENTRIES_PER_READER} are listed` },
  ]);
  assert.equal(menu.defaultId, fromA[0]!.id);
});

test('a default glob against a 980 KB title from a disk: matched by the linear matcher (the backtracking RegExp did not finish in 20 s)', { timeout: 20_000 }, () => {
  const title = 'Debian '.repeat(140_000) + 'GNU/Linux 13';
  const parts: ReadablePartition[] = [{ info: { name: 'sda1' }, root: '/mnt/sda1', files: new MemoryFiles({ '/vmlinuz': 'k' }) }];
  const two: FormatParser = { format: 'grub', parse: () => ({ entries: [{ ...entry('long', 1), title }, { ...entry('d12', 2), title: 'Debian GNU/Linux 12' }], diagnostics: [] }) };
  const menu = scanPartitions(parts, { ...SETTINGS, default: '*Debian*12*' }, MACHINE, { grub: two });
  assert.equal(menu.entries.find((e) => e.id === menu.defaultId)?.title, 'Debian GNU/Linux 12');
});
