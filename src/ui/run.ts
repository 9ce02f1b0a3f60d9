// Runs the menu on a terminal until it ends (a boot, or `q`): decides full screen or the
// plain prompt from TERM, wires keys → controller → view, and lends the terminal to the
// rescue shell. Returns how the menu ended; the caller prints the outcome's text.
import type { MenuBackend } from './backend';
import { type Clock, realClock } from './clock';
import type { ConsoleShare } from './console-share';
import { type Finish, MenuController, type MenuSettings } from './controller';
import { readKeys } from './input';
import type { PasswordGate } from './password-gate';
import { runPlainMenu } from './plain';
import { localeIsUtf8 } from './terminal-text';

export type TerminalMode = { readonly kind: 'full'; readonly terminal: string; readonly ascii: boolean } | { readonly kind: 'plain'; readonly ascii: boolean };

/** Full screen for any named terminal; the numbered prompt when TERM is unset or `dumb`. */
export function terminalMode(env: NodeJS.ProcessEnv, forceAscii: boolean): TerminalMode {
  const term = (env.TERM ?? '').trim();
  const ascii = forceAscii || !localeIsUtf8(env);
  if (term === '' || term === 'dumb') return { kind: 'plain', ascii };
  return { kind: 'full', terminal: term, ascii };
}

type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
type Output = NodeJS.WritableStream & { columns?: number; rows?: number; isTTY?: boolean; on(event: 'resize', fn: () => void): unknown };

export interface RunOptions {
  readonly backend: MenuBackend;
  readonly settings: MenuSettings;
  readonly mode: TerminalMode;
  readonly input: Input;
  readonly output: Output;
  /** "kexec-menu 0.1.0" */
  readonly product: string;
  readonly machine?: string;
  readonly clock?: Clock;
  readonly startGraceMs?: number;
  readonly gate?: PasswordGate;
  readonly share?: ConsoleShare;
  /** Lines for the log panel from before the menu started (settings, first scan). */
  readonly startupLog?: readonly string[];
}

export function runMenu(o: RunOptions): Promise<Finish> {
  const clock = o.clock ?? realClock;
  const controller = new MenuController({
    backend: o.backend,
    settings: o.settings,
    clock,
    ...(o.startGraceMs !== undefined ? { startGraceMs: o.startGraceMs } : {}),
    ...(o.gate ? { gate: o.gate } : {}),
    ...(o.share ? { share: o.share } : {}),
  });
  for (const line of o.startupLog ?? []) controller.log(line);
  if (o.mode.kind === 'plain') return runPlainMenu(controller, { ...o, clock, ascii: o.mode.ascii });
  const mode = o.mode;
  return new Promise<Finish>((resolve) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MenuView } = require('./view') as typeof import('./view');
    const view = new MenuView(controller, {
      output: o.output,
      terminal: mode.terminal,
      ascii: mode.ascii,
      product: o.product,
      ...(o.machine ? { machine: o.machine } : {}),
    });
    const keys = readKeys(o.input, clock, (k) => controller.handleKey(k));
    controller.setTerminal({
      release: () => {
        keys.pause();
        view.release();
      },
      reclaim: () => {
        view.reclaim();
        keys.resume();
      },
    });
    controller.onFinish((f) => {
      keys.close();
      view.destroy();
      resolve(f);
    });
  });
}
