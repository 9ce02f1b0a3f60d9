// fnmatch(3)-style globs as systemd-boot matches loader.conf's `default` against entry ids
// (systemd's fnmatch with FNM_CASEFOLD in bootctl, efi_fnmatch in the boot loader): `*`, `?`,
// bracket sets with ranges and `!`/`^` negation, backslash escapes, case ignored.
// default.ts has a simpler glob (only `*` and `?`) for our own settings; BLS needs sets.
// Matching walks the pattern with one remembered `*` (the classic greedy algorithm), so its
// cost is bounded by pattern length × text length whatever the pattern, unlike a RegExp.

type Token =
  | { readonly kind: 'star' }
  | { readonly kind: 'any' }
  | { readonly kind: 'char'; readonly char: string }
  | { readonly kind: 'set'; readonly negated: boolean; readonly chars: readonly string[]; readonly ranges: ReadonlyArray<readonly [string, string]> };

/** Parses `[...]` starting at `start` (the `[`); undefined when it is not closed. */
function parseSet(p: readonly string[], start: number): { token: Token; next: number } | undefined {
  let i = start + 1;
  let negated = false;
  if (p[i] === '!' || p[i] === '^') {
    negated = true;
    i++;
  }
  const chars: string[] = [];
  const ranges: Array<[string, string]> = [];
  let first = true;
  while (i < p.length) {
    let c = p[i]!;
    if (c === ']' && !first) return { token: { kind: 'set', negated, chars, ranges }, next: i + 1 };
    first = false;
    if (c === '\\' && i + 1 < p.length) c = p[++i]!;
    if (p[i + 1] === '-' && i + 2 < p.length && p[i + 2] !== ']') {
      let hi = p[i + 2]!;
      let skip = 3;
      if (hi === '\\' && i + 3 < p.length) {
        hi = p[i + 3]!;
        skip = 4;
      }
      ranges.push([c, hi]);
      i += skip;
      continue;
    }
    chars.push(c);
    i++;
  }
  return undefined;
}

function tokenize(pattern: string): Token[] {
  const p = Array.from(pattern);
  const tokens: Token[] = [];
  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
      i++;
    } else if (c === '?') {
      tokens.push({ kind: 'any' });
      i++;
    } else if (c === '[') {
      const set = parseSet(p, i);
      if (set) {
        tokens.push(set.token);
        i = set.next;
      } else {
        tokens.push({ kind: 'char', char: '[' });
        i++;
      }
    } else if (c === '\\' && i + 1 < p.length) {
      tokens.push({ kind: 'char', char: p[i + 1]! });
      i += 2;
    } else {
      tokens.push({ kind: 'char', char: c });
      i++;
    }
  }
  return tokens;
}

function matchesOne(t: Token, c: string): boolean {
  switch (t.kind) {
    case 'any':
      return true;
    case 'char':
      return t.char === c;
    case 'set': {
      const inSet = t.chars.includes(c) || t.ranges.some(([lo, hi]) => lo <= c && c <= hi);
      return inSet !== t.negated;
    }
    case 'star':
      return false;
  }
}

/** Whether `text` matches the glob `pattern`, ignoring case. */
export function globMatch(pattern: string, text: string): boolean {
  const tokens = tokenize(pattern.toLowerCase());
  const s = Array.from(text.toLowerCase());
  let ti = 0;
  let si = 0;
  let starAt = -1;
  let starText = 0;
  while (si < s.length) {
    const t = tokens[ti];
    if (t !== undefined && t.kind === 'star') {
      starAt = ti++;
      starText = si;
    } else if (t !== undefined && matchesOne(t, s[si]!)) {
      ti++;
      si++;
    } else if (starAt >= 0) {
      // Let the last `*` swallow one more character and retry what follows it.
      ti = starAt + 1;
      si = ++starText;
    } else {
      return false;
    }
  }
  while (tokens[ti]?.kind === 'star') ti++;
  return ti === tokens.length;
}
