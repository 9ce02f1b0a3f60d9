// A small interpreter for GRUB's script (grub-core/script/execute.c): commands, functions
// with positional parameters, if/for/while, `$?`. Running a config builds GRUB's menu;
// running an entry's body records what its loader commands load. The commands themselves
// come from the table its maker gives it (registry.ts), and see it only as a CommandContext.
// Nothing here writes anything: `save_env` and friends are no-ops.
import type { Diagnostic, Severity } from '../../fs/diagnostic';
import type { MachineContext } from '../../machine/context';
import type { PartitionFiles } from '../../fs/files';
import { DiagnosticCap } from '../diagnostic-cap';
import { emptyBootRecord, type BootRecord } from './boot-record';
import type { CommandContext, CommandTable, ConfigText, Frame, Status } from './command-api';
import { UNKNOWN_VALUE, evaluateTest, type Truth } from './conditions';
import type { DeviceTable } from './devices';
import { setConfigVariables, type Environment } from './environment';
import { expandWords } from './expand';
import type { Word } from './lexer';
import {
  BudgetExhausted, COPIES_PER_STEP, MAX_CALL_DEPTH, MAX_DIAGNOSTICS_PER_FILE, MAX_EXPANSION, MAX_FILES_READ, MAX_INCLUDE_DEPTH,
  MAX_LOOP_ITERATIONS, MAX_MENU_ENTRIES, StepBudget, type PartitionCounts,
} from './limits';
import type { Menu, MenuItem } from './menu';
import { Parser, type Block, type FunctionDefinition, type IfStatement, type Statement } from './parser';

/**
 * Functions distributions define in grub.cfg's header (load_video, gfxmode, savedefault,
 * recordfail…). A custom entry may call them without the header; GRUB would only print an
 * error, so calling them undefined is not worth a warning.
 */
const DISTRO_FUNCTIONS: ReadonlySet<string> = new Set(['load_video', 'gfxmode', 'savedefault', 'recordfail', 'initrdfail', 'ucode', 'load_ucode']);

interface FunctionInfo {
  readonly definition: FunctionDefinition;
  readonly file: string;
}

const truthOf = (s: Status): Truth => (s === 0 ? 'true' : s === 'unknown' ? 'unknown' : 'false');

export class Interpreter implements CommandContext {
  readonly diagnostics: Diagnostic[] = [];
  private readonly seenDiagnostics = new Set<string>();
  private readonly cappedDiagnostics = new DiagnosticCap(MAX_DIAGNOSTICS_PER_FILE, this.diagnostics);
  private readonly functions = new Map<string, FunctionInfo>();

  private readonly budget = new StepBudget();
  private exhaustedReported = false;
  private entriesCapReported = false;
  /** The file and line of the command running now (for the messages of budgets and failures). */
  readonly where = { file: '/', line: 1 };
  private includeChain: string[] = [];

  // GRUB's control-flow state (execute.c: active_loops, active_breaks, is_continue, function_return).
  private loops = 0;
  private breaks = 0;
  private isContinue = false;
  private returning = false;
  private callDepth = 0;

  constructor(
    /** The commands it runs, by name. */
    private readonly commands: CommandTable,
    readonly files: PartitionFiles,
    readonly devices: DeviceTable,
    readonly machine: MachineContext,
    /** The partition's name, for the entries' sources. */
    readonly partition: string,
    /** Real paths of configs already listed as menus of their own; `configfile` to them adds nothing. */
    readonly listedConfigs: Set<string>,
    /** Shared by all the interpreters of one partition's configs. */
    private readonly counts: PartitionCounts = { filesRead: 0, menuEntries: 0 },
  ) {}

  /** Set once the config's step budget ran out: nothing more is run. */
  get exhausted(): boolean {
    return this.budget.exhausted;
  }

  report(file: string, line: number, severity: Severity, message: string): void {
    if (this.cappedDiagnostics.isFull(file)) return;
    const key = `${severity}\u0000${file}\u0000${line}\u0000${message}`;
    if (this.seenDiagnostics.has(key)) return;
    this.seenDiagnostics.add(key);
    this.cappedDiagnostics.add({ severity, file, line, message });
  }

  // ---- files ----------------------------------------------------------------------------

