// The one argument parser every command uses: GNU-style `--flag`, `--key value`,
// `--key=value`, repeatable keys, and positionals. Wrong usage is a UsageError, which the
// dispatcher prints as one line and exits 2.

export class UsageError extends Error {}

export interface OptionSpec {
  /** Takes a value (`--config FILE`); otherwise a boolean flag. */
  readonly value?: boolean;
  /** May be given several times; values collect in order. */
  readonly repeat?: boolean;
}

export interface ParsedArgs {
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const opt = spec[name];
    if (!opt) throw new UsageError(`unknown option --${name}`);
    if (!opt.value) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    const list = values.get(name) ?? [];
    if (list.length > 0 && !opt.repeat) throw new UsageError(`--${name} given twice`);
    list.push(value);
    values.set(name, list);
  }
  return { flags, values, positionals };
}

/** The single value of an option, or undefined. */
export function valueOf(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.[0];
}
