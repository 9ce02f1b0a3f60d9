// The shapes of the menu's state that the view, the plain prompt and the controller's parts
// share. They live apart from controller.ts so that its parts (countdown.ts, checks.ts,
// key-handler.ts) can name them without importing the controller that imports them.
import type { Settings } from '../settings/settings';
import type { BootOutcome, BootProgress, PowerAction } from './backend';
import type { LineState } from './line-editor';

/** The parts of the screen a change notification names (the view redraws only those). */
export type Part = 'list' | 'details' | 'status' | 'help' | 'overlay' | 'log';

export type Overlay =
  | { readonly kind: 'none' }
  | { readonly kind: 'help' }
  /** A message to read; with `confirm`, Enter/y does that action and Esc/n does not. */
  | { readonly kind: 'dialog'; readonly title: string; readonly text: string; readonly confirm?: PowerAction }
  /** `boot`: an entry whose files its config's disk has no say over (entries/scan/trust.ts). */
  | { readonly kind: 'password'; readonly purpose: PasswordPurpose; readonly entryId?: string; readonly line: LineState; readonly note?: string }
  | { readonly kind: 'edit'; readonly entryId: string; readonly line: LineState }
  | { readonly kind: 'busy'; readonly title: string; readonly progress?: BootProgress };

/** What a password is asked for. */
export type PasswordPurpose = 'edit' | 'shell' | 'boot';

/** How the menu ended (the driver leaves the screen and prints `text`). */
export type Finish = { readonly kind: 'booted'; readonly outcome: BootOutcome } | { readonly kind: 'quit' };

export type MenuSettings = Pick<Settings, 'timeout' | 'timeoutFromDefault' | 'default' | 'editor' | 'shell' | 'password'>;

/** An error's one sentence, for a dialog or the status line. */
export function sentenceOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.trim() || 'It failed without saying why.';
}
