// The menu's settings (configs/*.yaml): the one definition of their shape. load.ts
// reads and checks them; docs/menus.md describes the file.
import type { Format } from '../entries/model';
import { ALL_FORMATS } from '../entries/model';
import type { TrustedSource } from '../entries/scan/trust';

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

/** `network:` (docs/network.md): DHCP on the image's wired interfaces, and the boot server's entries. */
export interface NetworkSettings {
  /** Ask DHCP for a lease and read the boot server's configs; off by default (boards without network drivers). */
  readonly enabled: boolean;
  /** Interface names (or globs: `enp*`) to bring up; empty: every wired interface with a link. */
  readonly interfaces: readonly string[];
  /** Seconds each interface may take to get a lease; none by then costs a line in the log. */
  readonly timeout: number;
}

/** `state:` (docs/menus.md): where `default: @saved` keeps the last choice on a machine without EFI variables. */
export interface StateSettings {
  /** The file system label of the menu's own state partition: the one partition it mounts read-write. */
  readonly label: string;
}

export interface Settings {
  /** Seconds before the default boots; 0 boots at once, -1 waits forever. */
  readonly timeout: number;
  /** `timeout: from-default`: the default entry's own config decides (`timeout` then serves configs that set none). */
  readonly timeoutFromDefault?: boolean;
  /** Where `timeout` was set: this file and line, or the kernel command line; undefined: built in. */
  readonly timeoutOrigin?: { readonly file: string; readonly line?: number };
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
  /**
   * With a password: the partitions whose configs may name files on other disks without it,
   * and the boot servers whose entries may boot by themselves (entries/scan/trust.ts). Only
   * this file sets it; never a disk or the kernel command line.
   */
  readonly trusted: readonly TrustedSource[];
  /** Never make the real kexec/reboot system calls; print the plan instead. */
  readonly dryRun: boolean;
  /** How the hand-over happens: 'direct' (reboot(2) after unmounting) or 'init'. */
  readonly handoff: 'direct' | 'init';
  readonly console: ConsoleSettings;
  readonly network: NetworkSettings;
  /** The menu's own state partition; undefined: none (the last choice only in EFI variables). */
  readonly state?: StateSettings;
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
  trusted: Object.freeze([]) as readonly TrustedSource[],
  dryRun: false,
  handoff: 'direct',
  console: Object.freeze({ ascii: false }),
  network: Object.freeze({ enabled: false, interfaces: Object.freeze([]) as readonly string[], timeout: 10 }),
});
