// GRUB's script grammar (grub-core/script/parser.y) as a recursive-descent parser over the
// lexer's tokens. GRUB parses and runs a config one top-level statement at a time; so does
// `nextStatement()`, which keeps memory flat on huge generated files.
//
// Where GRUB rejects a whole statement on a syntax error (and so can lose a menuentry for
// one bad line), this parser reports the line and drops only the broken command, so the
// entry around it is still listed.
import type { Block, Command, ForStatement, FunctionDefinition, IfStatement, Statement, SyntaxProblem, WhileStatement } from './ast';
import { Lexer, type Keyword, type Token, type Word } from './lexer';
import { MAX_STATEMENT_WORDS } from './limits';

export type { Block, Command, ForStatement, FunctionDefinition, IfStatement, Statement, SyntaxProblem, WhileStatement } from './ast';

/** Deeper nesting than this is not a real config; it would only exhaust the stack. */
export const MAX_NESTING = 64;

/** Syntax problems kept between two takes of `problems` (one top-level statement). */
const MAX_PROBLEMS = 100;

const CLOSERS: ReadonlySet<Keyword> = new Set<Keyword>(['then', 'elif', 'else', 'fi', 'do', 'done']);

function literal(word: Word): string | undefined {
  return typeof word === 'string' ? word : undefined;
}

export class Parser {
  private readonly lexer: Lexer;
  private lookahead: Token | undefined;
  private depth = 0;
  private reportedTooDeep = false;
  /** Words and statements the current top-level statement holds; past MAX_STATEMENT_WORDS nothing more is kept. */
  private held = 0;
  readonly problems: SyntaxProblem[] = [];

  /** `firstLine`: where the text starts in its file (for `eval` and `--source` text, the command's line). */
  constructor(text: string, firstLine = 1) {
    this.lexer = new Lexer(text, firstLine);
  }

