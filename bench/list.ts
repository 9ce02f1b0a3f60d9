// `npm run bench:list`: how long the scanner takes on very large inputs — 10,000 BLS entries
// and a 5 MB grub.cfg — in memory (parsing alone) and on a real folder (with file I/O).
// Prints the median of several runs. A benchmark, not a test: nothing here passes or fails.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryFiles } from '../src/fs/directory-files';
import { MemoryFiles } from '../src/fs/memory-files';
import type { MachineContext } from '../src/machine/context';
import type { ReadablePartition } from '../src/fs/files';
import { buildMenu, parsePartition } from '../src/entries/scan/scan';
import { DEFAULT_SETTINGS } from '../src/settings/settings';
import { debianGrubCfg } from './trees';

const RUNS = Number(process.env.RUNS ?? 7);
const MACHINE: MachineContext = { efiArch: 'x64' };
const MID = '8f3c1e5b2a7d4e6f9a0b1c2d3e4f5a6b';
const UUID = '9a4d2b71-3c8e-4f05-a1d6-e82b7c4f0a39';

/** 10,000 Fedora-style entries, each with its kernel and initramfs. */
function blsTree(count: number): Record<string, string> {
  const tree: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const v = `6.${Math.floor(i / 100)}.${i % 100}-300.fc39.x86_64`;
    tree[`/loader/entries/${MID}-${v}.conf`] =
      `title Fedora Linux (${v}) 39 (Workstation Edition)\nversion ${v}\nlinux /vmlinuz-${v}\ninitrd /initramfs-${v}.img\n` +
      `options root=UUID=3e8f1a27-6b4c-49d2-8e05-c71a9d3b2f64 ro rootflags=subvol=root rhgb quiet\ngrub_users $grub_users\ngrub_arg --unrestricted\ngrub_class fedora\n`;
    tree[`/vmlinuz-${v}`] = 'k';
    tree[`/initramfs-${v}.img`] = 'i';
  }
  return tree;
}

/** A Debian-style grub.cfg of about `bytes` (bench/trees.ts makes it), in memory. */
function grubTree(bytes: number): { tree: Record<string, string>; entries: number } {
  const cfg = debianGrubCfg(bytes, UUID);
  const tree: Record<string, string> = { '/grub/grub.cfg': cfg.text };
  for (const v of cfg.versions) {
    tree[`/vmlinuz-${v}`] = 'k';
    tree[`/initrd.img-${v}`] = 'i';
  }
  return { tree, entries: cfg.versions.length };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time<T>(label: string, f: () => T, check: (r: T) => string): void {
  const times: number[] = [];
  let note = '';
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const r = f();
    times.push(performance.now() - start);
    note = check(r);
  }
  console.log(`${label.padEnd(74)} median ${median(times).toFixed(0).padStart(6)} ms  (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}; ${note})`);
}

function writeTree(root: string, tree: Record<string, string>): void {
  for (const [path, text] of Object.entries(tree)) {
    const host = join(root, path);
    mkdirSync(join(host, '..'), { recursive: true });
    writeFileSync(host, text);
  }
}

function bench(name: string, tree: Record<string, string>, formats: typeof DEFAULT_SETTINGS.formats): void {
  const mem: ReadablePartition = { info: { name: 'vda2', uuid: UUID }, root: '/mnt/vda2', files: new MemoryFiles(tree) };
  const settings = { ...DEFAULT_SETTINGS, formats };
  time(`${name}: parse (memory)`, () => parsePartition(mem, settings, MACHINE), (s) => `${s.entries.length} entries`);
  const scan = parsePartition(mem, settings, MACHINE);
  time(`${name}: resolve, dedupe, default (memory)`, () => buildMenu([scan], [mem], settings), (m) => `${m.entries.filter((e) => e.resolution.ok).length} resolved`);
  const dir = mkdtempSync(join(tmpdir(), 'kexec-bench-'));
  try {
    writeTree(dir, tree);
    const disk: ReadablePartition = { info: { name: 'vda2', uuid: UUID }, root: dir, files: new DirectoryFiles(dir) };
    time(
      `${name}: parse + build (folder on disk)`,
      () => buildMenu([parsePartition(disk, settings, MACHINE)], [disk], settings),
      (m) => `${m.entries.length} entries`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`node ${process.version}, ${RUNS} runs each`);
// The BLS reader reads at most 2,000 entry files per folder (a bound against runaway folders),
// so one partition shows 2,000 of them; five partitions carry all 10,000 through the menu.
bench('10,000 BLS entry files on one partition', blsTree(10_000), ['bls']);
{
  const settings = { ...DEFAULT_SETTINGS, formats: ['bls' as const] };
  const parts: ReadablePartition[] = [0, 1, 2, 3, 4].map((k) => ({
    info: { name: `vd${'abcde'[k]}2`, uuid: `${UUID.slice(0, -1)}${k}` },
    root: `/mnt/vd${k}`,
    files: new MemoryFiles(blsTree(2_000)),
  }));
  const scans = parts.map((p) => parsePartition(p, settings, MACHINE));
  time('10,000 BLS entries on 5 partitions: build (memory)', () => buildMenu(scans, parts, settings), (m) => `${m.entries.length} entries`);
}
const grub = grubTree(5 * 1024 * 1024);
console.log(`grub.cfg: ${(grub.tree['/grub/grub.cfg']!.length / 1024 / 1024).toFixed(1)} MB, ${grub.entries} menu entries`);
bench('5 MB grub.cfg', grub.tree, ['grub']);
