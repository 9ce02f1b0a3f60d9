// The order and the titles systemd-boot (and bootctl) give BLS entries: entries with no boot
// tries left last; entries with a sort-key before those without; among sort-keyed ones by
// sort-key, then machine-id (ascending), then version (newest first); then by id, newest
// first in version order. Titles that collide get the version, then the machine-id, then the
// id appended, as bootctl shows them.
import type { Candidate } from './bls-entry';
import { compareVersions } from './version';

/** systemd's strcmp_ptr: a missing value sorts before any present one. */
function compareOptional(a: string | undefined, b: string | undefined, compare: (x: string, y: string) => number): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compare(a, b);
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** systemd-boot's config_entry_compare (systemd 252), which bootctl's order agrees with. */
export function compareBlsCandidates(a: Candidate, b: Candidate): number {
  const aBad = a.entry.bootCounting?.left === 0;
  const bBad = b.entry.bootCounting?.left === 0;
  if (aBad !== bBad) return aBad ? 1 : -1;
  const aKey = a.entry.sortKey;
  const bKey = b.entry.sortKey;
  if ((aKey === undefined) !== (bKey === undefined)) return aKey === undefined ? 1 : -1;
  if (aKey !== undefined && bKey !== undefined) {
    const r =
      byCodeUnits(aKey, bKey) ||
      compareOptional(a.machineId, b.machineId, byCodeUnits) ||
      -compareOptional(a.entry.version, b.entry.version, compareVersions);
    if (r !== 0) return r;
  }
  const byId = -compareVersions(a.id, b.id);
  if (byId !== 0) return byId;
  // Same id at two counter states: more tries left first, then fewer done (systemd-boot).
  const ac = a.entry.bootCounting;
  const bc = b.entry.bootCounting;
  if (ac && bc) {
    const r = bc.left - ac.left || ac.done - bc.done;
    if (r !== 0) return r;
  }
  return byCodeUnits(a.entry.source.file, b.entry.source.file);
}

/** bootctl's boot_entries_uniquify: disambiguate equal titles by version, machine-id, id. */
export function uniquifyTitles(list: readonly Candidate[]): string[] {
  const shown = list.map((c) => c.entry.title);
  const steps: Array<(c: Candidate) => string | undefined> = [(c) => c.entry.version, (c) => c.machineId, (c) => c.id];
  for (const extra of steps) {
    const counts = new Map<string, number>();
    for (const t of shown) counts.set(t, (counts.get(t) ?? 0) + 1);
    if (shown.every((t) => counts.get(t) === 1)) break;
    const clashing = shown.map((t) => (counts.get(t) ?? 0) > 1);
    list.forEach((c, i) => {
      const value = extra(c);
      if (clashing[i] && value !== undefined) shown[i] = `${shown[i]} (${value})`;
    });
  }
  return shown;
}