  /** The next top-level statement, or undefined at the end of the text. */
  nextStatement(): Statement | undefined {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return undefined;
      if (t.kind === 'newline') {
        this.take();
        continue;
      }
      if (t.kind === 'semicolon') {
        this.take();
        this.problem(t.line, 'a `;` with no command before it');
        continue;
      }
      if (t.kind === 'rbrace') {
        this.take();
        this.problem(t.line, 'a `}` closes nothing');
        continue;
      }
      if (t.kind === 'word' && t.keyword !== undefined && CLOSERS.has(t.keyword)) {
        this.take();
        this.problem(t.line, `\`${t.keyword}\` without the statement it belongs to`);
        this.skipCommand();
        continue;
      }
      const line = t.line;
      this.held = 0;
      const s = this.statement();
      this.endOfStatement();
      if (this.held > MAX_STATEMENT_WORDS) {
        // Parsed to its end (so what follows is read right), but too big to hold or run.
        this.problem(line, `this statement holds more than ${MAX_STATEMENT_WORDS} words and commands, which no GRUB config needs; it is skipped`);
        continue;
      }
      if (s) return s;
    }
  }

  /** Counts one word or statement of the current top-level statement; false once past the budget. */
  private hold(): boolean {
    return ++this.held <= MAX_STATEMENT_WORDS;
  }

  /** Every statement (for files small enough to hold, and for tests). */
  parseAll(): Statement[] {
    const out: Statement[] = [];
    for (let s = this.nextStatement(); s; s = this.nextStatement()) out.push(s);
    return out;
  }

  private peek(): Token {
    this.lookahead ??= this.lexer.next();
    return this.lookahead;
  }

  private take(): Token {
    const t = this.peek();
    this.lookahead = undefined;
    return t;
  }

  private problem(line: number, message: string): void {
    // A statement full of junk keeps only its first problems: the file's messages are capped anyway.
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ line, message });
  }

  /** Statements until a keyword in `stops` starts a command, a `}`, or the end. */
  private list(stops: ReadonlySet<Keyword>): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || t.kind === 'rbrace') return out;
      if (t.kind === 'newline') {
        this.take();
        continue;
      }
      if (t.kind === 'semicolon') {
        this.take();
        this.problem(t.line, 'a `;` with no command before it');
        continue;
      }
      if (t.kind === 'word' && t.keyword !== undefined && CLOSERS.has(t.keyword)) {
        if (stops.has(t.keyword)) return out;
        this.take();
        this.problem(t.line, `\`${t.keyword}\` is not expected here`);
        this.skipCommand();
        continue;
      }
      const s = this.statement();
      this.endOfStatement();
      if (s && this.hold()) out.push(s);
    }
  }

  /** After a statement: a `;`, a newline, a `}` or the end; anything else is reported and skipped. */
  private endOfStatement(): void {
    const t = this.peek();
    if (t.kind === 'semicolon' || t.kind === 'newline') {
      this.take();
      return;
    }
    if (t.kind === 'eof' || t.kind === 'rbrace') return;
    this.problem(t.line, `${describe(t)} where a command should have ended`);
    this.skipCommand();
  }

  /** Drops tokens up to the end of the current command (not past a `}` that may close a block). */
  private skipCommand(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || t.kind === 'rbrace' || t.kind === 'newline' || t.kind === 'semicolon') return;
      if (t.kind === 'lbrace') {
        this.take();
        this.skipBalanced();
        continue;
      }
      this.take();
    }
  }

  /**
   * Drops an if/for/while/until/function construct starting at the next token, counting
   * `if`…`fi`, `do`…`done` and `{`…`}` without recursion.
   */
  private skipConstruct(): void {
    let open = 0;
    for (;;) {
      const t = this.take();
      if (t.kind === 'eof') return;
      let closes = false;
      if (t.kind === 'lbrace') open++;
      else if (t.kind === 'rbrace') {
        open--;
        closes = true;
      } else if (t.kind === 'word' && (t.keyword === 'if' || t.keyword === 'do')) open++;
      else if (t.kind === 'word' && (t.keyword === 'fi' || t.keyword === 'done')) {
        open--;
        closes = true;
      }
      if (closes && open <= 0) return;
    }
  }

  /** After a `{`: drops everything up to its matching `}`, without recursion. */
  private skipBalanced(): void {
    let open = 1;
    while (open > 0) {
      const t = this.take();
      if (t.kind === 'eof') return;
      if (t.kind === 'lbrace') open++;
      else if (t.kind === 'rbrace') open--;
    }
  }

  private statement(): Statement | undefined {
    const t = this.peek();
    if (t.kind === 'word' && t.keyword !== undefined) {
      switch (t.keyword) {
        case 'if':
          return this.nested(() => this.ifStatement(), () => this.skipConstruct());
        case 'for':
          return this.nested(() => this.forStatement(), () => this.skipConstruct());
        case 'while':
        case 'until':
          return this.nested(() => this.whileStatement(), () => this.skipConstruct());
        case 'function':
          // GRUB's grammar allows `function` only as a statement of its own, not in a block.
          if (this.depth > 0) this.problem(t.line, 'GRUB defines functions only at the top of a file, not inside a block or statement');
          return this.nested(() => this.functionDefinition(), () => this.skipConstruct());
        case 'case':
        case 'select':
        case 'esac':
        case 'in':
          this.take();
          this.problem(t.line, `GRUB's script has no \`${t.keyword}\` statement`);
          this.skipCommand();
          return undefined;
        default:
          break;
      }
    }
    return this.command();
  }

  /** Runs a nested construct under the depth limit; past it, `skip` drops the whole construct. */
  private nested<T>(parse: () => T | undefined, skip: () => void): T | undefined {
    if (this.depth >= MAX_NESTING) {
      if (!this.reportedTooDeep) this.problem(this.peek().line, `statements nested more than ${MAX_NESTING} deep are skipped`);
      this.reportedTooDeep = true;
      skip();
      return undefined;
    }
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private command(): Command | undefined {
    const words: Word[] = [];
    const line = this.peek().line;
    let block: Block | undefined;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'word') {
        this.take();
        if (this.hold()) words.push(t.word);
        continue;
      }
      if (t.kind === 'lbrace') {
        this.take();
        if (words.length === 0) {
          this.problem(t.line, 'a `{` block with no command before it');
          this.skipBalanced();
          return undefined;
        }
        block = this.nested(() => this.block(t.line), () => this.skipBalanced());
        break;
      }
      if (t.kind === 'operator') {
        this.take();
        this.problem(t.line, `\`${t.text}\` is not part of GRUB's script language; the command is skipped`);
        this.skipCommand();
        return undefined;
      }
      if (t.kind === 'error') {
        this.take();
        this.problem(t.line, `${t.message}; the command is skipped`);
        return undefined;
      }
      break;
    }
    if (words.length === 0) return undefined;
    return block ? { kind: 'command', words, block, line } : { kind: 'command', words, line };
  }

  /** A list GRUB's grammar requires to hold at least one command (commands1). */
  private nonEmpty(stops: ReadonlySet<Keyword>, what: string, line: number): Statement[] {
    const start = this.problems.length;
    const list = this.list(stops);
    if (list.length === 0 && this.problems.length === start) this.problem(line, `${what} has no command; GRUB rejects it`);
    return list;
  }

  /** After a `{`: statements up to the matching `}`. */
  private block(line: number): Block {
    const statements = this.nonEmpty(new Set(), 'the `{ … }` block opened here', line);
    const t = this.peek();
    if (t.kind === 'rbrace') this.take();
    else this.problem(line, 'the `{` opened here is never closed');
    return { statements, line };
  }

  private expectKeyword(keyword: Keyword, owner: string, ownerLine: number): boolean {
    const t = this.peek();
    if (t.kind === 'word' && t.keyword === keyword) {
      this.take();
      return true;
    }
    this.problem(ownerLine, `the \`${owner}\` here has no \`${keyword}\``);
    return false;
  }

  private ifStatement(): IfStatement {
    const line = this.take().line;
    const branches: { condition: Statement[]; body: Statement[]; line: number }[] = [];
    let otherwise: Statement[] | undefined;
    let branchLine = line;
    for (;;) {
      const condition = this.nonEmpty(new Set(['then']), 'the condition of this `if`', branchLine);
      if (!this.expectKeyword('then', 'if', branchLine)) {
        branches.push({ condition, body: [], line: branchLine });
        break;
      }
      const body = this.nonEmpty(new Set(['elif', 'else', 'fi']), 'the `then` part of this `if`', branchLine);
      branches.push({ condition, body, line: branchLine });
      const t = this.peek();
      if (t.kind === 'word' && t.keyword === 'elif') {
        branchLine = this.take().line;
        continue;
      }
      if (t.kind === 'word' && t.keyword === 'else') {
        this.take();
        otherwise = this.nonEmpty(new Set(['fi']), 'the `else` part of this `if`', line);
      }
      this.expectKeyword('fi', 'if', line);
      break;
    }
    return otherwise ? { kind: 'if', branches, otherwise, line } : { kind: 'if', branches, line };
  }

  private whileStatement(): WhileStatement {
    const t = this.take();
    const until = t.kind === 'word' && t.keyword === 'until';
    const word = until ? 'until' : 'while';
    const condition = this.nonEmpty(new Set(['do']), `the condition of this \`${word}\``, t.line);
    let body: Statement[] = [];
    if (this.expectKeyword('do', word, t.line)) {
      body = this.nonEmpty(new Set(['done']), `the body of this \`${word}\``, t.line);
      this.expectKeyword('done', until ? 'until' : 'while', t.line);
    }
    return { kind: 'while', until, condition, body, line: t.line };
  }

  private forStatement(): ForStatement | undefined {
    const line = this.take().line;
    const name = this.peek();
    const variable = name.kind === 'word' ? literal(name.word) : undefined;
    if (variable === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
      this.problem(line, '`for` needs a variable name');
      this.skipCommand();
      return undefined;
    }
    this.take();
    const inToken = this.peek();
    if (!(inToken.kind === 'word' && inToken.keyword === 'in')) {
      this.problem(line, '`for` needs `in` after its variable');
      this.skipCommand();
      return undefined;
    }
    this.take();
    const words: Word[] = [];
    for (let t = this.peek(); t.kind === 'word'; t = this.peek()) {
      const word = (this.take() as { word: Word }).word;
      if (this.hold()) words.push(word);
    }
    // The words end with `;` or newlines before `do`.
    if (this.peek().kind === 'semicolon') this.take();
    const body0 = this.list(new Set(['do']));
    if (body0.length > 0) this.problem(line, 'commands between `for … in …` and `do` are not allowed');
    let body: Statement[] = [];
    if (this.expectKeyword('do', 'for', line)) {
      body = this.nonEmpty(new Set(['done']), 'the body of this `for`', line);
      this.expectKeyword('done', 'for', line);
    }
    return { kind: 'for', variable, words, body, line };
  }

  private functionDefinition(): FunctionDefinition | undefined {
    const line = this.take().line;
    const nameToken = this.peek();
    const name = nameToken.kind === 'word' ? literal(nameToken.word) : undefined;
    if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      this.problem(line, '`function` needs a name');
      this.skipCommand();
      return undefined;
    }
    this.take();
    while (this.peek().kind === 'newline') this.take();
    const brace = this.peek();
    if (brace.kind !== 'lbrace') {
      this.problem(line, `function \`${name}\` has no \`{ … }\` body`);
      this.skipCommand();
      return undefined;
    }
    this.take();
    return { kind: 'function', name, body: this.block(brace.line).statements, line };
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'word':
      return typeof t.word === 'string' ? `\`${t.word.slice(0, 40)}\`` : 'a word';
    case 'lbrace':
      return '`{`';
    case 'rbrace':
      return '`}`';
    case 'operator':
      return `\`${t.text}\``;
    case 'error':
      return t.message;
    default:
      return t.kind;
  }
}
