// What the interpreter and its commands share, so neither imports the other (as petitboot's
// script_register_function): the interpreter is given a table of commands when it is made,
// and a command sees only the narrow CommandContext below, asking for control flow
// (`return`, `break`) instead of writing the interpreter's state.
import type { Severity } from '../../fs/diagnostic';
import type { PartitionFiles } from '../../fs/files';
import type { MachineContext } from '../../machine/context';
import type { BootRecord } from './boot-record';
import type { Truth } from './conditions';
import type { DeviceTable } from './devices';
import type { Environment } from './environment';
import type { Menu, MenuItem } from './menu';
import type { Block, Statement } from './parser';

/** A command's exit status: 0 is success; `unknown` when it depends on what only GRUB can see. */
export type Status = number | 'unknown';

export type Mode =
  | { readonly kind: 'menu'; readonly items: MenuItem[]; readonly nested: Menu[] }
  | { readonly kind: 'entry'; readonly boot: BootRecord };

/** Where statements run: variables, positional parameters, the file (for messages) and what they build. */
export interface Frame {
  readonly env: Environment;
  /** `$1`… inside a function or menu entry (setparams/shift change them); undefined at the top of a file. */
  readonly scope: { args: readonly string[] } | undefined;
  readonly file: string;
  readonly mode: Mode;
  /** Conditions GRUB checks at boot that we could not, which the statements run under. */
  readonly notes: readonly string[];
}

/** A config file's text, read through the include guards. */
export interface ConfigText {
  readonly text: string;
  readonly realPath: string;
}

/** What a command may see and ask of the interpreter running it. */
export interface CommandContext {
  readonly files: PartitionFiles;
  readonly devices: DeviceTable;
  readonly machine: MachineContext;
  /** The partition's name, for the entries' sources. */
  readonly partition: string;
  /** Real paths of configs already listed as menus of their own. */
  readonly listedConfigs: ReadonlySet<string>;
  /** Every diagnostic names its file and line. */
  report(file: string, line: number, severity: Severity, message: string): void;
  /** Adds a menu entry or submenu to `items` (the partition's cap reached: reported, and the run stops). */
  addMenuItem(items: MenuItem[], item: MenuItem): void;
  /** Whether a config is being run now (on the include chain): reading it again would loop. */
  isOpen(realPath: string): boolean;
  /** A copy of the variables, counted against the step budget: a new context (`configfile`) or a clone. */
  copyEnvironment(env: Environment, kind: 'context' | 'clone'): Environment;
  /** Counts parsing `text` (eval, menuentry --source) against the step budget. */
  chargeParse(text: string): void;
  /** Runs statements one call level deeper (`eval`), under the limit function calls have. */
  runNested(list: readonly Statement[], frame: Frame, line: number): Status;
  /** `return`: the running function (or file) stops after this command. */
  requestReturn(): void;
  /** `break N` / `continue N`. */
  requestBreak(loops: number, isContinue: boolean): void;
  test(args: readonly string[], frame: Frame): Truth;
  runStatements(list: readonly Statement[], frame: Frame): Status;
  /** Reads a config for `source`/`configfile`; undefined (reported) when it must not be read. */
  readConfig(path: string, from: { file: string; line: number }): ConfigText | undefined;
  /** Runs a file's statements in `frame`, as `source` does. */
  runText(text: string, realPath: string, frame: Frame): Status;
  /** Runs a file as a menu of its own, as `configfile` does. */
  runMenuFile(path: string, realPath: string, text: string, env: Environment): Menu;
}

export interface CommandCall {
  readonly context: CommandContext;
  readonly frame: Frame;
  readonly name: string;
  readonly args: readonly string[];
  readonly block: Block | undefined;
  readonly line: number;
}

export type Command = (call: CommandCall) => Status;

/** A command file's commands with the names GRUB registers them under (one command may have several). */
export type NamedCommands = readonly (readonly [string, Command])[];

/** The commands an interpreter knows, by name (grub_register_command). */
export type CommandTable = ReadonlyMap<string, Command>;

// Every command file reports this way: on the line of the command being run.
export const warn = (c: CommandCall, message: string): void => c.context.report(c.frame.file, c.line, 'warning', message);
export const info = (c: CommandCall, message: string): void => c.context.report(c.frame.file, c.line, 'info', message);
