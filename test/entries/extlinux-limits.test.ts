// Hostile extlinux configs: an include fanned out hundreds of times, more text than a config
// can be, thousands of bad lines. Each is cut with a diagnostic naming the file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extlinuxParser, MAX_DIAGNOSTICS_PER_FILE } from '../../src/entries/extlinux';
import { MAX_CONFIG_TEXT, MAX_READS_PER_FILE } from '../../src/entries/extlinux-config';
import { MemoryFiles } from '../../src/fs/memory-files';
import type { PartitionFiles } from '../../src/fs/files';

const MACHINE = { efiArch: 'aa64' } as const;

/** Counts the reads of each path through a view. */
function counting(files: PartitionFiles): { files: PartitionFiles; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const view: PartitionFiles = Object.create(files) as PartitionFiles;
  view.readText = (path) => {
    reads.set(path, (reads.get(path) ?? 0) + 1);
    return files.readText(path);
  };
  return { files: view, reads };
}

test('an extlinux.conf including one file 300 times reads it MAX_READS_PER_FILE times, says so once at the line, and keeps its own labels', () => {
  const big = '# padding\n'.repeat(100_000); // 1 MB of comments
  const { files, reads } = counting(
    new MemoryFiles({
      '/extlinux/extlinux.conf': 'label first\n kernel /vmlinuz\n' + 'include big.cfg\n'.repeat(300) + 'label last\n kernel /vmlinuz\n',
      '/extlinux/big.cfg': big,
    }),
  );
  const r = extlinuxParser.parse(files, 'p1', MACHINE);
  assert.equal(reads.get('/extlinux/big.cfg'), MAX_READS_PER_FILE);
  assert.deepEqual(r.entries.map((e) => e.localId), ['first', 'last']);
  assert.deepEqual(r.diagnostics, [
    { severity: 'warning', file: '/extlinux/extlinux.conf', line: 3 + MAX_READS_PER_FILE, message: `include big.cfg: /extlinux/big.cfg was read ${MAX_READS_PER_FILE} times in this config already; not read again` },
  ]);
});

test('includes stop once the config and its includes would pass MAX_CONFIG_TEXT, with one warning at the include that would', () => {
  const tree: Record<string, string> = { '/syslinux/syslinux.cfg': '' };
  const chunk = '#'.repeat(1024 * 1024 - 1) + '\n';
  const count = MAX_CONFIG_TEXT / chunk.length + 3;
  for (let i = 0; i < count; i++) {
    tree['/syslinux/syslinux.cfg'] += `include part${i}.cfg\n`;
    tree[`/syslinux/part${i}.cfg`] = chunk + `label l${i}\n kernel /vmlinuz\n`;
  }
  const { files, reads } = counting(new MemoryFiles(tree));
  const r = extlinuxParser.parse(files, 'p1', MACHINE);
  const read = [...reads.keys()].filter((p) => p.startsWith('/syslinux/part'));
  assert.equal(read.length, MAX_CONFIG_TEXT / chunk.length, 'the one that would pass the budget is read, then no other');
  assert.equal(r.entries.length, MAX_CONFIG_TEXT / chunk.length - 1, 'entries of every file that fitted');
  const n = MAX_CONFIG_TEXT / chunk.length - 1;
  assert.deepEqual(r.diagnostics, [
    { severity: 'warning', file: '/syslinux/syslinux.cfg', line: n + 1, message: `include part${n}.cfg: with /syslinux/part${n}.cfg this config and its includes would read more than 8 MiB of text; not read (nor any further include)` },
  ]);
});

test('a config of 10,000 labels without a kernel keeps MAX_DIAGNOSTICS_PER_FILE diagnostics and one line for the rest', () => {
  const text = Array.from({ length: 10_000 }, (_, i) => `label l${i}\n`).join('') + 'label ok\n kernel /vmlinuz\n';
  const r = extlinuxParser.parse(new MemoryFiles({ '/extlinux/extlinux.conf': text }), 'p1', MACHINE);
  assert.deepEqual(r.entries.map((e) => e.localId), ['ok']);
  assert.equal(r.diagnostics.length, MAX_DIAGNOSTICS_PER_FILE + 1);
  assert.deepEqual(r.diagnostics[0], { severity: 'info', file: '/extlinux/extlinux.conf', line: 1, message: 'label l0 names no kernel: not listed' });
  const last = r.diagnostics.at(-1)!;
  assert.deepEqual([last.severity, last.file, last.message], ['warning', '/extlinux/extlinux.conf', `more than ${MAX_DIAGNOSTICS_PER_FILE} problems; the rest are not listed`]);
});
