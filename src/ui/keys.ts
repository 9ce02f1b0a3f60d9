// The menu's own key decoder for the raw bytes a terminal sends. blessed's decoder looks at
// one read at a time, so an arrow key whose escape sequence arrives in two reads (a slow
// serial line, IPMI serial-over-LAN) becomes Esc, '[' and 'B' (measured: see docs/menu.md).
// This one keeps an incomplete sequence until the rest arrives, or until the caller's timer
// says no more is coming (flush): a lone ESC is then the Esc key. Anything it does not know
// (unknown sequences, stray control bytes, invalid UTF-8, line noise) is dropped, never thrown.

export type KeyName =
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'home'
  | 'end'
  | 'pageup'
  | 'pagedown'
  | 'insert'
  | 'delete'
  | 'enter'
  | 'tab'
  | 'backtab'
  | 'backspace'
  | 'escape'
  | 'f1'
  | 'f2'
  | 'f3'
  | 'f4'
  | 'f5'
  | 'f6'
  | 'f7'
  | 'f8'
  | 'f9'
  | 'f10'
  | 'f11'
  | 'f12';

/** A decoded key: a printable character, Ctrl+letter, or a named key. */
export type Key =
  | { readonly kind: 'char'; readonly ch: string }
  | { readonly kind: 'ctrl'; readonly letter: string }
  | { readonly kind: 'named'; readonly name: KeyName };

export const named = (name: KeyName): Key => ({ kind: 'named', name });
export const char = (ch: string): Key => ({ kind: 'char', ch });
export const ctrl = (letter: string): Key => ({ kind: 'ctrl', letter });

/** The longest escape sequence kept while waiting for its end; longer is noise. */
const MAX_SEQUENCE = 32;

/** How long the caller waits for the rest of a sequence before calling flush() (see docs/menu.md). */
export const ESCAPE_TIMEOUT_MS = 300;

/** CSI `n ~` codes (xterm, vt220, linux console). */
const TILDE: Readonly<Record<number, KeyName>> = {
  1: 'home',
  2: 'insert',
  3: 'delete',
  4: 'end',
  5: 'pageup',
  6: 'pagedown',
  7: 'home',
  8: 'end',
  11: 'f1',
  12: 'f2',
  13: 'f3',
  14: 'f4',
  15: 'f5',
  17: 'f6',
  18: 'f7',
  19: 'f8',
  20: 'f9',
  21: 'f10',
  23: 'f11',
  24: 'f12',
};

/** Final letters of CSI and SS3 sequences that name a key. */
const LETTER: Readonly<Record<string, KeyName>> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  P: 'f1',
  Q: 'f2',
  R: 'f3',
  S: 'f4',
};

/** SS3 keypad keys in application keypad mode (vt100: ESC O p … ESC O y are 0 … 9). */
const KEYPAD: Readonly<Record<string, Key>> = {
  M: named('enter'),
  l: char(','),
  m: char('-'),
  n: char('.'),
  ...Object.fromEntries([...'pqrstuvwxy'].map((c, i) => [c, char(String(i))])),
};

/** The linux console's F1–F5: ESC [ [ A … ESC [ [ E. */
const LINUX_F: Readonly<Record<string, KeyName>> = { A: 'f1', B: 'f2', C: 'f3', D: 'f4', E: 'f5' };

/** `runaway`: a CSI longer than any key; the rest of it is skipped as it arrives. */
type Parse = { readonly length: number; readonly key?: Key; readonly runaway?: true } | 'incomplete';

/** Parses the escape sequence at the start of `s` (s[0] is ESC). */
function parseEscape(s: string): Parse {
  if (s.length < 2) return 'incomplete';
  const second = s[1]!;
  if (second === '[') {
    if (s.length < 3) return 'incomplete';
    if (s[2] === '[') {
      // linux console F-keys: exactly one more character.
      if (s.length < 4) return 'incomplete';
      const name = LINUX_F[s[3]!];
      return { length: 4, ...(name ? { key: named(name) } : {}) };
    }
    // CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, final 0x40–0x7E.
    let i = 2;
    while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x3f) i++;
    while (i < s.length && s.charCodeAt(i) >= 0x20 && s.charCodeAt(i) <= 0x2f) i++;
    if (i >= s.length) return s.length >= MAX_SEQUENCE ? { length: s.length, runaway: true } : 'incomplete';
    const code = s.charCodeAt(i);
    if (code < 0x40 || code > 0x7e) return { length: i }; // broken: drop what was read, resync on this byte
    const params = s.slice(2, i);
    const final = s[i]!;
    return { length: i + 1, ...csiKey(params, final) };
  }
  if (second === 'O') {
    if (s.length < 3) return 'incomplete';
    const c = s[2]!;
    const letter = LETTER[c];
    if (letter) return { length: 3, key: named(letter) };
    const pad = KEYPAD[c];
    return { length: 3, ...(pad ? { key: pad } : {}) };
  }
  // ESC followed by anything else: the Esc key, and that byte is read on its own (a person
  // pressing Esc and then a key quickly on a line that delivers both in one read).
  return { length: 1, key: named('escape') };
}

