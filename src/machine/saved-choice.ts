// Where `default: @saved` keeps the last choice: the machine's EFI variables, in systemd-boot's
// convention (efivars.ts) — never on a disk the menu reads for entries. Without EFI variables,
// only the state partition the settings name (src/disks/state-store.ts, the same ChoiceStore);
// with neither, @saved falls back to the automatic default with a note.
import { type EfiStrings, EFIVARFS, SAVED_VARIABLES, type SavedVariable, efiStrings, hasEfiVariables } from './efivars';

/** What the store holds, and where it is (for messages); entries/scan/saved.ts picks the entry. */
export interface SavedChoice {
  readonly values: Partial<Record<SavedVariable, string>>;
  readonly where: string;
  /** Why the store could not be read (a state partition not present, say), for the menu's log. */
  readonly notes?: readonly string[];
}

export interface ChoiceStore {
  read(): SavedChoice;
  /**
   * `id` is about to boot: LoaderEntryLastBooted names it (written only when it changes, as
   * the variables live in flash) and LoaderEntryOneShot, used now, is removed.
   */
  booted(id: string): void;
}

export function efiChoiceStore(vars: EfiStrings): ChoiceStore {
  return {
    read() {
      const values: Partial<Record<SavedVariable, string>> = {};
      for (const name of SAVED_VARIABLES) {
        const v = vars.read(name);
        if (v !== undefined) values[name] = v;
      }
      return { values, where: `EFI variables (${vars.where})` };
    },
    booted(id) {
      if (vars.read('LoaderEntryOneShot') !== undefined) vars.remove('LoaderEntryOneShot');
      if (vars.read('LoaderEntryLastBooted') !== id) vars.write('LoaderEntryLastBooted', id);
    },
  };
}

/** chattr -i through src/sys, loaded only when a variable is changed (it loads koffi); also `reboot --default`'s. */
export function unprotect(path: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sys = require('../sys') as typeof import('../sys');
  sys.setImmutable(path, false);
}

/** This machine's store: its EFI variables, when it has them. */
export function machineChoiceStore(dir: string = EFIVARFS): ChoiceStore | undefined {
  return hasEfiVariables(dir) ? efiChoiceStore(efiStrings(dir, unprotect)) : undefined;
}
