// A one-line editor for the kernel command line (and the password prompt): cursor movement,
// Home/End, the Emacs keys a shell user reaches for (Ctrl-A/E/K/U/B/F/D/W), Enter accepts,
// Esc cancels. Pure: keys in, new state out; the view draws it.
import type { Key } from './keys';

/** Longer than any kernel accepts (COMMAND_LINE_SIZE is 2048–4096); typing stops there. */
export const MAX_LINE = 8192;

export interface LineState {
  readonly text: string;
  /** Index into text, 0 … text.length. */
  readonly cursor: number;
}

export type EditResult =
  | { readonly kind: 'edit'; readonly state: LineState }
  | { readonly kind: 'accept'; readonly text: string }
  | { readonly kind: 'cancel' };

export function lineAt(text: string, cursor = text.length): LineState {
  return { text, cursor: Math.max(0, Math.min(cursor, text.length)) };
}

function edit(text: string, cursor: number): EditResult {
  return { kind: 'edit', state: lineAt(text, cursor) };
}

/** Start of the word before the cursor (Ctrl-W): spaces, then non-spaces. */
function wordStart(text: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && text[i - 1] === ' ') i--;
  while (i > 0 && text[i - 1] !== ' ') i--;
  return i;
}

export function applyKey(state: LineState, key: Key): EditResult {
  const { text, cursor } = state;
  if (key.kind === 'char') {
    if (text.length + key.ch.length > MAX_LINE) return { kind: 'edit', state };
    return edit(text.slice(0, cursor) + key.ch + text.slice(cursor), cursor + key.ch.length);
  }
  if (key.kind === 'ctrl') {
    switch (key.letter) {
      case 'a':
        return edit(text, 0);
      case 'e':
        return edit(text, text.length);
      case 'b':
        return edit(text, cursor - 1);
      case 'f':
        return edit(text, cursor + 1);
      case 'k':
        return edit(text.slice(0, cursor), cursor);
      case 'u':
        return edit(text.slice(cursor), 0);
      case 'd':
        return edit(text.slice(0, cursor) + text.slice(cursor + 1), cursor);
      case 'w': {
        const from = wordStart(text, cursor);
        return edit(text.slice(0, from) + text.slice(cursor), from);
      }
      case 'c':
      case 'g':
        return { kind: 'cancel' };
      case 'j':
      case 'm':
        return { kind: 'accept', text };
      default:
        return { kind: 'edit', state };
    }
  }
  switch (key.name) {
    case 'left':
      return edit(text, cursor - 1);
    case 'right':
      return edit(text, cursor + 1);
    case 'home':
      return edit(text, 0);
    case 'end':
      return edit(text, text.length);
    case 'backspace':
      return cursor === 0 ? { kind: 'edit', state } : edit(text.slice(0, cursor - 1) + text.slice(cursor), cursor - 1);
    case 'delete':
      return edit(text.slice(0, cursor) + text.slice(cursor + 1), cursor);
    case 'enter':
      return { kind: 'accept', text };
    case 'escape':
      return { kind: 'cancel' };
    default:
      return { kind: 'edit', state };
  }
}

/**
 * The part of the line that fits `width` columns with the cursor visible: the text shown,
 * the cursor's column in it, and whether text is hidden on either side (the view marks it).
 */
export function visibleWindow(state: LineState, width: number): { text: string; cursor: number; left: boolean; right: boolean } {
  const w = Math.max(1, width);
  if (state.text.length < w) return { text: state.text, cursor: state.cursor, left: false, right: false };
  // Keep the cursor inside, scrolling in steps of a third of the width so typing does not
  // shift the whole line on every key (fewer bytes on a slow line).
  const step = Math.max(1, Math.floor(w / 3));
  let start = 0;
  if (state.cursor >= w - 1) start = Math.min(state.text.length - (w - 1), (Math.floor((state.cursor - (w - 1)) / step) + 1) * step);
  start = Math.max(0, Math.min(start, state.cursor));
  const shown = state.text.slice(start, start + w);
  return { text: shown, cursor: state.cursor - start, left: start > 0, right: start + w < state.text.length };
}
