// The GRUB commands the interpreter runs. Each does what GRUB's does to the variables and
// the menu, or records what a loader would load; commands that only touch the screen or
// load modules succeed silently. Nothing here writes to the partition.
import { SELF, type PartitionSelector } from '../model';
import { normalizePath } from '../../fs/paths';
import { blscfg } from './blscfg';
import { UNKNOWN_VALUE } from './conditions';
import type { Located } from './devices';
import { setConfigVariables, type Frame, type Interpreter, type Status } from './evaluate';
import { parseGrubenv } from './grubenv';
import type { MenuItem } from './menu';
import { lastValue, parseOptions, type OptionSpec } from './options';
import { Parser, type Block, type Statement } from './parser';

export interface CommandCall {
  readonly interp: Interpreter;
  readonly frame: Frame;
  readonly name: string;
  readonly args: readonly string[];
  readonly block: Block | undefined;
  readonly line: number;
}

export type Builtin = (call: CommandCall) => Status;

/**
 * Functions distributions define in grub.cfg's header (load_video, gfxmode, savedefault,
 * recordfail…). A custom entry may call them without the header; GRUB would only print an
 * error, so calling them undefined is not worth a warning.
 */
export const DISTRO_FUNCTIONS: ReadonlySet<string> = new Set(['load_video', 'gfxmode', 'savedefault', 'recordfail', 'initrdfail', 'ucode', 'load_ucode']);

const warn = (c: CommandCall, message: string): void => c.interp.report(c.frame.file, c.line, 'warning', message);
const info = (c: CommandCall, message: string): void => c.interp.report(c.frame.file, c.line, 'info', message);

// ---- variables ---------------------------------------------------------------------------

const set: Builtin = (c) => {
  const arg = c.args[0];
  if (arg === undefined) return 0;
  const eq = arg.indexOf('=');
  if (eq < 0) return 0; // `set name` prints the value.
  const name = arg.slice(0, eq);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    warn(c, `\`${name.slice(0, 40)}\` is not a variable name GRUB can set`);
    return 1;
  }
  c.frame.env.set(name, arg.slice(eq + 1));
  return 0;
};

const unset: Builtin = (c) => {
  for (const name of c.args) c.frame.env.unset(name);
  return 0;
};

const exportVariables: Builtin = (c) => {
  for (const name of c.args) c.frame.env.export(name);
  return 0;
};

/** `setparams` replaces the positional parameters of the running function or entry. */
const setparams: Builtin = (c) => {
  if (!c.frame.scope) return 1;
  c.frame.scope.args = [...c.args];
  return 0;
};

const shift: Builtin = (c) => {
  const scope = c.frame.scope;
  if (!scope) return 0;
  const n = c.args[0] === undefined ? 1 : Number(c.args[0]);
  if (!Number.isInteger(n) || n < 0 || n > scope.args.length) return 1;
  scope.args = scope.args.slice(n);
  return 0;
};

const increment: Builtin = (c) => stepVariable(c, +1);
const decrement: Builtin = (c) => stepVariable(c, -1);

/** Fedora's boot counting commands: `increment VAR` / `decrement VAR`. */
function stepVariable(c: CommandCall, by: number): Status {
  const name = c.args[0];
  if (name === undefined) return 1;
  const value = Number(c.frame.env.get(name) ?? '');
  if (!Number.isInteger(value)) return 1;
  c.frame.env.set(name, String(value + by));
  return 0;
}

// ---- flow --------------------------------------------------------------------------------

const returnCommand: Builtin = (c) => {
  c.interp.returning = true;
  const n = c.args[0] === undefined ? 0 : Number(c.args[0]);
  return Number.isInteger(n) ? n : 1;
};

const breakCommand = (isContinue: boolean): Builtin => (c) => {
  const n = c.args[0] === undefined ? 1 : Number(c.args[0]);
  if (!Number.isInteger(n) || n <= 0) return 1;
  c.interp.setBreak(n, isContinue);
  return 0;
};