  /**
   * Reads a config file of this partition for `source`/`configfile`, guarding include loops,
   * depth and the number of files. Returns undefined (after reporting why) when it must not
   * be read.
   */
  readConfig(path: string, from: { file: string; line: number }): ConfigText | undefined {
    const realPath = this.files.realPath(path);
    const text = realPath === undefined ? undefined : this.files.readText(realPath);
    if (realPath === undefined || text === undefined) return undefined;
    if (this.includeChain.includes(realPath)) {
      this.report(from.file, from.line, 'warning', `${path} includes itself (through ${this.includeChain.join(' → ')}); GRUB would loop until it runs out of memory, so it is read once`);
      return undefined;
    }
    if (this.includeChain.length >= MAX_INCLUDE_DEPTH) {
      this.report(from.file, from.line, 'warning', `${path} is nested more than ${MAX_INCLUDE_DEPTH} files deep and is not read`);
      return undefined;
    }
    if (this.counts.filesRead >= MAX_FILES_READ) {
      this.report(from.file, from.line, 'warning', `more than ${MAX_FILES_READ} config files are read from this partition; ${path} is skipped`);
      return undefined;
    }
    this.counts.filesRead++;
    this.budget.grow(text.length);
    return { text, realPath };
  }

  /** Runs a file's statements one by one in `frame` (GRUB parses and runs a statement at a time). */
  runText(text: string, realPath: string, frame: Frame): Status {
    this.includeChain.push(realPath);
    const parser = new Parser(text);
    let status: Status = 0;
    try {
      for (;;) {
        const statement = parser.nextStatement();
        for (const p of parser.problems.splice(0)) this.report(frame.file, p.line, 'warning', p.message);
        if (!statement) break;
        status = this.statement(statement, frame);
        if (this.returning) break;
      }
    } finally {
      this.includeChain.pop();
    }
    return status;
  }

  /** Runs a config file as a menu of its own (the top of a partition, `configfile`, a submenu's file). */
  runMenuFile(path: string, realPath: string, text: string, env: Environment): Menu {
    const items: MenuItem[] = [];
    const nested: Menu[] = [];
    const frame: Frame = { env, scope: undefined, file: path, mode: { kind: 'menu', items, nested }, notes: [] };
    setConfigVariables(env, this.devices.selfName, path);
    this.listedConfigs.add(realPath);
    try {
      this.runText(text, realPath, frame);
    } catch (e) {
      this.stopped(e);
    }
    this.resetFlow();
    return { items, env, nested };
  }

  /**
   * After a budget ran out, or the engine refused (a stack or string too large, which the limits
   * should prevent): reported once on the line running; the run stops, what it built stays.
   */
  stopped(e: unknown): void {
    if (e instanceof BudgetExhausted) {
      if (e.scope === 'config') this.reportExhausted();
      return;
    }
    if (!(e instanceof RangeError)) throw e;
    this.report(this.where.file, this.where.line, 'error', `GRUB script here needs more than kexec-menu allows (${e.message}); the menu is what was built until then`);
    this.exhaustedReported = true;
    this.budget.spend();
  }

  /** Reports, once, that the config's step budget ran out (on the line running then). */
  reportExhausted(): void {
    if (this.exhaustedReported) return;
    this.exhaustedReported = true;
    this.report(this.where.file, this.where.line, 'error', `stopped after ${this.budget.stepLimit} GRUB commands (a loop that does not end?); the menu is what was built until then`);
  }

  /** Adds a menu entry or submenu, up to MAX_MENU_ENTRIES for the partition; past it the run stops. */
  addMenuItem(items: MenuItem[], item: MenuItem): void {
    if (this.counts.menuEntries >= MAX_MENU_ENTRIES) {
      if (!this.entriesCapReported) {
        this.report(item.file, item.line, 'error', `more than ${MAX_MENU_ENTRIES} menu entries, which no real menu has; the first ${MAX_MENU_ENTRIES} are listed, the rest of the config is not run`);
      }
      this.entriesCapReported = true;
      this.budget.stopRun();
      throw new BudgetExhausted('items');
    }
    this.counts.menuEntries++;
    items.push(item);
  }

  isOpen = (realPath: string): boolean => this.includeChain.includes(realPath);

  /** A copy of the variables (a new context, or a clone for an entry or a branch), counted against the budget. */
  copyEnvironment(env: Environment, kind: 'context' | 'clone'): Environment {
    this.budget.tick(Math.ceil(env.size / COPIES_PER_STEP));
    return kind === 'context' ? env.newContext() : env.clone();
  }

  /** Counts the parsing of `text` (eval, --source) against the budget: one step per character. */
  chargeParse(text: string): void {
    this.budget.tick(text.length);
  }

  /** Runs statements one call level deeper (`eval`), under the same limit as function calls. */
  runNested(list: readonly Statement[], frame: Frame, line: number): Status {
    if (this.callDepth >= MAX_CALL_DEPTH) {
      this.report(frame.file, line, 'warning', `\`eval\` nested more than ${MAX_CALL_DEPTH} deep (an eval that runs itself?) is stopped`);
      return 1;
    }
    this.callDepth++;
    try {
      return this.runStatements(list, frame);
    } finally {
      this.callDepth--;
    }
  }

