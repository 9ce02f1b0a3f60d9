// A reference bench/startup.ts measures the menu against: blessed alone, set up by the menu's
// own openScreen (src/ui/screen.ts), drawing a frame like the demo's (header, 20 entries in a
// bordered list, details, status, help line) from fixed text: no settings, no disks, no entry
// model, no controller. Bundled by scripts/bundle.mjs like the program, with a code cache like
// the program's: run once with --write-code-cache, it draws, saves the cache beside itself and
// exits. What the menu takes over this is kexec-menu's own cost; this itself over
// `node -e 0` is the screen library's.
import { codeCache } from '../src/cli/code-cache-state';
import { openScreen } from '../src/ui/screen';

const { screen, box } = openScreen({ output: process.stdout, terminal: process.env['TERM'] ?? 'vt100', ascii: true });
const entries = Array.from({ length: 20 }, (_, i) => `${String(i + 1).padStart(3)}    ${i === 0 ? 'Debian GNU/Linux (6.1.0-13-amd64)' : `Linux ${i} (6.${i}.0-amd64)`}`);
box({ top: 0, left: 0, height: 1, width: '100%', content: ' kexec-menu 0.1.0' });
box({ top: 1, left: 0, height: 14, width: '100%', label: ' Boot menu ', border: { type: 'line' }, content: entries.slice(0, 12).join('\n') });
box({ top: 15, left: 0, height: 7, width: '100%', label: ' Details ', border: { type: 'line' }, content: 'kernel  /vmlinuz-6.1.0-13-amd64\ninitrd  /initrd.img-6.1.0-13-amd64\ncmdline root=UUID=0f7e3c52 ro quiet' });
box({ top: 22, left: 0, height: 1, width: '100%', content: '' });
box({ top: 23, left: 0, height: 1, width: '100%', content: 'Up/Down select  Enter boot  e edit  d details  r rescan  l log  ? help' });
screen.render();
if (process.argv.includes('--write-code-cache')) {
  codeCache()?.write();
  screen.destroy();
} else {
  // Stays up like the menu until the harness kills it.
  setInterval(() => undefined, 1 << 30);
}
