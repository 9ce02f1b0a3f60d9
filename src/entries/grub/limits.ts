// The GRUB reader's bounds, together: a config from a disk is input from anyone who can plug
// one in, so every way it can make the reader work or hold memory (commands run, menu entries
// made, text held in variables or built by expansion, lines, statements, files) has a limit
// far beyond any real config, and past it a diagnostic naming the file and line. The reader
// then stops or skips what is over the limit, and keeps everything it built before.

export const MAX_INCLUDE_DEPTH = 8;
/** Config files (and grubenv blocks) one partition's GRUB configs may read, all together. */
export const MAX_FILES_READ = 64;
/** Function calls and `eval`s nested in one another (GRUB itself has no limit and runs out of stack). */
export const MAX_CALL_DEPTH = 32;
export const MAX_LOOP_ITERATIONS = 1000;
/** Commands any single menu entry may run (its body plus the functions it calls). */
export const MAX_ENTRY_STEPS = 20_000;
/**
 * Commands one config (with what it includes and its entries) may run, plus one per byte of config read. A real config runs
 * well under 0.1 command per byte; this bounds a loop that never ends to about a second.
 */
export const BASE_STEPS = 1_000_000;
/** Variables copied per step counted when a context or a branch copies the variables (`if`, submenus, entries). */
export const COPIES_PER_STEP = 16;
/** Diagnostics one file may add; past it one line says how many more there were. */
export const MAX_DIAGNOSTICS_PER_FILE = 50;
/**
 * Menu entries and submenus all of one partition's GRUB configs may make: the scanner's own
 * cap per reader (src/entries/scan) is the same, but the interpreter must stop by itself, long
 * before a loop of loops has made 200,000 entries and spent a gigabyte on them.
 */
export const MAX_MENU_ENTRIES = 10_000;
/** The longest value a variable may hold (real ones are a kernel command line at most). */
export const MAX_VALUE_LENGTH = 64 * 1024;
/** All of one context's variables together: names and values, in characters. */
export const MAX_ENVIRONMENT_CHARS = 1024 * 1024;
/** Variables in one context. */
export const MAX_VARIABLES = 4096;
/** The most text one command's words may expand to (`"$a$a$a…"`), in characters. */
export const MAX_EXPANSION = 1024 * 1024;
/** The longest line the lexer reads (systemd's LONG_LINE_MAX for its own configs is the same). */
export const MAX_LINE_LENGTH = 1024 * 1024;
/** Words and commands one top-level statement may hold (a menuentry body, an `if` around a whole menu). */
export const MAX_STATEMENT_WORDS = 100_000;
/** The largest grubenv read: GRUB's own block is 1024 bytes; this is generous. */
export const MAX_GRUBENV_BYTES = 64 * 1024;
/** The longest menu title kept (as for BLS titles). */
export const MAX_TITLE_LENGTH = 1024;

/** Thrown when a budget runs out; caught where the budget was set. */
export class BudgetExhausted extends Error {
  constructor(readonly scope: 'config' | 'entry' | 'items') {
    super(`${scope === 'items' ? 'menu entry' : 'step'} budget of the ${scope === 'entry' ? 'entry' : 'config'} exhausted`);
  }
}

/** What all of one partition's GRUB configs share: the files read and the menu entries made. */
export interface PartitionCounts {
  filesRead: number;
  menuEntries: number;
}

/**
 * The step budget of one config: commands run (and work counted as commands) against a limit
 * that grows with the config text read; a menu entry's body has an allowance of its own.
 */
export class StepBudget {
  private steps = 0;
  private limit = BASE_STEPS;
  private entryLimit = Infinity;
  private spent = false;
  /** The menu entry cap was reached while the config ran: nothing more of it runs. */
  private runStopped = false;
  private listing = false;

  /** Set once the config's budget ran out (or the run failed): nothing more is run. */
  get exhausted(): boolean {
    return this.spent;
  }

  get stepLimit(): number {
    return this.limit;
  }

  /** Counts `n` steps; throws BudgetExhausted when a budget runs out. */
  tick(n = 1): void {
    this.steps += n;
    if (this.runStopped) throw new BudgetExhausted('items');
    if (this.spent || this.steps > this.limit) {
      this.spent = true;
      throw new BudgetExhausted('config');
    }
    if (this.steps > this.entryLimit) throw new BudgetExhausted('entry');
  }

  /** A config file was read: one more step per character of it. */
  grow(chars: number): void {
    this.limit += chars;
  }

  spend(): void {
    this.spent = true;
  }

  /** Stops running the config (not the listing of what it made). */
  stopRun(): void {
    if (!this.listing) this.runStopped = true;
  }

  /** Listing the entries gets its own allowance: a config that ran out still lists what it made. */
  startListing(): void {
    this.spent = false;
    this.runStopped = false;
    this.listing = true;
    this.limit = this.steps + BASE_STEPS;
  }

  /** Runs `body` (one entry's) under MAX_ENTRY_STEPS. */
  forEntry<T>(body: () => T): T {
    this.entryLimit = this.steps + MAX_ENTRY_STEPS;
    try {
      return body();
    } finally {
      this.entryLimit = Infinity;
    }
  }
}
