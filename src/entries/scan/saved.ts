// `default: @saved`: the remembered choice, in systemd-boot's variables and its order —
// LoaderEntryOneShot (once, then consumed), else LoaderEntryDefault (`bootctl set-default`),
// else LoaderEntryLastBooted (what the menu booted last). Each value names an entry by its
// kexec-menu id, or a BLS entry by systemd-boot's own id (its file name with `.conf`, without
// the boot counter), so `bootctl set-oneshot fedora.conf` run on the installed system works.
// Pure: src/machine/saved-choice.ts reads and writes the variables.
import { basename } from 'node:path';
import { parseBlsFileName } from '../bls-entry';
import type { BootEntry } from '../model';
import { SAVED_VARIABLES } from '../../machine/efivars';
import type { SavedChoice } from '../../machine/saved-choice';

export const SAVED = '@saved';

export type { SavedChoice } from '../../machine/saved-choice';

/** Whether the saved `value` names entry `e`. */
export function namesEntry(e: BootEntry, value: string): boolean {
  if (e.id === value) return true;
  if (e.source.format !== 'bls') return false;
  return parseBlsFileName(basename(e.source.file))?.id === value;
}

export interface SavedPick {
  readonly entry?: BootEntry;
  /** One sentence per variable consulted: what it named and why it was passed over. */
  readonly notes: string[];
}

/**
 * The first variable (in SAVED_VARIABLES order) naming an entry that can boot by itself. An
 * entry that cannot boot, or needs the password, is passed over with a note, as is a value
 * naming no entry (a disk that is not plugged in).
 */
export function pickSaved(entries: readonly BootEntry[], saved: SavedChoice): SavedPick {
  const notes: string[] = [...(saved.notes ?? [])];
  for (const name of SAVED_VARIABLES) {
    const value = saved.values[name];
    if (value === undefined || value === '') continue;
    const entry = entries.find((e) => namesEntry(e, value));
    if (!entry) notes.push(`${name} in ${saved.where} names '${value}', which is not in the menu`);
    else if (!entry.resolution.ok) notes.push(`${name} in ${saved.where} names '${entry.title}', which cannot boot (${entry.resolution.reason})`);
    else if (entry.needsPassword !== undefined) notes.push(`${name} in ${saved.where} names '${entry.title}', which boots only with the password`);
    else return { entry, notes: [...notes, `${name} in ${saved.where} names '${entry.title}'`] };
  }
  if (notes.length === 0) notes.push(`nothing is remembered in ${saved.where} yet`);
  return { notes };
}
