// GRUB's word expansion (grub_script_arglist_to_argv): variables and positional parameters
// replaced, unquoted values split on blanks. Only reads the frame, so it stands apart from
// the interpreter's control flow.
import type { Frame } from './command-api';
import type { Word } from './lexer';
import { MAX_EXPANSION } from './limits';

/** Thrown inside expandWords when the words grow past MAX_EXPANSION; not an Error (no stack trace wanted). */
class TooLong {}

/**
 * Expands words into arguments as grub_script_arglist_to_argv does; undefined when they
 * would make more than MAX_EXPANSION characters (`"$a$a$a…"` of a long value).
 */
export function expandWords(words: readonly Word[], frame: Frame): string[] | undefined {
  try {
    return expand(words, frame);
  } catch (e) {
    if (e instanceof TooLong) return undefined;
    throw e;
  }
}

function expand(words: readonly Word[], frame: Frame): string[] {
  const out: string[] = [];
  let total = 0;
  const count = (n: number): void => {
    total += n;
    if (total > MAX_EXPANSION) throw new TooLong();
  };
  for (const word of words) {
    if (typeof word === 'string') {
      count(word.length + 1);
      if (word !== '') out.push(word);
      continue;
    }
    let current: string | undefined;
    const append = (s: string): void => {
      count(s.length);
      current = (current ?? '') + s;
    };
    const next = (): void => {
      if (current !== undefined) {
        count(1); // each argument counts, so that empty ones cannot pile up unbounded
        out.push(current);
      }
      current = undefined;
    };
    for (const part of word) {
      switch (part.kind) {
        case 'text':
          if (part.text !== '') append(part.text);
          break;
        case 'quoted':
          append(part.text);
          break;
        case 'quotedVar': {
          const values = variable(part.name, frame);
          if (part.name === '*') {
            if (values.length > 0) append(values.join(' '));
            break;
          }
          values.forEach((v, k) => {
            if (k > 0) {
              next();
              current = '';
            }
            if (v !== '') append(v);
          });
          break;
        }
        case 'var': {
          // Unquoted: every value is split on blanks; the pieces after the first start new arguments.
          const values = variable(part.name, frame);
          values.forEach((v, k) => {
            if (k > 0 && current !== undefined) next();
            const pieces = v.split(/[ \t\n\r\f\v]+/).filter((p) => p !== '');
            pieces.forEach((piece, n) => {
              if (n > 0) next();
              append(piece);
            });
          });
          break;
        }
      }
    }
    next();
  }
  return out;
}

/** A variable's value(s): one for names, several for `$@`/`$*`, none when unset or empty. */
function variable(name: string, frame: Frame): string[] {
  const first = name[0]!;
  if (first >= '0' && first <= '9') {
    const n = Number(name);
    const v = n > 0 ? frame.scope?.args[n - 1] : undefined;
    return v ? [v] : [];
  }
  if (name === '#') return [String(frame.scope?.args.length ?? 0)];
  if (name === '@' || name === '*') return frame.scope ? [...frame.scope.args] : [];
  const v = frame.env.get(name);
  return v ? [v] : [];
}
