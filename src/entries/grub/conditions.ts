// GRUB's `test` / `[ … ]` (grub-core/commands/test.c) with a third answer, `unknown`, for
// what cannot be decided from here: a file on another partition, a status from firmware
// (`fwsetup --is-supported`), a key held down. The interpreter keeps the entries of both
// branches of an unknown condition rather than guess one away.

export type Truth = 'true' | 'false' | 'unknown';

/** Marks a value the interpreter could not know (the `$?` of an undecidable command). */
export const UNKNOWN_VALUE = '\u0000unknown\u0000';

export type FileTest = 'exists' | 'file' | 'dir' | 'nonEmpty';

export interface TestHost {
  fileTest(test: FileTest, path: string): Truth;
}

const not = (t: Truth): Truth => (t === 'true' ? 'false' : t === 'false' ? 'true' : 'unknown');
const and = (a: Truth, b: Truth): Truth => (a === 'false' || b === 'false' ? 'false' : a === 'unknown' || b === 'unknown' ? 'unknown' : 'true');
const or = (a: Truth, b: Truth): Truth => (a === 'true' || b === 'true' ? 'true' : a === 'unknown' || b === 'unknown' ? 'unknown' : 'false');
const truth = (b: boolean): Truth => (b ? 'true' : 'false');

const STRING_OPS = new Set(['=', '==', '!=', '<', '<=', '>', '>=']);
const NUMBER_OPS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-plt', '-pgt', '-ple', '-pge', '-peq', '-pne']);
const FILE_TIME_OPS = new Set(['-nt', '-ot']);
const BINARY_OPS = new Set([...STRING_OPS, ...NUMBER_OPS, ...FILE_TIME_OPS]);
const FILE_OPS: Readonly<Record<string, FileTest>> = { '-e': 'exists', '-f': 'file', '-d': 'dir', '-s': 'nonEmpty' };

/** Evaluates `test ARGS` (for `[ ARGS ]` pass the arguments without the closing `]`). */
export function evaluateTest(args: readonly string[], host: TestHost): Truth {
  if (args.length === 0) return 'false';
  let i = 0;
  const atEnd = (): boolean => i >= args.length;

  const expression = (): Truth => {
    let t = conjunction();
    while (!atEnd() && args[i] === '-o') {
      i++;
      t = or(t, conjunction());
    }
    return t;
  };
  const conjunction = (): Truth => {
    let t = negation();
    while (!atEnd() && args[i] === '-a') {
      i++;
      t = and(t, negation());
    }
    return t;
  };
  const negation = (): Truth => {
    if (!atEnd() && args[i] === '!' && i + 1 < args.length) {
      i++;
      return not(negation());
    }
    return primary();
  };
  const primary = (): Truth => {
    if (atEnd()) return 'false';
    const a = args[i]!;
    if (a === '(' && !BINARY_OPS.has(args[i + 1] ?? '')) {
      i++;
      const t = expression();
      if (args[i] === ')') i++;
      return t;
    }
    if (i + 2 < args.length && BINARY_OPS.has(args[i + 1]!)) {
      const op = args[i + 1]!;
      const b = args[i + 2]!;
      i += 3;
      return binary(a, op, b);
    }
    const fileOp = FILE_OPS[a];
    if ((fileOp !== undefined || a === '-n' || a === '-z') && i + 1 < args.length) {
      const operand = args[i + 1]!;
      i += 2;
      if (fileOp !== undefined) return operand.includes(UNKNOWN_VALUE) ? 'unknown' : host.fileTest(fileOp, operand);
      if (operand.includes(UNKNOWN_VALUE)) return 'unknown';
      return truth(a === '-n' ? operand.length > 0 : operand.length === 0);
    }
    i++;
    if (a.includes(UNKNOWN_VALUE)) return 'unknown';
    return truth(a.length > 0);
  };

  const t = expression();
  // Words left over (`[ a b ]`) make GRUB's test false.
  return atEnd() ? t : 'false';
}

function binary(a: string, op: string, b: string): Truth {
  if (a.includes(UNKNOWN_VALUE) || b.includes(UNKNOWN_VALUE) || FILE_TIME_OPS.has(op)) return 'unknown';
  switch (op) {
    case '=':
    case '==':
      return truth(a === b);
    case '!=':
      return truth(a !== b);
    case '<':
      return truth(a < b);
    case '<=':
      return truth(a <= b);
    case '>':
      return truth(a > b);
    case '>=':
      return truth(a >= b);
  }
  // -pXX compares the numbers after a common non-numeric prefix (GRUB's "prefixed" forms).
  const prefixed = op.startsWith('-p');
  const x = prefixed ? trailingNumber(a) : leadingNumber(a);
  const y = prefixed ? trailingNumber(b) : leadingNumber(b);
  switch (op.replace('-p', '-')) {
    case '-eq':
      return truth(x === y);
    case '-ne':
      return truth(x !== y);
    case '-lt':
      return truth(x < y);
    case '-le':
      return truth(x <= y);
    case '-gt':
      return truth(x > y);
    default:
      return truth(x >= y);
  }
}

/** grub_strtol: leading blanks, an optional sign, digits; no digits is 0. */
function leadingNumber(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

function trailingNumber(s: string): number {
  const m = /(\d+)\D*$/.exec(s);
  return m ? Number(m[1]) : 0;
}