const testCommand: Builtin = (c) => {
  let args = c.args;
  if (c.name === '[') {
    if (args[args.length - 1] !== ']') {
      warn(c, '`[` without a closing `]`; GRUB treats the test as false');
      return 1;
    }
    args = args.slice(0, -1);
  }
  const t = c.interp.test(args, c.frame);
  return t === 'true' ? 0 : t === 'false' ? 1 : 'unknown';
};

/** `eval WORDS`: runs the words, joined by spaces, as a script. */
const evalCommand: Builtin = (c) => {
  const parser = new Parser(c.args.join(' '));
  const statements = parser.parseAll();
  for (const p of parser.problems) warn(c, `in eval: ${p.message}`);
  return c.interp.statements(statements, c.frame);
};

// ---- files -------------------------------------------------------------------------------

/** Where a path names, as GRUB would open it now (relative to `$root` unless it names a device). */
function locate(c: CommandCall, arg: string, kind: 'file' | 'dir' = 'file'): Located {
  const p = c.interp.devices.split(arg, c.frame.env.get('root'));
  if (p.relative) warn(c, `\`${arg}\` does not start with / or a (device); GRUB refuses such file names, so it is read from the partition root`);
  return c.interp.devices.locate(p, c.interp.files, kind);
}

/** "/boot/grub/grub.cfg on the partition with file system UUID …" */
function describeElsewhere(l: Located & { where: 'elsewhere' }): string {
  return `${l.resource.path} on ${l.reason}`;
}

/** `source FILE` (and `.`): runs FILE in the current context, adding to the current menu. */
const source: Builtin = (c) => {
  const arg = c.args[0];
  if (arg === undefined) return 1;
  const l = locate(c, arg);
  if (l.where === 'elsewhere') {
    info(c, `\`${c.name}\` reads ${describeElsewhere(l)}, which is not on this partition; what it adds is missing`);
    return 'unknown';
  }
  const read = c.interp.readConfig(l.path, { file: c.frame.file, line: c.line });
  if (!read) return 1;
  // GRUB points config_file/config_directory at the sourced file while it runs.
  const env = c.frame.env;
  const saved = [env.get('config_file'), env.get('config_directory')] as const;
  setConfigVariables(env, c.interp.devices.selfName, l.path);
  try {
    return c.interp.runText(read.text, read.realPath, { ...c.frame, file: l.path });
  } finally {
    restore(env, 'config_file', saved[0]);
    restore(env, 'config_directory', saved[1]);
  }
};

function restore(env: Frame['env'], name: string, value: string | undefined): void {
  if (value === undefined) env.unset(name);
  else env.set(name, value);
}

/**
 * `configfile FILE`: GRUB shows FILE's menu, read in a new context. In a menu that menu
 * comes first; in an entry the entry opens it.
 */
const configfile: Builtin = (c) => {
  const arg = c.args[0];
  if (arg === undefined) return 1;
  const l = locate(c, arg);
  const mode = c.frame.mode;
  if (l.where === 'elsewhere') {
    const message = `hands over to ${describeElsewhere(l)}; that partition's config is listed when that partition is scanned`;
    if (mode.kind === 'entry') mode.boot.configfile = { unreadable: message, line: c.line };
    else info(c, `this config ${message}`);
    return 0;
  }
  const realPath = c.interp.files.realPath(l.path);
  if (realPath !== undefined && c.interp.listedConfigs.has(realPath)) return 0;
  if (mode.kind === 'entry') {
    mode.boot.configfile = { path: l.path, line: c.line };
    return 0;
  }
  const read = c.interp.readConfig(l.path, { file: c.frame.file, line: c.line });
  if (!read) {
    if (realPath === undefined) info(c, `\`configfile ${arg}\`: ${l.path} is not on this partition`);
    return 1;
  }
  mode.nested.push(c.interp.runMenuFile(l.path, read.realPath, read.text, c.frame.env.newContext()));
  return 0;
};

