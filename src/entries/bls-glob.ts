// THE glob matcher of the program: every glob a config or the settings give (loader.conf's
// `default`, the settings' `default` and `kexec_menu.default=`) is matched here, never by a
// RegExp built from it (a backtracking RegExp takes quadratic time or worse: `*Debian*12*`
// against a 1 MB title did not finish in 20 s).
//
// Two syntaxes, both ignoring case:
// - 'fnmatch': as systemd-boot matches loader.conf's `default` against entry ids (systemd's
//   fnmatch with FNM_CASEFOLD in bootctl, efi_fnmatch in the boot loader): `*`, `?`, bracket
//   sets with ranges and `!`/`^` negation, backslash escapes;
// - 'simple': the settings' globs: `*` is any run of characters, `?` one character, and
//   everything else (brackets, backslashes) is literal.
//
// A pattern is split at its stars into pieces of fixed length; the first piece must match at
// the start, the last at the end, and each piece between is placed at its leftmost match
// after the one before (for fixed-length pieces the leftmost choice is always right, so there
// is no backtracking). A piece of plain characters is found with indexOf; one with `?` or a
// set is tried at each position. So the cost is at most text length × the longest piece, and
// linear for plain pieces, whatever the pattern.

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

function tokenize(pattern: string, syntax: GlobSyntax): Token[] {
  const p = Array.from(pattern);
  const fnmatch = syntax === 'fnmatch';
  const tokens: Token[] = [];
  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
      i++;
    } else if (c === '?') {
      tokens.push({ kind: 'any' });
      i++;
    } else if (c === '[' && fnmatch) {
      const set = parseSet(p, i);
      if (set) {
        tokens.push(set.token);
        i = set.next;
      } else {
        tokens.push({ kind: 'char', char: '[' });
        i++;
      }
    } else if (c === '\\' && fnmatch && i + 1 < p.length) {
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

export type GlobSyntax = 'fnmatch' | 'simple';

/** A compiled glob: match it against many texts without parsing it again. */
export interface Glob {
  test(text: string): boolean;
}

/** One star-free run of a pattern: plain text (found with indexOf) or tokens tried one by one. */
type Piece = { readonly plain: string; readonly tokens?: undefined } | { readonly plain?: undefined; readonly tokens: readonly Token[] };

function pieceOf(tokens: readonly Token[]): Piece {
  if (tokens.every((t) => t.kind === 'char')) return { plain: tokens.map((t) => (t.kind === 'char' ? t.char : '')).join('') };
  return { tokens };
}

/** Whether `piece` matches `s` (code points) at `at`. */
function pieceAt(piece: Piece, s: readonly string[], at: number): boolean {
  const tokens = piece.tokens!;
  if (at + tokens.length > s.length) return false;
  for (let k = 0; k < tokens.length; k++) if (!matchesOne(tokens[k]!, s[at + k]!)) return false;
  return true;
}

/** Compiles `pattern` (see the syntaxes above); the result ignores case. */
export function compileGlob(pattern: string, syntax: GlobSyntax = 'fnmatch'): Glob {
  const tokens = tokenize(pattern.toLowerCase(), syntax);
  const pieces: Piece[] = [];
  let run: Token[] = [];
  for (const t of tokens) {
    if (t.kind !== 'star') run.push(t);
    else {
      pieces.push(pieceOf(run));
      run = [];
    }
  }
  pieces.push(pieceOf(run));
  // pieces.length - 1 stars: with none, the one piece is the whole text.
  const starred = pieces.length > 1;
  return {
    test(text: string): boolean {
      const lower = text.toLowerCase();
      const first = pieces[0]!;
      const last = pieces[pieces.length - 1]!;
      // Plain pieces work on the string itself (code units: a plain piece matches the same code
      // points either way); pieces with `?` or sets count code points.
      if (pieces.every((p) => p.plain !== undefined)) {
        if (!starred) return lower === first.plain;
        if (!lower.startsWith(first.plain!) || lower.length < first.plain!.length + last.plain!.length) return false;
        let at = first.plain!.length;
        const end = lower.length - last.plain!.length;
        for (let k = 1; k < pieces.length - 1; k++) {
          const found = lower.indexOf(pieces[k]!.plain!, at);
          if (found < 0 || found + pieces[k]!.plain!.length > end) return false;
          at = found + pieces[k]!.plain!.length;
        }
        return lower.endsWith(last.plain!);
      }
      const s = Array.from(lower);
      const len = (p: Piece): number => (p.plain !== undefined ? Array.from(p.plain).length : p.tokens.length);
      const at0 = (p: Piece, at: number): boolean => (p.plain !== undefined ? s.slice(at, at + len(p)).join('') === p.plain : pieceAt(p, s, at));
      if (!starred) return s.length === len(first) && at0(first, 0);
      const end = s.length - len(last);
      if (end < len(first) || !at0(first, 0) || !at0(last, end)) return false;
      let at = len(first);
      for (let k = 1; k < pieces.length - 1; k++) {
        const p = pieces[k]!;
        const n = len(p);
        let found = -1;
        for (let i = at; i + n <= end; i++) {
          if (at0(p, i)) {
            found = i;
            break;
          }
        }
        if (found < 0) return false;
        at = found + n;
      }
      return true;
    },
  };
}

/** Whether `text` matches the fnmatch glob `pattern`, ignoring case (compile once with compileGlob to match many). */
export function globMatch(pattern: string, text: string): boolean {
  return compileGlob(pattern).test(text);
}
