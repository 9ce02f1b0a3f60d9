// Version comparison as the UAPI Group's Version Format Specification defines it, which is
// what systemd-boot uses to order BLS entries (systemd's strverscmp_improved). Also used to
// put the newest loose kernel first.

function isValid(c: string): boolean {
  return /[A-Za-z0-9~\-^.]/.test(c);
}
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const cmp = (x: number | string, y: number | string): number => (x < y ? -1 : x > y ? 1 : 0);

/** < 0 when a is older than b, > 0 when newer, 0 when equal. */
export function compareVersions(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const at = (s: string, k: number): string => (k < s.length ? s[k]! : '');
  for (;;) {
    while (i < a.length && !isValid(a[i]!)) i++;
    while (j < b.length && !isValid(b[j]!)) j++;

    // '~' marks a pre-release: the side that has it is older.
    if (at(a, i) === '~' || at(b, j) === '~') {
      const r = cmp(Number(at(a, i) !== '~'), Number(at(b, j) !== '~'));
      if (r !== 0) return r;
      i++;
      j++;
    }
    // When one string ends, the longer one is newer.
    if (i >= a.length || j >= b.length) return cmp(Number(i < a.length), Number(j < b.length)) || cmp(at(a, i), at(b, j));

    for (const sep of ['-', '^', '.']) {
      if (at(a, i) === sep || at(b, j) === sep) {
        const r = cmp(Number(at(a, i) !== sep), Number(at(b, j) !== sep));
        if (r !== 0) return r;
        i++;
        j++;
      }
    }

    let ii = i;
    let jj = j;
    if (isDigit(at(a, i)) || isDigit(at(b, j))) {
      while (isDigit(at(a, ii))) ii++;
      while (isDigit(at(b, jj))) jj++;
      const r = cmp(Number(ii !== i), Number(jj !== j));
      if (r !== 0) return r;
      while (at(a, i) === '0') i++;
      while (at(b, j) === '0') j++;
      const r2 = cmp(ii - i, jj - j) || cmp(a.slice(i, ii), b.slice(j, jj));
      if (r2 !== 0) return r2;
    } else {
      while (isAlpha(at(a, ii))) ii++;
      while (isAlpha(at(b, jj))) jj++;
      const n = Math.min(ii - i, jj - j);
      const r = cmp(a.slice(i, i + n), b.slice(j, j + n)) || cmp(ii - i, jj - j);
      if (r !== 0) return r;
    }
    i = ii;
    j = jj;
  }
}