const LOAD_ENV_OPTIONS: readonly OptionSpec[] = [
  { long: 'file', short: 'f', value: 'required' },
  { long: 'skip-sig', short: 's', value: 'none' },
];

/** `load_env [-f FILE] [VAR…]`: the variables of a GRUB environment block ($prefix/grubenv). */
const loadEnv: Builtin = (c) => {
  const o = parseOptions(c.args, LOAD_ENV_OPTIONS, false);
  if (o.error) {
    warn(c, `load_env: ${o.error}`);
    return 1;
  }
  const file = lastValue(o, 'file') ?? `${c.frame.env.get('prefix') ?? ''}/grubenv`;
  const l = locate(c, file);
  if (l.where === 'elsewhere') {
    info(c, `load_env reads ${describeElsewhere(l)}, which is not on this partition; its variables (the saved default) are not known`);
    return 'unknown';
  }
  const text = c.interp.files.readText(l.path);
  if (text === undefined) return 1;
  const env = parseGrubenv(text);
  if (!env.ok) {
    c.interp.report(l.path, undefined, 'warning', `not a GRUB environment block: ${env.reason}`);
    return 1;
  }
  const only = o.positional.length > 0 ? new Set(o.positional) : undefined;
  for (const [name, value] of env.vars) if (!only || only.has(name)) c.frame.env.set(name, value);
  return 0;
};

// ---- search ------------------------------------------------------------------------------

const SEARCH_OPTIONS: readonly OptionSpec[] = [
  { long: 'file', short: 'f', value: 'none' },
  { long: 'label', short: 'l', value: 'none' },
  { long: 'fs-uuid', short: 'u', value: 'none' },
  { long: 'set', short: 's', value: 'optional' },
  { long: 'no-floppy', short: 'n', value: 'none' },
  { long: 'efidisk-only', value: 'none' },
  { long: 'cryptodisk-only', value: 'none' },
  { long: 'root-dev-only', short: 'r', value: 'none' },
  { long: 'hint', short: 'h', value: 'required' },
  { long: 'hint-ieee1275', value: 'required' },
  { long: 'hint-bios', value: 'required' },
  { long: 'hint-baremetal', value: 'required' },
  { long: 'hint-efi', value: 'required' },
  { long: 'hint-arc', value: 'required' },
];

type SearchKind = 'fs-uuid' | 'label' | 'file';

/** `search [--fs-uuid|--label|--file] [--set[=VAR]] KEY` (grub-core/commands/search_wrap.c). */
const search: Builtin = (c) => {
  const o = parseOptions(c.args, SEARCH_OPTIONS, true);
  if (o.error) {
    warn(c, `search: ${o.error}`);
    return 1;
  }
  // Hints for platforms newer than this GRUB come through as plain words; GRUB skips them.
  const positional = o.positional.filter((a) => !a.startsWith('--hint-'));
  const setGiven = o.given.has('set');
  let variable = setGiven ? lastValue(o, 'set') ?? 'root' : undefined;
  let key = positional[0];
  if (key === undefined && setGiven && lastValue(o, 'set') !== undefined) {
    // `search --set KEY`: GRUB takes the word as the key and sets root.
    key = lastValue(o, 'set');
    variable = 'root';
  }
  if (key === undefined) {
    warn(c, 'search: no UUID, label or file to look for');
    return 1;
  }
  const kind: SearchKind | undefined = o.given.has('label') ? 'label' : o.given.has('fs-uuid') ? 'fs-uuid' : o.given.has('file') ? 'file' : undefined;
  if (!kind) {
    warn(c, 'search: no --fs-uuid, --label or --file, so GRUB does not know what to look for');
    return 1;
  }
  return setSearchResult(c, kind, key, variable);
};

