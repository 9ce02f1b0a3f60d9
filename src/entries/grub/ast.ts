// The statements of GRUB's script as the parser (parser.ts) builds them and the interpreter
// (evaluate.ts) runs them: commands with their words, `{ … }` blocks, if/for/while, functions.
import type { Word } from './lexer';

export interface Command {
  readonly kind: 'command';
  readonly words: readonly Word[];
  /** A `{ … }` after the words (menuentry, submenu): kept parsed, run later. */
  readonly block?: Block;
  readonly line: number;
}

export interface Block {
  readonly statements: readonly Statement[];
  readonly line: number;
}

export interface IfStatement {
  readonly kind: 'if';
  /** `if`/`elif` branches in order: run the first whose condition succeeds. */
  readonly branches: readonly { readonly condition: readonly Statement[]; readonly body: readonly Statement[]; readonly line: number }[];
  readonly otherwise?: readonly Statement[];
  readonly line: number;
}

export interface ForStatement {
  readonly kind: 'for';
  readonly variable: string;
  readonly words: readonly Word[];
  readonly body: readonly Statement[];
  readonly line: number;
}

export interface WhileStatement {
  readonly kind: 'while';
  /** `until` loops while the condition fails. */
  readonly until: boolean;
  readonly condition: readonly Statement[];
  readonly body: readonly Statement[];
  readonly line: number;
}

export interface FunctionDefinition {
  readonly kind: 'function';
  readonly name: string;
  readonly body: readonly Statement[];
  readonly line: number;
}

export type Statement = Command | IfStatement | ForStatement | WhileStatement | FunctionDefinition;

export interface SyntaxProblem {
  readonly line: number;
  readonly message: string;
}