  /**
   * Running the entries' bodies gets its own allowance: a config whose top level ran out
   * of steps still lists the entries it defined before.
   */
  startListing(): void {
    this.budget.startListing();
  }

  /** Runs a submenu's body in a new context, as GRUB does when the submenu is entered. */
  runSubmenu(item: MenuItem, env: Environment): Menu {
    const items: MenuItem[] = [];
    const nested: Menu[] = [];
    const frame: Frame = { env, scope: { args: item.args }, file: item.file, mode: { kind: 'menu', items, nested }, notes: item.notes };
    this.runStatements(item.body, frame);
    this.resetFlow();
    return { items, env, nested };
  }

  /** Runs an entry's body, as GRUB does when it is chosen, and returns what it loaded. */
  runEntry(item: MenuItem, env: Environment): BootRecord {
    const boot = emptyBootRecord();
    const frame: Frame = { env, scope: { args: item.args }, file: item.file, mode: { kind: 'entry', boot }, notes: item.notes };
    try {
      this.budget.forEntry(() => this.runStatements(item.body, frame));
    } finally {
      this.resetFlow();
    }
    return boot;
  }

  private resetFlow(): void {
    this.returning = false;
    this.breaks = 0;
    this.loops = 0;
    this.callDepth = 0;
  }

  // ---- statements -----------------------------------------------------------------------

  runStatements(list: readonly Statement[], frame: Frame): Status {
    let status: Status = 0;
    for (const s of list) {
      if (this.breaks > 0 || this.returning) break;
      status = this.statement(s, frame);
    }
    return status;
  }

  private statement(s: Statement, frame: Frame): Status {
    switch (s.kind) {
      case 'command':
        return this.command(s.words, s.block, s.line, frame);
      case 'if':
        return this.ifStatement(s, frame);
      case 'for':
        return this.forStatement(s.variable, s.words, s.body, s.line, frame);
      case 'while':
        return this.whileStatement(s.until, s.condition, s.body, s.line, frame);
      case 'function':
        this.functions.set(s.name, { definition: s, file: frame.file });
        return 0;
    }
  }

  private command(words: readonly Word[], block: Block | undefined, line: number, frame: Frame): Status {
    this.where.file = frame.file;
    this.where.line = line;
    this.budget.tick();
    let argv = this.expand(words, line, frame);
    if (argv === undefined) return 1;
    let invert = false;
    if (argv[0] === '!') {
      invert = true;
      argv = argv.slice(1);
    }
    let status: Status;
    if (argv.length === 0) {
      status = invert ? 1 : 0;
    } else {
      status = this.dispatch(argv[0]!, argv.slice(1), block, line, frame);
      if (invert) status = status === 'unknown' ? 'unknown' : status === 0 ? 1 : 0;
    }
    frame.env.set('?', status === 'unknown' ? UNKNOWN_VALUE : String(status));
    this.reportRefusal(frame, line);
    return status;
  }

  /** The words expanded; undefined (reported) when they would be longer than MAX_EXPANSION. */
  private expand(words: readonly Word[], line: number, frame: Frame): string[] | undefined {
    const argv = expandWords(words, frame);
    if (argv === undefined) this.report(frame.file, line, 'warning', `these words expand to more than ${MAX_EXPANSION} characters, which no GRUB config needs; the command is not run`);
    return argv;
  }

  /** A variable a limit refused to set (environment.ts), on the line that set it. */
  private reportRefusal(frame: Frame, line: number): void {
    const refused = frame.env.takeRefusal();
    if (refused !== undefined) this.report(frame.file, line, 'warning', refused);
  }