/** `search.fs_uuid KEY [VAR]`, `search.fs_label …`, `search.file …` (search.c). */
const searchShort = (kind: SearchKind): Builtin => (c) => {
  const key = c.args[0];
  if (key === undefined) return 1;
  return setSearchResult(c, kind, key, c.args[1]);
};

/** Names the partition a search finds and stores that name in the variable, as GRUB does. */
function setSearchResult(c: CommandCall, kind: SearchKind, key: string, variable: string | undefined): Status {
  let selector: PartitionSelector;
  let description: string;
  let status: Status = 0;
  if (kind === 'file') {
    const path = normalizePath(key);
    if (c.interp.files.isFile(path)) {
      selector = SELF;
      description = 'this partition';
    } else {
      selector = { by: 'unmappable', value: `search --file ${key}` };
      description = `the partition holding ${key} (GRUB's search --file; it is not on this partition)`;
      status = 'unknown';
    }
  } else if (kind === 'fs-uuid') {
    selector = { by: 'uuid', value: key };
    description = `the partition with file system UUID ${key}`;
  } else {
    selector = { by: 'label', value: key };
    description = `the partition labelled ${key}`;
  }
  if (variable !== undefined) c.frame.env.set(variable, c.interp.devices.nameFor(selector, description));
  return status;
}

// ---- menu --------------------------------------------------------------------------------

const MENUENTRY_OPTIONS: readonly OptionSpec[] = [
  { long: 'class', value: 'required' },
  { long: 'users', value: 'optional' },
  { long: 'hotkey', value: 'required' },
  { long: 'source', value: 'required' },
  { long: 'id', value: 'required' },
  { long: 'unrestricted', value: 'none' },
];

/** `menuentry`, `submenu` and openSUSE's `hiddenentry` (grub-core/commands/menuentry.c). */
const menuItem = (kind: MenuItem['kind'], hidden: boolean): Builtin => (c) => {
  const mode = c.frame.mode;
  if (mode.kind !== 'menu') {
    warn(c, `\`${c.name}\` inside a menu entry only adds to the menu when GRUB runs that entry; it is not listed`);
    return 0;
  }
  const o = parseOptions(c.args, MENUENTRY_OPTIONS, true);
  if (o.error) {
    warn(c, `${c.name}: ${o.error}; GRUB does not add it to the menu`);
    return 1;
  }
  let body: readonly Statement[];
  const sourceText = lastValue(o, 'source');
  if (c.block) body = c.block.statements;
  else if (sourceText !== undefined) {
    const parser = new Parser(sourceText);
    body = parser.parseAll();
    for (const p of parser.problems) warn(c, `in --source: ${p.message}`);
  } else {
    warn(c, `${c.name} has no { … } body; GRUB does not add it to the menu`);
    return 1;
  }
  const title = o.positional[0];
  if (title === undefined) {
    warn(c, `${c.name} has no title; GRUB does not add it to the menu`);
    return 1;
  }
  const id = lastValue(o, 'id');
  const users = lastValue(o, 'users');
  mode.items.push({
    kind,
    title,
    id: id ?? title,
    explicitId: id !== undefined,
    args: o.positional,
    body,
    hidden,
    restriction: users !== undefined ? { users } : o.given.has('unrestricted') ? 'unrestricted' : 'superusers',
    notes: c.frame.notes,
    file: c.frame.file,
    line: c.line,
  });
  return 0;
};

// ---- loaders -----------------------------------------------------------------------------

/** `linux PATH ARGS…` (and linux16, linuxefi): the kernel and its command line. */
const linux: Builtin = (c) => {
  const mode = c.frame.mode;
  const path = c.args[0];
  if (path === undefined) {
    warn(c, `${c.name} without a kernel file`);
    return 1;
  }
  if (mode.kind !== 'entry') {
    warn(c, `\`${c.name}\` outside any menu entry loads a kernel GRUB boots only on an explicit \`boot\`; it is not listed`);
    return 0;
  }
  const p = c.interp.devices.split(path, c.frame.env.get('root'));
  if (p.relative) warn(c, `\`${path}\` does not start with / or a (device); GRUB refuses such file names, so it is read from the partition root`);
  mode.boot.kernel = { resource: c.interp.devices.resource(p, c.interp.files), args: c.args.slice(1), command: c.name, line: c.line };
  return 0;
};

