// A reference bench/startup.ts measures the menu against: blessed alone, loaded and set up as
// src/ui/view.ts does (the same three modules, screen options and lazy terminfo), drawing a
// frame like the demo's (header, 20 entries in a bordered list, details, status, help line)
// from fixed text: no settings, no disks, no entry model, no controller. Bundled by
// scripts/bundle.mjs like the program, with a code cache like the program's: run once with
// --write-code-cache, it draws, saves the cache beside itself and exits. What the menu takes
// over this is kexec-menu's own cost; this itself over `node -e 0` is the screen library's.
import { PassThrough } from 'node:stream';
import type { Widgets } from 'blessed';
import { codeCache } from '../src/code-cache';
import { compileCapabilitiesOnUse } from '../src/ui/lazy-terminfo';

/* eslint-disable @typescript-eslint/no-require-imports */
const screen = require('blessed/lib/widgets/screen') as typeof import('blessed').screen;
const Box = require('blessed/lib/widgets/box') as typeof import('blessed').box;
compileCapabilitiesOnUse(require('blessed/lib/tput') as Parameters<typeof compileCapabilitiesOnUse>[0]);
/* eslint-enable @typescript-eslint/no-require-imports */

const s = screen({ input: new PassThrough(), output: process.stdout, smartCSR: true, warnings: false, fullUnicode: false, autoPadding: true, title: 'kexec-menu' } as Widgets.IScreenOptions);
const tput = (s.program as unknown as { tput: { brokenACS: boolean; unicode: boolean } }).tput;
tput.brokenACS = true;
tput.unicode = false;
s.program.hideCursor();
const box = (opts: Widgets.BoxOptions) => Box({ parent: s, tags: false, wrap: false, ...opts });
const entries = Array.from({ length: 20 }, (_, i) => `${String(i + 1).padStart(3)}    ${i === 0 ? 'Debian GNU/Linux (6.1.0-13-amd64)' : `Linux ${i} (6.${i}.0-amd64)`}`);
box({ top: 0, left: 0, height: 1, width: '100%', content: ' kexec-menu 0.1.0' });
box({ top: 1, left: 0, height: 14, width: '100%', label: ' Boot menu ', border: { type: 'line' }, content: entries.slice(0, 12).join('\n') });
box({ top: 15, left: 0, height: 7, width: '100%', label: ' Details ', border: { type: 'line' }, content: 'kernel  /vmlinuz-6.1.0-13-amd64\ninitrd  /initrd.img-6.1.0-13-amd64\ncmdline root=UUID=0f7e3c52 ro quiet' });
box({ top: 22, left: 0, height: 1, width: '100%', content: '' });
box({ top: 23, left: 0, height: 1, width: '100%', content: 'Up/Down select  Enter boot  e edit  d details  r rescan  l log  ? help' });
s.render();
if (process.argv.includes('--write-code-cache')) {
  codeCache()?.write();
  s.destroy();
} else {
  // Stays up like the menu until the harness kills it.
  setInterval(() => undefined, 1 << 30);
}
