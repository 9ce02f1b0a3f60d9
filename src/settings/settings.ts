// The menu's settings (configs/*.yaml): the one definition of their shape. load.ts
// reads and checks them; docs/menus.md describes the file.
import type { Format } from '../entries/model';
import { ALL_FORMATS } from '../entries/model';

export interface ScanRoot {
  /** Folder treated as one mounted partition. */
  readonly path: string;
  /** Identity given to it, so cross-partition references can be tested. */
  readonly name?: string;
  readonly uuid?: string;
  readonly partuuid?: string;
  readonly label?: string;
  readonly partlabel?: string;
}

export interface ConsoleSettings {
  /** Draw with ASCII only (serial consoles and terminals without line-drawing characters). */
  readonly ascii: boolean;
}

export interface Settings {
  /** Seconds before the default boots; 0 boots at once, -1 waits forever. */
  readonly timeout: number;
  /**
   * How the default entry is chosen: 'auto' (the first entry its own config marks default,
   * else the first entry), or a glob matched against entry ids, then titles.
   */
  readonly default: string;
  /** Formats to read, in the order their entries are listed on a partition. */
  readonly formats: readonly Format[];
  /** Sample trees to scan instead of the machine's disks (demo and tests); empty: real disks. */
  readonly roots: readonly ScanRoot[];
  /** Folders of YAML menus that ship with the image (menus/*.yaml). */
  readonly menus: readonly string[];
  /** Whether `e` may edit a command line. */
  readonly editor: boolean;
  /** Whether a rescue shell is offered. */
  readonly shell: boolean;
  /** Salted password hash protecting the editor and the shell; undefined: no password. */
  readonly password?: string;
  /** Never make the real kexec/reboot system calls; print the plan instead. */
  readonly dryRun: boolean;
  /** How the hand-over happens: 'direct' (reboot(2) after unmounting) or 'init'. */
  readonly handoff: 'direct' | 'init';
  readonly console: ConsoleSettings;
  /** The settings file these came from, for messages; undefined: built-in defaults. */
  readonly file?: string;
  /** Where `default` was set when not in `file` (the kernel command line), for messages. */
  readonly defaultOrigin?: string;
}

/** What applies when the settings file says nothing (and when there is no file). */
export const DEFAULT_SETTINGS: Settings = Object.freeze({
  timeout: 10,
  default: 'auto',
  formats: ALL_FORMATS,
  roots: [],
  menus: [],
  editor: true,
  shell: true,
  dryRun: false,
  handoff: 'direct',
  console: Object.freeze({ ascii: false }),
});