/** `initrd FILE…` (and initrd16, initrdefi): replaces the initrd list. */
const initrd: Builtin = (c) => {
  const mode = c.frame.mode;
  if (mode.kind !== 'entry') return 0;
  mode.boot.initrds = c.args.map((arg) => {
    // `newc:NAME:FILE` puts FILE into the initrd under NAME: kexec can only pass FILE as it is.
    const m = /^newc:[^:]*:(.*)$/.exec(arg);
    if (m) warn(c, `\`${arg}\`: GRUB would wrap the file into a cpio archive under a new name; it is passed unwrapped`);
    const p = c.interp.devices.split(m ? m[1]! : arg, c.frame.env.get('root'));
    return c.interp.devices.resource(p, c.interp.files);
  });
  return 0;
};

const devicetree: Builtin = (c) => {
  const mode = c.frame.mode;
  const path = c.args[0];
  if (mode.kind !== 'entry' || path === undefined) return 0;
  mode.boot.devicetree = c.interp.devices.resource(c.interp.devices.split(path, c.frame.env.get('root')), c.interp.files);
  return 0;
};

/** Loaders kexec cannot stand in for: the entry is not listed. */
const otherLoader: Builtin = (c) => {
  const mode = c.frame.mode;
  if (mode.kind === 'entry') mode.boot.otherLoader ??= { command: c.name, line: c.line };
  return 0;
};

/** `fwsetup --is-supported` asks the firmware; `fwsetup` reboots into its setup. */
const fwsetup: Builtin = (c) => {
  if (c.args.includes('--is-supported')) return 'unknown';
  return otherLoader(c);
};

const succeed: Builtin = () => 0;
const undecidable: Builtin = () => 'unknown';

/** `cpuid -l` is true on a 64-bit x86 CPU; other questions (PAE, hypervisor) cannot be answered. */
const cpuid: Builtin = (c) => {
  if (c.args.length === 1 && (c.args[0] === '-l' || c.args[0] === '--long-mode')) {
    const arch = c.interp.machine.efiArch;
    if (arch === 'x64') return 0;
    if (arch === 'ia32') return 'unknown';
  }
  return 'unknown';
};

/**
 * `keystatus` alone asks whether the terminal can report modifier keys (it can);
 * `keystatus --shift` etc. whether one is held, and on a machine booting unattended none is.
 */
const keystatus: Builtin = (c) => (c.args.length === 0 ? 0 : 1);

const probe: Builtin = (c) => {
  // `probe --set=VAR --fs-uuid DEV`: the answer is only known for partitions found by UUID.
  const o = parseOptions(c.args, [
    { long: 'set', short: 's', value: 'required' },
    { long: 'driver', short: 'd', value: 'none' },
    { long: 'partmap', short: 'p', value: 'none' },
    { long: 'fs', short: 'f', value: 'none' },
    { long: 'fs-uuid', short: 'u', value: 'none' },
    { long: 'label', short: 'l', value: 'none' },
    { long: 'part-uuid', value: 'none' },
  ], false);
  const variable = lastValue(o, 'set');
  if (variable !== undefined) c.frame.env.set(variable, UNKNOWN_VALUE);
  return 'unknown';
};

const blscfgCommand: Builtin = (c) => blscfg(c);

