// Text for the terminal: the few non-ASCII characters the menu prints get ASCII stand-ins on
// a terminal without UTF-8 (a serial console in the initramfs has no locale at all), and text
// read from disks is stripped of control characters. printable() is the program's one
// filter of control characters: the menu draws through it, and every command's text output
// (src/cli/output.ts) is written through it.

/** Whether the locale says UTF-8: LC_ALL, else LC_CTYPE, else LANG (POSIX precedence). */
export function localeIsUtf8(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(value);
}

/** Shortens `text` to `width` columns, marking the cut with an ellipsis. */
export function clip(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return text.slice(0, width - 1) + '…';
}

/** ASCII for the punctuation the menu itself uses; other characters go through NFKD. */
const ASCII_FOR: Readonly<Record<string, string>> = {
  '—': '-',
  '–': '-',
  '…': '~',
  '·': '-',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '↑': '^',
  '↓': 'v',
  '›': '>',
  '«': '<',
  '»': '>',
};

/**
 * Replaces what a non-UTF-8 terminal cannot show: the menu's own punctuation by its ASCII
 * stand-in (one column each, so layouts keep their widths), accented letters by the letter,
 * anything else by '?'. Newlines and ESC pass: text from disks has been through printable()
 * already, so these are the menu's own line breaks and attributes.
 */
export function asciiOnly(text: string): string {
  let out = '';
  for (const ch of text) {
    const mapped = ASCII_FOR[ch];
    if (mapped !== undefined) out += mapped;
    else if ((ch >= ' ' && ch <= '~') || ch === '\n' || ch === '\x1b') out += ch;
    else {
      const base = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += base.length === 1 && base >= ' ' && base <= '~' ? base : '?';
    }
  }
  return out;
}

/** C0 controls, DEL and C1 controls (U+0080–U+009F: U+009B is CSI on a terminal that takes 8-bit controls). */
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;
/** The same but for line feed and tab, which lay out a command's text output. */
const CONTROLS_BUT_LAYOUT = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Text read from a disk (titles, paths, command lines) made safe to draw: control characters
 * would move the cursor or start an escape sequence on the terminal (ESC ] 0 ; … BEL sets the
 * window title, ESC [ 2 J clears the screen), so each becomes '?'. With `layout`, a whole
 * text output keeps its line feeds and tabs (carriage returns are replaced: one could
 * overwrite a line with another).
 */
export function printable(text: string, ascii: boolean, layout = false): string {
  const safe = text.replace(layout ? CONTROLS_BUT_LAYOUT : CONTROLS, '?');
  return ascii ? asciiOnly(safe) : safe;
}
