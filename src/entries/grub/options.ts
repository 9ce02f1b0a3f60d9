// Option parsing as GRUB's extended commands do it (grub-core/lib/arg.c): `--name=value`,
// `--name value` (the next word is taken unless it starts with `-`), bundled short flags,
// `--` ending the options, and for commands flagged ACCEPT_DASH (menuentry, search)
// unknown options kept as plain arguments.

export interface OptionSpec {
  readonly long: string;
  readonly short?: string;
  /** `optional` takes a value only with `=` or when the next word does not start with `-`. */
  readonly value: 'none' | 'required' | 'optional';
}

export interface ParsedOptions {
  /** Every value given for each option, in order; flags map to an empty list. */
  readonly given: ReadonlyMap<string, readonly (string | undefined)[]>;
  readonly positional: readonly string[];
  /** GRUB would refuse the command with this message. */
  readonly error?: string;
}

export function parseOptions(args: readonly string[], specs: readonly OptionSpec[], acceptDash: boolean): ParsedOptions {
  const given = new Map<string, (string | undefined)[]>();
  const positional: string[] = [];
  const record = (spec: OptionSpec, value: string | undefined): void => {
    const list = given.get(spec.long) ?? [];
    list.push(value);
    given.set(spec.long, list);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-') || arg.length === 1) {
      positional.push(arg);
      continue;
    }
    if (arg === '--') {
      // A loop, not push(...rest): a command may have hundreds of thousands of words.
      for (let k = i + 1; k < args.length; k++) positional.push(args[k]!);
      break;
    }
    if (!arg.startsWith('--')) {
      const letters = arg.slice(1);
      const specsFor = [...letters].map((l) => specs.find((s) => s.short === l));
      if (specsFor.some((s) => s === undefined)) {
        if (acceptDash) {
          positional.push(arg);
          continue;
        }
        return { given, positional, error: `unknown option \`${arg}\`` };
      }
      for (let k = 0; k < specsFor.length; k++) {
        const spec = specsFor[k]!;
        const last = k === specsFor.length - 1;
        if (!last || spec.value === 'none') {
          if (spec.value === 'required') return { given, positional, error: `option \`-${spec.short}\` needs a value` };
          record(spec, undefined);
          continue;
        }
        const next = args[i + 1];
        if (next !== undefined && (spec.value === 'required' || next.length < 2 || !next.startsWith('-'))) {
          record(spec, next);
          i++;
        } else if (spec.value === 'required') {
          return { given, positional, error: `option \`-${spec.short}\` needs a value` };
        } else {
          record(spec, undefined);
        }
      }
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = specs.find((s) => s.long === name);
    if (!spec) {
      if (acceptDash) {
        positional.push(arg);
        continue;
      }
      return { given, positional, error: `unknown option \`${arg}\`` };
    }
    let value: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    const next = args[i + 1];
    if (value === undefined && spec.value !== 'none' && next !== undefined && !next.startsWith('-')) {
      value = next;
      i++;
    }
    if (value === undefined && spec.value === 'required') return { given, positional, error: `option \`--${name}\` needs a value` };
    record(spec, spec.value === 'none' ? undefined : value);
  }
  return { given, positional };
}

/** The last value given for an option (GRUB keeps the last for non-repeatable options). */
export function lastValue(options: ParsedOptions, long: string): string | undefined {
  const list = options.given.get(long);
  return list === undefined ? undefined : list[list.length - 1];
}
