// An experiment bench/startup.ts measures: the menu in a V8 startup snapshot. Bundled by
// scripts/bundle.mjs's bundle() into one file, then `node --snapshot-blob B --build-snapshot`
// runs it once: every module the first frame needs is loaded (and, with
// KEXEC_MENU_SNAPSHOT_WARM=1, the settings reader and the scanner run once on the demo, so
// their functions are compiled) before the heap is saved. `node --snapshot-blob B menu ...`
// then starts from that heap. Only what the demo's dry-run menu touches is checked to work
// (a snapshot's require() reaches built-in modules only, so koffi could not load).
import { startupSnapshot } from 'node:v8';
import { runAsCommand } from '../src/cli';
import { run as menuCommand } from '../src/cli/menu';
import { buildMenu, parsePartition } from '../src/entries/scan/scan';
import { openRoot } from '../src/disks/roots';
import { readSettingsFile } from '../src/settings/load';

// Loaded now so that they are in the saved heap (the menu loads them lazily).
/* eslint-disable @typescript-eslint/no-require-imports */
require('blessed/lib/widgets/screen');
require('blessed/lib/widgets/box');
require('blessed/lib/tput');
require('../src/ui/view');
/* eslint-enable @typescript-eslint/no-require-imports */
void menuCommand;

const demo = process.env.KEXEC_MENU_SNAPSHOT_WARM;
if (demo) {
  // Run the cold paths once: YAML settings, every reader on the demo's trees.
  const settings = readSettingsFile(demo);
  const parts = settings.roots.map((r) => openRoot(r)).filter((p) => p !== undefined);
  buildMenu(
    parts.map((p) => parsePartition(p, settings, { efiArch: 'x64' })),
    parts,
    settings,
  );
}

startupSnapshot.setDeserializeMainFunction(() => runAsCommand(process.argv.slice(1)));
