// Which entry boots when the timeout runs out. The settings' `default` is 'auto' or a glob;
// a rule that matches nothing bootable falls back to 'auto' with a warning, so a stale rule
// never leaves a machine without a default.
import type { BootEntry } from '../model';
import type { Diagnostic } from '../../fs/diagnostic';
// The settings' globs (`*`, `?`, case ignored) through the program's one matcher: linear, so a
// huge title from a disk cannot stall the menu the way a backtracking RegExp did.
import { compileGlob } from '../bls-glob';
import { SAVED, type SavedChoice, pickSaved } from './saved';

export interface DefaultChoice {
  readonly id?: string;
  readonly diagnostics: Diagnostic[];
}

/**
 * The ids of `bootable` (entries known to boot) in the order a timeout tries them: `first`
 * (the menu's default, when it is among them), then those the settings' `rule` names by id
 * or title, then those their own config marks default, then the rest, in list order, each
 * once; never an entry that needs the password (trust.ts): it boots only when a person
 * chose it and gave the password. The menu (src/ui) falls back along it when the default fails to boot; its head with
 * rule 'auto' is the automatic default.
 */
export function bootOrder(bootable: readonly BootEntry[], rule: string, first?: string): string[] {
  // A set, not out.includes(): the menu asks on every status line, and with 1,000 entries
  // a list search made each call quadratic (seconds before the first frame; bench/).
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (e: BootEntry): void => {
    if (seen.has(e.id) || e.needsPassword !== undefined) return;
    seen.add(e.id);
    out.push(e.id);
  };
  const head = first === undefined ? undefined : bootable.find((e) => e.id === first);
  if (head) add(head);
  if (rule !== 'auto') {
    const re = compileGlob(rule, 'simple');
    bootable.filter((e) => re.test(e.id) || re.test(e.title)).forEach(add);
  }
  bootable.filter((e) => e.isDefault).forEach(add);
  bootable.forEach(add);
  return out;
}

/**
 * The first entry its own config marks default, else the first that can boot. A marked
 * entry that cannot boot is passed over: booting it would only fail after the timeout.
 */
function autoDefault(entries: readonly BootEntry[]): string | undefined {
  return bootOrder(entries.filter((e) => e.resolution.ok), 'auto')[0];
}

/** The warning for a rule that names no entry (src/net/merge.ts drops it once a boot server's entry matches). */
export function noMatchMessage(rule: string): string {
  return `default '${rule}' matches no entry's id or title; using the automatic default`;
}

/**
 * `rule` is the settings' default; `origin` names where it came from (the settings file, or
 * the kernel command line) for the warning.
 */
export function chooseDefault(entries: readonly BootEntry[], rule: string, origin: string, saved?: SavedChoice): DefaultChoice {
  if (rule === 'auto') return { id: autoDefault(entries), diagnostics: [] };
  if (rule.toLowerCase() === SAVED) {
    // The remembered choice (saved.ts), else the automatic default; the notes say which.
    const pick = saved ? pickSaved(entries, saved) : { notes: ['no store of the last choice on this machine (no EFI variables, and no state partition named by the settings)'] };
    const id = pick.entry?.id ?? autoDefault(entries);
    const tail = pick.entry ? '' : '; using the automatic default';
    return { id, diagnostics: pick.notes.map((n, i) => ({ severity: 'info' as const, file: origin, message: `default @saved: ${n}${i === pick.notes.length - 1 ? tail : ''}` })) };
  }
  const re = compileGlob(rule, 'simple');
  const match = entries.find((e) => re.test(e.id)) ?? entries.find((e) => re.test(e.title));
  const fallback = autoDefault(entries);
  if (!match) {
    return {
      id: fallback,
      diagnostics: [{ severity: 'warning', file: origin, message: noMatchMessage(rule) }],
    };
  }
  if (!match.resolution.ok) {
    return {
      id: fallback,
      diagnostics: [
        { severity: 'warning', file: origin, message: `default '${rule}' picks '${match.title}', which cannot boot (${match.resolution.reason}); using the automatic default` },
      ],
    };
  }
  if (match.needsPassword !== undefined) {
    return {
      id: fallback,
      diagnostics: [{ severity: 'warning', file: origin, message: `default '${rule}' picks '${match.title}', which boots only with the password (${match.needsPassword}); using the automatic default` }],
    };
  }
  return { id: match.id, diagnostics: [] };
}
