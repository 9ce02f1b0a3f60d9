// GRUB's environment block (grub-core/lib/envblk.c): the 1024-byte file `grub-editenv`
// writes, starting "# GRUB Environment Block\n", then `name=value` lines (a backslash
// takes the next character literally), padded with `#`.

export const GRUBENV_SIGNATURE = '# GRUB Environment Block\n';

export type GrubenvResult =
  | { readonly ok: true; readonly vars: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: string };

export function parseGrubenv(text: string): GrubenvResult {
  if (!text.startsWith(GRUBENV_SIGNATURE)) {
    return { ok: false, reason: 'it does not start with "# GRUB Environment Block", so GRUB ignores it' };
  }
  const vars = new Map<string, string>();
  let p = GRUBENV_SIGNATURE.length;
  while (p < text.length) {
    if (text[p] === '#') {
      // Padding or a comment: skip to the next line.
      p = nextLine(text, p);
      continue;
    }
    const eq = text.indexOf('=', p);
    if (eq < 0) break; // GRUB stops at a broken line.
    const name = text.slice(p, eq);
    let value = '';
    let q = eq + 1;
    for (; q < text.length && text[q] !== '\n'; q++) {
      if (text[q] === '\\' && q + 1 < text.length) q++;
      value += text[q];
    }
    if (q >= text.length) break; // no newline: GRUB treats the line as broken and stops.
    vars.set(name, value);
    p = q + 1;
  }
  return { ok: true, vars };
}

function nextLine(text: string, p: number): number {
  while (p < text.length) {
    if (text[p] === '\\') p += 2;
    else if (text[p] === '\n') return p + 1;
    else p++;
  }
  return p;
}
