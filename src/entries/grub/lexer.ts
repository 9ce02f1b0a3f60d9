// GRUB's script lexer (grub-core/script/yylex.l), one token at a time so a 10 MB file is
// never held as a token array. A word keeps its pieces apart because GRUB expands them
// differently: unquoted `$x` splits on blanks, `"$x"` does not, quotes always make an
// argument (even an empty one), and an empty unquoted piece makes none.
import { MAX_LINE_LENGTH } from './limits';

/** GRUB's reserved words. They are keywords only where a command starts; elsewhere plain words. */
export type Keyword =
  | 'if' | 'then' | 'elif' | 'else' | 'fi'
  | 'for' | 'in' | 'do' | 'done' | 'while' | 'until'
  | 'function' | 'case' | 'esac' | 'select';

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>([
  'if', 'then', 'elif', 'else', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', 'function', 'case', 'esac', 'select',
]);

export type WordPart =
  /** Unquoted text, escapes already applied. Makes an argument only when non-empty. */
  | { readonly kind: 'text'; readonly text: string }
  /** '…' or "…" text. Always makes an argument, even when empty. */
  | { readonly kind: 'quoted'; readonly text: string }
  /** Unquoted `$name`: the value is split on blanks into several arguments. */
  | { readonly kind: 'var'; readonly name: string }
  /** `"$name"`: the value joins the current argument as it is. */
  | { readonly kind: 'quotedVar'; readonly name: string };

/** A word as written: a literal string when it has no quotes or variables, else its pieces. */
export type Word = string | readonly WordPart[];

export type Token =
  | { readonly kind: 'word'; readonly word: Word; readonly keyword?: Keyword; readonly line: number }
  | { readonly kind: 'newline'; readonly line: number }
  | { readonly kind: 'semicolon'; readonly line: number }
  | { readonly kind: 'lbrace'; readonly line: number }
  | { readonly kind: 'rbrace'; readonly line: number }
  /** `||`, `&&`, `|`, `&`, `;;`, `<`, `>`: GRUB lexes them but its grammar has no place for them. */
  | { readonly kind: 'operator'; readonly text: string; readonly line: number }
  /** Something GRUB's lexer rejects (an unterminated quote, a bad `$`). The rest of the line is dropped. */
  | { readonly kind: 'error'; readonly message: string; readonly line: number }
  | { readonly kind: 'eof'; readonly line: number };

const isBlank = (c: string): boolean => c === ' ' || c === '\t';
/** Characters that end an unquoted word (GRUB's CHAR class is everything else). */
const ENDS_WORD = new Set([' ', '\t', '\n', ';', '|', '&', '<', '>', '{', '}']);
const isNameStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isNameChar = (c: string): boolean => isNameStart(c) || (c >= '0' && c <= '9');
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isHex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c);
const SPECIAL_VARS = new Set(['?', '#', '*', '@']);

/** Thrown inside the lexer and caught in next(); not an Error, as capturing a stack trace per bad word is slow. */
class LexError {
  constructor(readonly message: string) {}
}

/** Pieces of one word being built; adjacent literal text is merged. */
class WordBuilder {
  private readonly parts: WordPart[] = [];
  private text = '';
  private onlyText = true;

  addText(s: string): void {
    this.text += s;
  }
  private flush(): void {
    if (this.text !== '') this.parts.push({ kind: 'text', text: this.text });
    this.text = '';
  }
  add(part: WordPart): void {
    this.flush();
    this.onlyText = false;
    this.parts.push(part);
  }
  build(): Word {
    if (this.onlyText) return this.text;
    this.flush();
    return this.parts;
  }
}

export class Lexer {
  private pos = 0;
  private line: number;
  /** Where the last line whose length was checked ends (its newline, or the end of the text). */
  private checkedTo = -1;
  private readonly text: string;

  /** `firstLine`: the line the text starts on in its file (text run by `eval` is on the eval's line). */
  constructor(text: string, firstLine = 1) {
    this.line = firstLine;
    // GRUB's line reader drops carriage returns, so CRLF files read like LF files.
    this.text = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  }

  /** The 1-based line the next token starts on (after blanks and comments are skipped). */
  get currentLine(): number {
    return this.line;
  }

  next(): Token {
    const t = this.text;
    for (;;) {
      while (this.pos < t.length && isBlank(t[this.pos]!)) this.pos++;
      if (this.pos >= t.length) return { kind: 'eof', line: this.line };
      const c = t[this.pos]!;
      // A comment starts only where a token could start; `a#b` is one word.
      if (c === '#') {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl;
        continue;
      }
      // `\` + newline between words joins lines like a blank.
      if (c === '\\' && t[this.pos + 1] === '\n') {
        this.pos += 2;
        this.line++;
        continue;
      }
      break;
    }
    const line = this.line;
    if (this.pos > this.checkedTo) {
      // A new line: one longer than MAX_LINE_LENGTH is dropped whole (each line is measured once).
      const start = t.lastIndexOf('\n', this.pos - 1) + 1;
      const nl = t.indexOf('\n', this.pos);
      this.checkedTo = nl < 0 ? t.length : nl;
      if (this.checkedTo - start > MAX_LINE_LENGTH) {
        this.pos = this.checkedTo;
        return { kind: 'error', message: `this line is longer than ${MAX_LINE_LENGTH} characters, which no GRUB config needs`, line };
      }
    }
    const c = t[this.pos]!;
    const c2 = t[this.pos + 1];
    switch (c) {
      case '\n':
        this.pos++;
        this.line++;
        return { kind: 'newline', line };
      case ';':
        if (c2 === ';') return this.operator(';;', line);
        this.pos++;
        return { kind: 'semicolon', line };
      case '{':
        this.pos++;
        return { kind: 'lbrace', line };
      case '}':
        this.pos++;
        return { kind: 'rbrace', line };
      case '|':
      case '&':
        return this.operator(c2 === c ? c + c : c, line);
      case '<':
      case '>':
        return this.operator(c, line);
    }
    const start = this.pos;
    try {
      const word = this.readWord();
      const raw = this.text.slice(start, this.pos);
      // `[[` and `]]` alone are tokens of their own in GRUB's lexer, unused by its grammar.
      if (raw === '[[' || raw === ']]') return { kind: 'operator', text: raw, line };
      return KEYWORDS.has(raw) ? { kind: 'word', word, keyword: raw as Keyword, line } : { kind: 'word', word, line };
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      this.skipRestOfLine(line);
      return { kind: 'error', message: e.message, line };
    }
  }

