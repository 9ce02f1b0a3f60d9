// What running a config builds: GRUB's menu (entries and submenus, each with the body GRUB
// runs when it is chosen), and how GRUB picks the default (grub-core/normal/menu.c).
import type { Environment } from './environment';
import type { Statement } from './parser';

export interface MenuItem {
  readonly kind: 'entry' | 'submenu';
  readonly title: string;
  /** GRUB's menu id: `--id`, else the title. `default` and `saved_entry` match it. */
  readonly id: string;
  readonly explicitId: boolean;
  /** The positional parameters the body sees: `$1` is the title, then the other words. */
  readonly args: readonly string[];
  readonly body: readonly Statement[];
  /** openSUSE's `hiddenentry`: in GRUB's list (it counts for indices) but never shown. */
  readonly hidden: boolean;
  /** `--unrestricted` given, or `--users` (GRUB asks for a password when superusers is set). */
  readonly restriction: 'unrestricted' | 'superusers' | { readonly users: string };
  /** Remarks the entry carries (conditions GRUB checks at boot that cannot be checked here). */
  readonly notes: readonly string[];
  /** Set for entries `blscfg` made: the BLS file they came from and its version. */
  readonly bls?: { readonly version?: string };
  readonly file: string;
  readonly line: number;
}

/** A menu once its config has run: the items and the variables as they were at the end. */
export interface Menu {
  readonly items: readonly MenuItem[];
  readonly env: Environment;
  /** `configfile` at menu level: GRUB shows that file's menu at once, this one after Esc. */
  readonly nested: readonly Menu[];
}

/**
 * GRUB's menuentry_eq: does `spec` (up to an unescaped `>`) name `id`? In `spec`, `>>` stands
 * for a literal `>`.
 */
export function menuEntryMatches(id: string, spec: string): boolean {
  let i = 0;
  let j = 0;
  for (;;) {
    if (spec[j] === '>' && spec[j + 1] !== '>') return i === id.length;
    if (spec[j] === '>') j++;
    if (id[i] !== spec[j]) return false;
    if (i === id.length) return true;
    i++;
    j++;
  }
}

/** What follows the first unescaped `>` of a `default` value: the default inside a submenu. */
export function submenuDefault(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '>' && value[i + 1] === '>') {
      i++;
      continue;
    }
    if (value[i] === '>') return i + 1 < value.length ? value.slice(i + 1) : undefined;
  }
  return undefined;
}

/**
 * grub_strtoul with base 0 on the start of `s`: leading blanks, then `0x` hex, `0` octal or
 * decimal digits. Returns the number and where the digits ended, or undefined without digits.
 */
export function grubStrtoul(s: string): { value: number; end: number } | undefined {
  let i = 0;
  while (i < s.length && /\s/.test(s[i]!)) i++;
  let base = 10;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    base = 16;
    i += 2;
  } else if (s[i] === '0' && /[0-7]/.test(s[i + 1] ?? '')) {
    base = 8;
  }
  const digits = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
  const start = i;
  while (i < s.length && digits.test(s[i]!)) i++;
  if (i === start) return undefined;
  return { value: parseInt(s.slice(start, i), base), end: i };
}

/**
 * The index GRUB boots from `default` (run_menu → get_entry_number), 0 when the value is
 * missing, names nothing, or is out of range, as GRUB falls back to the first entry.
 *
 * Upstream GRUB tries a number first, then titles and ids; Fedora's GRUB tries ids, titles,
 * then a whole number (its saved_entry is a BLS id that may start with digits, like
 * "4b0d…-6.5.6-300.fc39.x86_64"). A value that is entirely a number, or a number followed by
 * a `>` path, is an index under both; any other value is matched against ids and titles
 * first, so Fedora's ids and upstream's titles both work.
 */
export function defaultIndex(items: readonly MenuItem[], value: string | undefined): number {
  if (value === undefined || items.length === 0) return 0;
  const n = grubStrtoul(value);
  const rest = n === undefined ? '' : value.slice(n.end);
  const index = (k: number): number => (k >= 0 && k < items.length ? k : 0);
  if (n !== undefined && (rest.trim() === '' || (rest.startsWith('>') && !rest.startsWith('>>')))) return index(n.value);
  const byName = items.findIndex((e) => menuEntryMatches(e.title, value) || menuEntryMatches(e.id, value));
  return index(byName);
}
