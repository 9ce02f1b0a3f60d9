// Everything the commands write to stdout and stderr goes through here: titles, paths,
// command lines, notes and diagnostics come from disks, and a control character in one
// (ESC ] 0 ; … BEL, ESC [ 2 J, the C1 CSI U+009B) would reach the terminal as a command.
// Text passes through printable() (src/ui/terminal-text.ts, the filter the menu draws
// through), keeping only line feeds and tabs; JSON escapes them instead, so a title keeps its
// exact value there. Only the full-screen menu (menu.ts) writes to the terminal otherwise.
import { printable } from '../ui/terminal-text';

/** `text` as it may reach a terminal: every control character but line feed and tab replaced by '?'. */
export function terminalText(text: string): string {
  return printable(text, false, true);
}

export function writeOut(text: string): void {
  process.stdout.write(terminalText(text));
}

export function writeErr(text: string): void {
  process.stderr.write(terminalText(text));
}

/**
 * One line of JSON. JSON.stringify escapes U+0000–U+001F but leaves DEL and the C1 controls
 * (U+007F–U+009F) raw; they are escaped here too, so the line holds no control character and
 * parses back to the same values.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}