  private operator(text: string, line: number): Token {
    this.pos += text.length;
    return { kind: 'operator', text, line };
  }

  /**
   * After a lexing error GRUB drops the statement; we drop the rest of the line the bad word
   * started on (not the rest of the file, as an unterminated quote would in GRUB) and go on
   * from the end of that line.
   */
  private skipRestOfLine(wordLine: number): void {
    const end = this.text.indexOf('\n', this.wordStart);
    this.pos = end < 0 ? this.text.length : end;
    this.line = wordLine;
  }

  /** Where the current word started (found lazily on error: scanning ahead per word would be quadratic on long lines). */
  private wordStart = 0;

  private readWord(): Word {
    const t = this.text;
    const b = new WordBuilder();
    this.wordStart = this.pos;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (ENDS_WORD.has(c)) break;
      if (c === '\\') {
        const n = t[this.pos + 1];
        if (n === undefined) {
          b.addText('\\');
          this.pos++;
        } else if (n === '\n') {
          this.pos += 2;
          this.line++;
        } else if (n === 'x' && isHex(t[this.pos + 2] ?? '') && isHex(t[this.pos + 3] ?? '')) {
          // GRUB keeps `\xHH` as written (it is a byte escape for the commands that take one).
          b.addText(t.slice(this.pos, this.pos + 4));
          this.pos += 4;
        } else {
          b.addText(n);
          this.pos += 2;
        }
      } else if (c === "'") {
        const end = t.indexOf("'", this.pos + 1);
        if (end < 0) throw new LexError('a single quote is never closed');
        const s = t.slice(this.pos + 1, end);
        this.countLines(s);
        b.add({ kind: 'quoted', text: s });
        this.pos = end + 1;
      } else if (c === '"') {
        this.pos++;
        this.readDoubleQuoted(b);
      } else if (c === '$') {
        if (t[this.pos + 1] === '"') {
          // $"…" is a translatable string: GRUB looks it up (we have no translations) and
          // expands variables in it like a double-quoted string.
          this.pos += 2;
          this.readDoubleQuoted(b);
        } else {
          this.pos++;
          b.add({ kind: 'var', name: this.readVariableName() });
        }
      } else {
        // A run of plain characters at once keeps long words linear.
        let end = this.pos + 1;
        while (end < t.length) {
          const d = t[end]!;
          if (ENDS_WORD.has(d) || d === '\\' || d === "'" || d === '"' || d === '$') break;
          end++;
        }
        b.addText(t.slice(this.pos, end));
        this.pos = end;
      }
    }
    return b.build();
  }

  /** Reads after an opening `"` up to the closing one. */
  private readDoubleQuoted(b: WordBuilder): void {
    const t = this.text;
    let s = '';
    for (;;) {
      if (this.pos >= t.length) throw new LexError('a double quote is never closed');
      const c = t[this.pos]!;
      if (c === '"') {
        this.pos++;
        b.add({ kind: 'quoted', text: s });
        return;
      }
      if (c === '\\') {
        const n = t[this.pos + 1];
        if (n === '$' || n === '\\' || n === '"') {
          s += n;
          this.pos += 2;
        } else if (n === '\n') {
          this.pos += 2;
          this.line++;
        } else {
          // Inside double quotes other escapes stay as written.
          s += '\\';
          this.pos++;
        }
      } else if (c === '$') {
        this.pos++;
        b.add({ kind: 'quoted', text: s });
        s = '';
        b.add({ kind: 'quotedVar', name: this.readVariableName() });
      } else {
        let end = this.pos + 1;
        while (end < t.length) {
          const d = t[end]!;
          if (d === '"' || d === '\\' || d === '$') break;
          end++;
        }
        const run = t.slice(this.pos, end);
        this.countLines(run);
        s += run;
        this.pos = end;
      }
    }
  }

  /** After `$`: NAME, DIGITS, one of ?#*@, or any of them in braces. */
  private readVariableName(): string {
    const t = this.text;
    const braced = t[this.pos] === '{';
    let p = braced ? this.pos + 1 : this.pos;
    const first = t[p] ?? '';
    let end: number;
    if (isNameStart(first)) {
      end = p + 1;
      while (end < t.length && isNameChar(t[end]!)) end++;
    } else if (isDigit(first)) {
      end = p + 1;
      while (end < t.length && isDigit(t[end]!)) end++;
    } else if (SPECIAL_VARS.has(first)) {
      end = p + 1;
    } else {
      throw new LexError(first === '' || first === '\n' ? 'a `$` is not followed by a variable name' : `\`$${braced ? '{' : ''}${first}\` is not a variable GRUB knows how to expand`);
    }
    const name = t.slice(p, end);
    if (braced) {
      if (t[end] !== '}') throw new LexError(`\`\${${name}\` is not closed with \`}\` (GRUB has no \${name…} operators)`);
      end++;
    }
    this.pos = end;
    return name;
  }

  private countLines(s: string): void {
    for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) this.line++;
  }
}
