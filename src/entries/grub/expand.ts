// GRUB's word expansion (grub_script_arglist_to_argv): variables and positional parameters
// replaced, unquoted values split on blanks. Only reads the frame, so it stands apart from
// the interpreter's control flow.
import type { Frame } from './command-api';
import type { Word } from './lexer';

/** Expands words into arguments as grub_script_arglist_to_argv does. */
export function expandWords(words: readonly Word[], frame: Frame): string[] {
  const out: string[] = [];
  for (const word of words) {
    if (typeof word === 'string') {
      if (word !== '') out.push(word);
      continue;
    }
    let current: string | undefined;
    const append = (s: string): void => {
      current = (current ?? '') + s;
    };
    const next = (): void => {
      if (current !== undefined) out.push(current);
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
