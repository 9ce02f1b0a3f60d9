// GRUB's script commands: variables (set, export, setparams…) and control flow (return,
// break, test, eval). They change only the variables and the interpreter's flow, which they
// ask for through the CommandContext; none reads a file or adds to the menu.
import { warn, type Command, type NamedCommands, type CommandCall, type Status } from './command-api';
import { Parser } from './parser';

// ---- variables ---------------------------------------------------------------------------

const set: Command = (c) => {
  const arg = c.args[0];
  if (arg === undefined) return 0;
  const eq = arg.indexOf('=');
  if (eq < 0) return 0; // `set name` prints the value.
  const name = arg.slice(0, eq);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    warn(c, `\`${name.slice(0, 40)}\` is not a variable name GRUB can set`);
    return 1;
  }
  c.frame.env.set(name, arg.slice(eq + 1), c.line);
  return 0;
};

const unset: Command = (c) => {
  for (const name of c.args) c.frame.env.unset(name);
  return 0;
};

const exportVariables: Command = (c) => {
  for (const name of c.args) c.frame.env.export(name);
  return 0;
};

/** `setparams` replaces the positional parameters of the running function or entry. */
const setparams: Command = (c) => {
  if (!c.frame.scope) return 1;
  c.frame.scope.args = [...c.args];
  return 0;
};

const shift: Command = (c) => {
  const scope = c.frame.scope;
  if (!scope) return 0;
  const n = c.args[0] === undefined ? 1 : Number(c.args[0]);
  if (!Number.isInteger(n) || n < 0 || n > scope.args.length) return 1;
  scope.args = scope.args.slice(n);
  return 0;
};

const increment: Command = (c) => stepVariable(c, +1);
const decrement: Command = (c) => stepVariable(c, -1);

/** Fedora's boot counting commands: `increment VAR` / `decrement VAR`. */
function stepVariable(c: CommandCall, by: number): Status {
  const name = c.args[0];
  if (name === undefined) return 1;
  const value = Number(c.frame.env.get(name) ?? '');
  if (!Number.isInteger(value)) return 1;
  c.frame.env.set(name, String(value + by));
  return 0;
}

// ---- flow --------------------------------------------------------------------------------

const returnCommand: Command = (c) => {
  c.context.requestReturn();
  const n = c.args[0] === undefined ? 0 : Number(c.args[0]);
  return Number.isInteger(n) ? n : 1;
};

const breakCommand = (isContinue: boolean): Command => (c) => {
  const n = c.args[0] === undefined ? 1 : Number(c.args[0]);
  if (!Number.isInteger(n) || n <= 0) return 1;
  c.context.requestBreak(n, isContinue);
  return 0;
};

const testCommand: Command = (c) => {
  let args = c.args;
  if (c.name === '[') {
    if (args[args.length - 1] !== ']') {
      warn(c, '`[` without a closing `]`; GRUB treats the test as false');
      return 1;
    }
    args = args.slice(0, -1);
  }
  const t = c.context.test(args, c.frame);
  return t === 'true' ? 0 : t === 'false' ? 1 : 'unknown';
};

/** `eval WORDS`: runs the words, joined by spaces, as a script, one call level deeper (an eval that evals itself stops). */
const evalCommand: Command = (c) => {
  const text = c.args.join(' ');
  c.context.chargeParse(text);
  const parser = new Parser(text, c.line);
  const statements = parser.parseAll();
  for (const p of parser.problems) warn(c, `in eval: ${p.message}`);
  return c.context.runNested(statements, c.frame, c.line);
};

export const SCRIPT_COMMANDS: NamedCommands = [
  ['set', set],
  ['unset', unset],
  ['export', exportVariables],
  ['setparams', setparams],
  ['shift', shift],
  ['increment', increment],
  ['decrement', decrement],
  ['return', returnCommand],
  ['break', breakCommand(false)],
  ['continue', breakCommand(true)],
  ['true', () => 0],
  ['false', () => 1],
  ['test', testCommand],
  ['[', testCommand],
  ['eval', evalCommand],
];