const entries: [string, Builtin][] = [
  ['set', set],
  ['unset', unset],
  ['export', exportVariables],
  ['setparams', setparams],
  ['shift', shift],
  ['increment', increment],
  ['decrement', decrement],
  ['return', returnCommand],
  ['break', breakCommand(false)],
  ['continue', breakCommand(true)],
  ['true', succeed],
  ['false', () => 1],
  ['test', testCommand],
  ['[', testCommand],
  ['eval', evalCommand],
  ['source', source],
  ['.', source],
  ['configfile', configfile],
  ['load_env', loadEnv],
  ['search', search],
  ['search.fs_uuid', searchShort('fs-uuid')],
  ['search.fs_label', searchShort('label')],
  ['search.file', searchShort('file')],
  ['probe', probe],
  ['menuentry', menuItem('entry', false)],
  ['submenu', menuItem('submenu', false)],
  ['hiddenentry', menuItem('entry', true)],
  ['linux', linux],
  ['linux16', linux],
  ['linuxefi', linux],
  ['initrd', initrd],
  ['initrd16', initrd],
  ['initrdefi', initrd],
  ['devicetree', devicetree],
  ['fwsetup', fwsetup],
  ['cpuid', cpuid],
  ['keystatus', keystatus],
  ['blscfg', blscfgCommand],
  ['bls_import', blscfgCommand],
];
for (const name of [
  'chainloader', 'multiboot', 'multiboot2', 'module', 'module2', 'kfreebsd', 'kfreebsd_loadenv', 'kfreebsd_module',
  'kfreebsd_module_elf', 'knetbsd', 'knetbsd_module', 'knetbsd_module_elf', 'kopenbsd', 'kopenbsd_ramdisk',
  'xnu_kernel', 'xnu_kernel64', 'xnu_mkext', 'xnu_kext', 'xnu_ramdisk', 'appleloader', 'ntldr', 'freedos', 'plan9',
  'truecrypt', 'legacy_kernel', 'pxechainloader', 'reboot', 'halt', 'exit', 'normal', 'normal_exit', 'uefi-firmware',
]) {
  entries.push([name, otherLoader]);
}
// Screen, module, disk-driver and bookkeeping commands: no effect on what an entry boots.
for (const name of [
  'insmod', 'rmmod', 'echo', 'terminal_output', 'terminal_input', 'terminal', 'serial', 'loadfont', 'background_image',
  'background_color', 'play', 'sleep', 'clear', 'lsfonts', 'password', 'password_pbkdf2', 'gettext', 'videoinfo',
  'vbeinfo', 'ls', 'lsmod', 'help', 'date', 'usb', 'nativedisk', 'cryptomount', 'save_env', 'list_env', 'boot',
  'btrfs-mount-subvol', 'btrfs-list-subvols', 'btrfs-get-default-subvol', 'btrfs-info', 'loopback', 'drivemap',
  'parttool', 'lsefi', 'lsefimmap', 'lsefisystab', 'lssal', 'efi_gop', 'efi_uga', 'tpm_record_pcrs', 'setkey',
  'keymap', 'pager', 'outb', 'inb', 'lspci', 'setpci', 'acpi', 'badram', 'cutmem', 'gptsync', 'fakebios',
  'fix_video', 'rdmsr', 'wrmsr', 'lsacpi', 'zfs-bootfs', 'zfsinfo', 'lvm', 'mdraid', 'shim_lock', 'bli', 'tpm2_key_protector_init',
  'terminfo', 'hexdump', 'cat', 'net_bootp', 'net_dhcp', 'net_add_addr', 'net_add_dns', 'net_add_route', 'net_ls_addr',
  'net_ls_cards', 'net_ls_dns', 'net_ls_routes', 'trust', 'distrust', 'list_trusted', 'verify_detached',
]) {
  entries.push([name, succeed]);
}
// Commands whose answer depends on the machine GRUB runs on (keys held, hardware lists…).
for (const name of ['hwmatch', 'regexp', 'smbios', 'read', 'tr', 'efivar', 'getenv', 'test_blockarg']) {
  entries.push([name, undecidable]);
}

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map(entries);
