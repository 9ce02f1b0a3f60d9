// The `key value` line syntax of BLS entry files and loader.conf, as systemd reads it: the
// first run of spaces/tabs separates key and value, surrounding whitespace is dropped, `#`
// starts a comment line, CR, LF and CRLF end lines; a NUL byte or a line over LONG_LINE_MAX
// makes the whole file unusable. Also the per-file diagnostics every BLS file reports through.
import type { Diagnostic } from '../fs/diagnostic';
import { DiagnosticCap } from './diagnostic-cap';

/** systemd reads config lines up to this length (LONG_LINE_MAX) and rejects the file beyond it. */
export const LONG_LINE_MAX = 1024 * 1024;
/** Entry files are a few hundred bytes; past this size a file is junk and reading it only costs time. */
export const MAX_FILE_CHARS = 4 * 1024 * 1024;
/** A junk file must not bury the menu's messages: after this many, one summary line. */
const MAX_DIAGNOSTICS_PER_FILE = 20;

/** One `key value` line of a BLS-style file. */
export interface BlsLine {
  readonly line: number;
  readonly key: string;
  readonly value: string;
}

/** Collects a file's diagnostics, capped so junk cannot flood the menu. Every one has a line. */
export class FileDiagnostics {
  readonly list: Diagnostic[] = [];
  private readonly cap = new DiagnosticCap(MAX_DIAGNOSTICS_PER_FILE, this.list);

  constructor(private readonly file: string) {}

  add(severity: Diagnostic['severity'], message: string, line: number): void {
    this.cap.add({ severity, file: this.file, line, message });
  }
}

export type Lines = { readonly ok: true; readonly lines: BlsLine[] } | { readonly ok: false };

/** Splits a file into key/value lines as systemd does; `ok: false` (reported) when the file is unusable. */
export function splitKeyLines(text: string, diags: FileDiagnostics): Lines {
  if (text.length > MAX_FILE_CHARS) {
    diags.add('error', `is ${text.length} characters long, far more than any boot entry or loader.conf; not read`, 1);
    return { ok: false };
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    diags.add('error', 'contains NUL bytes, so it is not a text file; not read', lineAt(text, nul));
    return { ok: false };
  }
  const lines: BlsLine[] = [];
  let lineNo = 0;
  // A loop rather than split(): a 10 MB file of bare newlines must not become 10 M strings.
  for (let start = 0; start <= text.length; ) {
    lineNo++;
    let end = start;
    while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
    const next = text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
    if (end - start > LONG_LINE_MAX) {
      diags.add('error', `line is longer than ${LONG_LINE_MAX} characters; the file is not read`, lineNo);
      return { ok: false };
    }
    const line = trimBlanks(text.slice(start, end));
    start = next;
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([^ \t]+)(?:[ \t]+(.*))?$/s.exec(line);
    if (!m) continue;
    lines.push({ line: lineNo, key: m[1]!, value: m[2] ?? '' });
  }
  return { ok: true, lines };
}

/** Drops spaces and tabs at both ends (a loop: a trailing-blank RegExp is quadratic on long lines). */
function trimBlanks(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s[start] === ' ' || s[start] === '\t')) start++;
  while (end > start && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  return s.slice(start, end);
}

/** The 1-based line of a character, counting CR, LF and CRLF line ends as the splitter does. */
function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/**
 * The `key value` lines of a BLS entry or loader.conf, with the same syntax rules and limits
 * as the entry reader, for readers with their own semantics (GRUB's blscfg splits `initrd`
 * values and expands `$variables`). `lines` is undefined when the file cannot be read as text.
 */
export function splitBlsLines(text: string, file: string): { lines?: BlsLine[]; diagnostics: Diagnostic[] } {
  const diags = new FileDiagnostics(file);
  const split = splitKeyLines(text, diags);
  return split.ok ? { lines: split.lines, diagnostics: diags.list } : { diagnostics: diags.list };
}