function csiKey(params: string, final: string): { key?: Key } {
  // Modifiers (`1;5A` for Ctrl+Up) are ignored: the menu treats them as the plain key.
  const numbers = params.split(';').map((p) => (/^\d{1,6}$/.test(p) ? Number(p) : NaN));
  if (final === '~') {
    const name = TILDE[numbers[0] ?? NaN];
    return name ? { key: named(name) } : {};
  }
  if (final === 'Z') return { key: named('backtab') };
  if (params.startsWith('?') || params.startsWith('>')) return {}; // a terminal's report, not a key
  const name = LETTER[final];
  return name ? { key: named(name) } : {};
}

/** Bytes of a UTF-8 sequence starting with lead byte b, or 0 if b cannot start one. */
function utf8Length(b: number): number {
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/**
 * Feed it bytes as they arrive; it returns the keys they complete. When `pending` is true
 * after a feed, the caller should call flush() if nothing more arrives within
 * ESCAPE_TIMEOUT_MS.
 */
export class KeyDecoder {
  /** Bytes kept from earlier reads, as latin1 text (one char per byte). */
  private buffer = '';
  /** The last byte was CR: an LF right after it is the same Enter (CR LF terminals). */
  private afterCr = false;
  /** Inside a runaway CSI: its parameter bytes and final byte are dropped, not read as keys. */
  private skipping = false;

  get pending(): boolean {
    return this.buffer.length > 0;
  }

  feed(data: Uint8Array | string): Key[] {
    this.buffer += typeof data === 'string' ? Buffer.from(data, 'utf8').toString('latin1') : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    return this.decode(false);
  }

  /** Nothing more came: a lone ESC is the Esc key; any other partial sequence is dropped. */
  flush(): Key[] {
    return this.decode(true);
  }

  private decode(final: boolean): Key[] {
    const keys: Key[] = [];
    const s = this.buffer;
    let i = 0;
    // Each step consumes at least one byte or stops: the loop is bounded by the input length.
    while (i < s.length) {
      const code = s.charCodeAt(i);
      if (this.skipping) {
        if (code >= 0x20 && code <= 0x3f) {
          i++;
          continue;
        }
        this.skipping = false;
        if (code >= 0x40 && code <= 0x7e) {
          i++;
          continue;
        }
      }
      if (code === 0x1b) {
        const r = parseEscape(s.slice(i, i + MAX_SEQUENCE + 1));
        if (r === 'incomplete') {
          if (!final) break;
          if (i + 1 === s.length) keys.push(named('escape'));
          i = s.length; // a partial sequence at the end: noise
          break;
        }
        if (r.key) keys.push(r.key);
        if (r.runaway) this.skipping = true;
        i += r.length;
        this.afterCr = false;
        continue;
      }
      if (code >= 0x80) {
        const n = utf8Length(code);
        if (n === 0) {
          i++; // a stray continuation byte, or 0xC0/0xC1/0xF5+: not text
          continue;
        }
        if (i + n > s.length) {
          if (!final) break;
          i = s.length;
          break;
        }
        const bytes = Buffer.from(s.slice(i, i + n), 'latin1');
        let valid = true;
        for (let k = 1; k < n; k++) if ((bytes[k]! & 0xc0) !== 0x80) valid = false;
        if (!valid) {
          i++;
          continue;
        }
        const ch = bytes.toString('utf8');
        if (ch !== '\ufffd') keys.push(char(ch));
        i += n;
        this.afterCr = false;
        continue;
      }
      i++;
      const wasCr = this.afterCr;
      this.afterCr = code === 0x0d;
      if (code === 0x0d) keys.push(named('enter'));
      else if (code === 0x0a) {
        if (!wasCr) keys.push(named('enter'));
      } else if (code === 0x09) keys.push(named('tab'));
      else if (code === 0x7f || code === 0x08) keys.push(named('backspace'));
      else if (code >= 0x01 && code <= 0x1a) keys.push(ctrl(String.fromCharCode(code + 0x60)));
      else if (code >= 0x20 && code < 0x7f) keys.push(char(String.fromCharCode(code)));
      // NUL, 0x1c–0x1f: ignored.
    }
    this.buffer = s.slice(i);
    return keys;
  }
}

/** A short name for a key, for messages and tests: "up", "ctrl-e", "q". */
export function keyLabel(k: Key): string {
  if (k.kind === 'char') return k.ch;
  if (k.kind === 'ctrl') return `ctrl-${k.letter}`;
  return k.name;
}
