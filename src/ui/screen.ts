// The blessed screen the menu draws on (view.ts), set up in one place: bench/floor-entry.ts
// draws through it too, as the reference for what blessed alone costs at start-up, so this
// module loads nothing of kexec-menu's but the lazy terminfo.
import { PassThrough } from 'node:stream';
import type { Widgets } from 'blessed';
import { compileCapabilitiesOnUse } from './lazy-terminfo';

export interface ScreenOptions {
  readonly output: NodeJS.WriteStream | (NodeJS.WritableStream & { columns?: number; rows?: number; isTTY?: boolean });
  /** TERM: vt100, vt102, linux, xterm, xterm-256color… */
  readonly terminal: string;
  /** Draw with ASCII only (no UTF-8 locale, or the settings ask for it). */
  readonly ascii: boolean;
}

/** A blessed screen set up as the menu draws: what openScreen gives. */
export interface MenuScreen {
  readonly screen: Widgets.Screen;
  /** A box on the screen, without tags or wrapping (the menu wraps and escapes its text itself). */
  readonly box: (opts: Widgets.BoxOptions) => Widgets.BoxElement;
  /** Whether the terminal has at least 8 colours. */
  readonly colors: boolean;
}

/**
 * blessed's screen on `options.output`, set up for a serial console: the cursor hidden, never
 * the line-drawing character set, UTF-8 only without `ascii`.
 */
export function openScreen(options: ScreenOptions): MenuScreen {
  // The three blessed modules a menu draws with, not blessed's index: the index loads and
  // runs all 40 widget modules (terminal, images, video, file manager…) before the first
  // frame.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const screenOf = require('blessed/lib/widgets/screen') as typeof import('blessed').screen;
  const Box = require('blessed/lib/widgets/box') as typeof import('blessed').box;
  compileCapabilitiesOnUse(require('blessed/lib/tput') as Parameters<typeof compileCapabilitiesOnUse>[0]);
  /* eslint-enable @typescript-eslint/no-require-imports */
  // blessed reads keys from its input; it gets one that never speaks (run.ts decodes keys).
  const silent = new PassThrough();
  const screen = screenOf({
    input: silent,
    output: options.output as NodeJS.WriteStream,
    terminal: options.terminal,
    smartCSR: true,
    warnings: false,
    fullUnicode: false,
    autoPadding: true,
    title: 'kexec-menu',
  } as Widgets.IScreenOptions);
  const tput = (screen.program as unknown as { tput: unknown }).tput as { unicode: boolean; brokenACS: boolean; numbers: Record<string, number>; colors: number };
  // Never the line-drawing character set (ACS): it needs the terminal's G1 set up first,
  // which blessed does not do, and a serial console that misses it shows 'lqqqk'. With
  // UTF-8 the frame is drawn with box-drawing characters, without it with + - |.
  tput.brokenACS = true;
  tput.unicode = !options.ascii;
  if (options.ascii) tput.numbers.U8 = -1;
  screen.program.hideCursor();
  return {
    screen,
    box: (opts) => Box({ parent: screen, tags: false, wrap: false, ...opts }),
    colors: (tput.colors ?? 0) >= 8,
  };
}
