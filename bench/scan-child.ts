// One scaling measurement in a fresh process (so that peak memory is this input's alone):
// reads the given partition folders as the menu does (each format's reader, then the menu:
// ids, kernel resolution, dedupe, default) and prints one JSON line.
//   node build/bench/scan-child.js FORMAT[,FORMAT...] DIR=uuid:X...   (as kexec-menu list --root)
import { buildMenu, parsePartition } from '../src/entries/scan/scan';
import { openRoot } from '../src/disks/roots';
import { parseRootArg } from '../src/cli/scan-options';
import type { Format } from '../src/entries/model';
import type { MachineContext } from '../src/machine/context';
import type { ReadablePartition } from '../src/fs/files';
import { DEFAULT_SETTINGS } from '../src/settings/settings';
import { peakRssKib } from './pty';

export interface ScanChildResult {
  /** Reading and building the menu, in this process (no start-up, no module loading). */
  readonly scanMs: number;
  readonly entries: number;
  readonly resolved: number;
  /** Resident set after the modules were loaded, before reading anything, in KiB. */
  readonly rssBeforeKib: number;
  /** The process's peak resident set (VmHWM), in KiB. */
  readonly peakKib: number;
}

const MACHINE: MachineContext = { efiArch: 'x64' };

function main(argv: readonly string[]): void {
  const [formats, ...roots] = argv;
  if (!formats || roots.length === 0) throw new Error('usage: scan-child.js FORMAT[,FORMAT...] DIR=uuid:X...');
  const settings = { ...DEFAULT_SETTINGS, formats: formats.split(',') as Format[] };
  const rssBeforeKib = Math.round(process.memoryUsage().rss / 1024);
  const start = performance.now();
  const parts = roots.map((arg, i) => openRoot({ name: `vd${i}`, ...parseRootArg(arg) }));
  const present = parts.filter((p): p is ReadablePartition => p !== undefined);
  if (present.length !== roots.length) throw new Error('a partition folder is missing');
  const menu = buildMenu(
    present.map((p) => parsePartition(p, settings, MACHINE)),
    present,
    settings,
  );
  const scanMs = performance.now() - start;
  const result: ScanChildResult = {
    scanMs,
    entries: menu.entries.length,
    resolved: menu.entries.filter((e) => e.resolution.ok).length,
    rssBeforeKib,
    // Not resourceUsage().maxRSS: Linux carries ru_maxrss across exec, so it would report the
    // parent's peak when that was higher.
    peakKib: peakRssKib(process.pid),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main(process.argv.slice(2));
