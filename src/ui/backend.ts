// What the menu's screen logic needs from the rest of kexec-menu, as small interfaces: the
// controller (controller.ts) drives a MenuBackend, and tests drive the controller with a
// fake one. src/cli/menu.ts wires the real scanner, disk discovery and kexec layer.
import type { BootEntry } from '../entries/model';
import type { Menu } from '../entries/scan/scan';

/** Bytes of the kernel and initrds read so far, while a boot reads them. */
export interface BootProgress {
  /** The file being read now (a path inside its partition, for display). */
  readonly file: string;
  readonly done: number;
  readonly total: number;
}

/** What became of a boot that did not fail. */
export type BootOutcome =
  /** --dry-run: nothing was loaded; `text` is the plan. */
  | { readonly kind: 'dry-run'; readonly text: string }
  /** The kernel is loaded and the hand-over started (init does the rest): the menu ends. */
  | { readonly kind: 'started'; readonly text: string };

export interface BootRequest {
  /** The command line edited for this boot only; undefined: the entry's own. */
  readonly cmdline?: string;
  readonly progress: (p: BootProgress) => void;
}

/** The terminal, lent to a program (the rescue shell) and taken back. */
export interface TerminalLoan {
  /** Leaves the full screen and gives the terminal its normal mode back. */
  release(): void;
  /** Takes the terminal again and redraws everything. */
  reclaim(): void;
}

export type PowerAction = 'reboot' | 'power-off';

export interface BackendListener {
  /**
   * The menu changed (hot-plug, rescan, the first round filling in); `note` says what happened,
   * for the status line: without one the controller counts the entries added and removed, and an
   * empty note says nothing (the first round's partitions, read one by one after the first frame).
   */
  menu(menu: Menu, note?: string): void;
  /** A line for the log panel (discovery, mounting, loading). */
  log(line: string): void;
  /** Discovery has finished its first round: the countdown may start. */
  settled(): void;
}

/** Network boot's first round (src/net/provider.ts), which the countdown waits for when its default may come from there. */
export interface NetworkWait {
  /** Whether every interface has had its lease looked up or given up, or the bound (each interface's lease timeout plus the lookup deadline) passed. */
  isSettled(): boolean;
  onSettled(fn: () => void): void;
  /** What is still awaited ("network eth0"), for the status line. */
  pending(): readonly string[];
}

export interface MenuBackend {
  /** The menu as it is now. */
  current(): Menu;
  /** Whether discovery has finished its first round. */
  isSettled(): boolean;
  /** With network boot on: its first round. */
  network?(): NetworkWait | undefined;
  /** Devices discovery is still to look at (names, in order); `menu` is called as it changes. */
  scanning?(): readonly string[];
  subscribe(listener: BackendListener): () => void;
  /** Reads every partition again; the new menu arrives through `menu`. */
  rescan(): Promise<void>;
  /** Boots an entry. Throws an Error whose message is one sentence when it cannot. */
  boot(entry: BootEntry, request: BootRequest): Promise<BootOutcome>;
  /** Reboots or powers off; in a dry run resolves with what it would have done. Throws a sentence. */
  power(action: PowerAction): Promise<string>;
  /** Runs the rescue shell on the terminal; resolves with a sentence for the status line. */
  shell(terminal: TerminalLoan): Promise<string>;
  /**
   * Why an entry whose files are all there still cannot boot here (a kernel for another
   * architecture, a truncated image), or undefined when it can; checked in the background.
   */
  check?(entry: BootEntry): Promise<string | undefined>;
  /**
   * A warning that holds for every boot on this machine, known before any attempt: on an
   * arm64 board without PSCI firmware, kexec fails with "CPUs are stuck in the kernel".
   */
  machineWarning?(): string | undefined;
  /** The device tree an entry would get and why (a folder is chosen from by `compatible`). */
  deviceTree?(entry: BootEntry): string | undefined;
}
