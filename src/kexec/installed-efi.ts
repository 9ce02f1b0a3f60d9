// systemd-boot's own choice for `kexec-menu reboot --default`, from the EFI variables the menu
// reads for `default: @saved` (src/machine/efivars.ts, saved-choice.ts; the entry picked by
// src/entries/scan/saved.ts's pickSaved). systemd-boot (boot.c, config_default_entry_select)
// boots, in this order: LoaderEntryOneShot; LoaderEntryDefault (`bootctl set-default`), or
// LoaderEntryLastBooted when that says `@saved`; loader.conf's `default`, where `@saved` means
// LoaderEntryLastBooted; its first entry. It removes LoaderEntryOneShot when it boots and,
// under `@saved`, records the entry it boots in LoaderEntryLastBooted. kexec-menu does the same
// once the kernel is loaded, before the hand-over, so a failed load leaves the one-shot.
import { basename, dirname } from 'node:path';
import type { BootEntry } from '../entries/model';
import { loaderConfFor } from '../entries/bls';
import { parseBlsFileName } from '../entries/bls-entry';
import type { ReadablePartition } from '../fs/files';
import { pickSaved } from '../entries/scan/saved';
import type { EfiStrings } from '../machine/efivars';
import { type SavedChoice, efiChoiceStore } from '../machine/saved-choice';
import { BootError } from './errors';

export interface SystemdBootChoice {
  /** The entry the variables name; undefined: loader.conf's default decides. */
  readonly entry?: BootEntry;
  /** One sentence per variable consulted, for the plan. */
  readonly notes: string[];
  /** What booting `entry` uses up (undefined: nothing), for the plan. */
  readonly consumes?: string;
  /** Does it, after a successful load; throws BootError with the sentence. */
  readonly consume?: (booted: BootEntry) => void;
}

/** systemd-boot's id of an entry: its file name with `.conf`, without the boot counter. */
export function systemdBootId(e: BootEntry): string {
  return (e.source.format === 'bls' ? parseBlsFileName(basename(e.source.file))?.id : undefined) ?? e.id;
}

/**
 * The variables as systemd-boot consults them, over `entries` (its BLS entries);
 * `confSaved`: loader.conf says `default @saved`.
 */
export function systemdBootChoice(entries: readonly BootEntry[], vars: EfiStrings, confSaved: boolean): SystemdBootChoice {
  const store = efiChoiceStore(vars);
  const { values, where } = store.read();
  const oneShot = values.LoaderEntryOneShot;
  const efivarSaved = values.LoaderEntryDefault === '@saved';
  const useSaved = efivarSaved || confSaved;
  // pickSaved's order (one-shot, default, last booted) is systemd-boot's once what it does
  // not consult is left out: LoaderEntryDefault=@saved stands for LoaderEntryLastBooted.
  const consulted: SavedChoice = {
    where,
    values: {
      ...(oneShot !== undefined ? { LoaderEntryOneShot: oneShot } : {}),
      ...(values.LoaderEntryDefault !== undefined && !efivarSaved ? { LoaderEntryDefault: values.LoaderEntryDefault } : {}),
      ...(values.LoaderEntryLastBooted !== undefined && useSaved ? { LoaderEntryLastBooted: values.LoaderEntryLastBooted } : {}),
    },
  };
  const pick = pickSaved(entries, consulted);
  const notes = pick.notes.map((n) => `systemd-boot's choice: ${n}.`);
  if (oneShot === undefined && !useSaved) return { ...(pick.entry ? { entry: pick.entry } : {}), notes };
  const uses = [
    ...(oneShot !== undefined ? [`LoaderEntryOneShot=${oneShot} is removed`] : []),
    ...(useSaved ? ['LoaderEntryLastBooted names the entry booted (default @saved)'] : []),
  ];
  return {
    ...(pick.entry ? { entry: pick.entry } : {}),
    notes,
    consumes: `${uses.join(' and ')} in ${where} once the kernel is loaded, as systemd-boot does when it boots.`,
    consume: (booted) => {
      try {
        if (useSaved) store.booted(systemdBootId(booted));
        else vars.remove('LoaderEntryOneShot');
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new BootError(`systemd-boot's EFI variables in ${where} could not be changed (${why}), so the loaded kernel was not started.`);
      }
    },
  };
}

/** Whether the loader.conf of the BLS entries' $BOOT (the first that has one) says `default @saved`. */
export function loaderConfSaved(entries: readonly BootEntry[], partitions: readonly ReadablePartition[]): boolean {
  for (const e of entries) {
    const part = e.source.format === 'bls' ? partitions.find((p) => p.info.name === e.partition.name) : undefined;
    const { conf } = part ? loaderConfFor(part.files, [dirname(e.source.file)], []) : {};
    if (conf) return conf.defaultPattern?.toLowerCase() === '@saved';
  }
  return false;
}

/** systemdBootChoice over the system's BLS entries (one that cannot boot is passed over with a note), loader.conf read where they are. */
export function systemdBootDefault(entries: readonly BootEntry[], partitions: readonly ReadablePartition[], vars: EfiStrings): SystemdBootChoice {
  const bls = entries.filter((e) => e.source.format === 'bls');
  return systemdBootChoice(bls, vars, loaderConfSaved(bls, partitions));
}