  private dispatch(name: string, args: string[], block: Block | undefined, line: number, frame: Frame): Status {
    // GRUB looks for a command first, then a function, then tries `name=value`.
    const command = this.commands.get(name);
    if (command) return command({ context: this, frame, name, args, block, line });
    const fn = this.functions.get(name);
    if (fn) return this.call(fn, args, line, frame);
    if (DISTRO_FUNCTIONS.has(name)) return 0;
    const eq = name.indexOf('=');
    if (eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name.slice(0, eq))) {
      frame.env.set(name.slice(0, eq), name.slice(eq + 1), line);
      return 0;
    }
    this.report(frame.file, line, 'warning', `\`${name.slice(0, 60)}\` is not a GRUB command kexec-menu knows; it is ignored`);
    return 'unknown';
  }

  private call(fn: FunctionInfo, args: string[], line: number, frame: Frame): Status {
    if (this.callDepth >= MAX_CALL_DEPTH) {
      this.report(frame.file, line, 'warning', `function calls nested more than ${MAX_CALL_DEPTH} deep (\`${fn.definition.name}\` calling itself?) are stopped`);
      return 1;
    }
    const loops = this.loops;
    this.loops = 0;
    this.callDepth++;
    try {
      return this.runStatements(fn.definition.body, { ...frame, scope: { args }, file: fn.file });
    } finally {
      this.callDepth--;
      this.returning = false;
      this.loops = loops;
    }
  }

  private ifStatement(s: IfStatement, frame: Frame): Status {
    for (let b = 0; b < s.branches.length; b++) {
      const branch = s.branches[b]!;
      const condition = this.runStatements(branch.condition, frame);
      if (this.returning) return condition;
      const t = truthOf(condition);
      if (t === 'true') return this.runStatements(branch.body, frame);
      if (t === 'unknown') {
        const note = `GRUB lists this only depending on a condition it checks at boot (line ${branch.line} of ${frame.file}), which cannot be checked from here`;
        if (frame.mode.kind === 'entry') {
          frame.mode.boot.notes.push(`loads this depending on a condition GRUB checks at boot (line ${branch.line} of ${frame.file})`);
          return this.runStatements(branch.body, frame);
        }
        // Keep what every possible branch adds to the menu: this one for real, the
        // others in a copy of the variables so their settings do not leak.
        const before = this.copyEnvironment(frame.env, 'clone');
        const taken = this.runStatements(branch.body, { ...frame, notes: [...frame.notes, note] });
        this.shadowBranches(s, b + 1, { ...frame, env: before, notes: [...frame.notes, note] });
        return taken;
      }
    }
    return s.otherwise ? this.runStatements(s.otherwise, frame) : 0;
  }

  /** Runs the branches after an undecidable one for the menu items they add only. */
  private shadowBranches(s: IfStatement, from: number, frame: Frame): void {
    const saved = { breaks: this.breaks, returning: this.returning };
    for (let b = from; b < s.branches.length; b++) {
      const branch = s.branches[b]!;
      const shadow = { ...frame, env: this.copyEnvironment(frame.env, 'clone') };
      const t = truthOf(this.runStatements(branch.condition, shadow));
      if (t === 'false') continue;
      this.runStatements(branch.body, shadow);
      if (t === 'true') return this.restore(saved);
    }
    if (s.otherwise) this.runStatements(s.otherwise, { ...frame, env: this.copyEnvironment(frame.env, 'clone') });
    this.restore(saved);
  }

  private restore(saved: { breaks: number; returning: boolean }): void {
    this.breaks = saved.breaks;
    this.returning = saved.returning;
  }

  private forStatement(variable: string, words: readonly Word[], body: readonly Statement[], line: number, frame: Frame): Status {
    const values = this.expand(words, line, frame);
    if (values === undefined) return 1;
    this.loops++;
    let status: Status = 0;
    for (const value of values) {
      if (this.isContinue && this.breaks === 1) this.breaks = 0;
      if (this.breaks > 0) continue;
      frame.env.set(variable, value, line);
      this.reportRefusal(frame, line);
      status = this.runStatements(body, frame);
      if (this.returning) break;
    }
    if (this.breaks > 0) this.breaks--;
    this.loops--;
    return status;
  }

  private whileStatement(until: boolean, condition: readonly Statement[], body: readonly Statement[], line: number, frame: Frame): Status {
    this.loops++;
    let status: Status = 0;
    for (let i = 0; ; i++) {
      if (i >= MAX_LOOP_ITERATIONS) {
        this.report(frame.file, line, 'warning', `this loop is stopped after ${MAX_LOOP_ITERATIONS} rounds`);
        break;
      }
      const t = truthOf(this.runStatements(condition, frame));
      if (this.returning) break;
      if (t === 'unknown') {
        this.report(frame.file, line, 'info', 'this loop depends on something GRUB checks at boot; it is not run');
        break;
      }
      if (until ? t === 'true' : t === 'false') break;
      status = this.runStatements(body, frame);
      if (this.returning) break;
      if (this.breaks === 1 && this.isContinue) this.breaks = 0;
      if (this.breaks > 0) break;
    }
    if (this.breaks > 0) this.breaks--;
    this.loops--;
    return status;
  }

  /** `break N` / `continue N` (GRUB caps N at the loops currently running). */
  requestBreak(count: number, isContinue: boolean): void {
    this.isContinue = isContinue;
    this.breaks = Math.min(count, this.loops);
  }

  requestReturn(): void {
    this.returning = true;
  }

  // ---- conditions -----------------------------------------------------------------------

  test(args: readonly string[], frame: Frame): Truth {
    return evaluateTest(args, { fileTest: (test, path) => this.devices.fileTest(test, path, frame.env.get('root'), this.files) });
  }
}
