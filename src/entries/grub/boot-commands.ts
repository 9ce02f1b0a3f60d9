// GRUB's commands that build the menu and say what an entry boots: menuentry/submenu, the
// Linux loader commands (recorded in the entry's BootRecord), the loaders kexec cannot stand
// in for, and the questions about the machine configs ask before choosing (cpuid, keystatus).
import { info, warn, type Command, type CommandCall, type NamedCommands } from './command-api';
import type { GrubPath } from './devices';
import { MAX_TITLE_LENGTH } from './limits';
import type { MenuItem } from './menu';
import { lastValue, parseOptions, type OptionSpec } from './options';
import { Parser, type Statement } from './parser';

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
const menuItem = (kind: MenuItem['kind'], hidden: boolean): Command => (c) => {
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
    c.context.chargeParse(sourceText);
    const parser = new Parser(sourceText, c.line);
    body = parser.parseAll();
    for (const p of parser.problems) warn(c, `in --source: ${p.message}`);
  } else {
    warn(c, `${c.name} has no { … } body; GRUB does not add it to the menu`);
    return 1;
  }
  let title = o.positional[0];
  if (title === undefined) {
    warn(c, `${c.name} has no title; GRUB does not add it to the menu`);
    return 1;
  }
  if (title.length > MAX_TITLE_LENGTH) {
    warn(c, `the title is ${title.length} characters long; only its first ${MAX_TITLE_LENGTH} are shown`);
    title = title.slice(0, MAX_TITLE_LENGTH);
  }
  const id = lastValue(o, 'id');
  const users = lastValue(o, 'users');
  c.context.addMenuItem(mode.items, {
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
const linux: Command = (c) => {
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
  const p = split(c, path);
  if (p.relative) warn(c, `\`${path}\` does not start with / or a (device); GRUB refuses such file names, so it is read from the partition root`);
  mode.boot.kernel = { resource: c.context.devices.resource(p, c.context.files), args: c.args.slice(1), command: c.name, line: c.line };
  if (p.device.kind === 'loopback') {
    // Until images are opened, the entry is listed and cannot boot, with the reason.
    const why = `its kernel is inside the ISO image ${p.device.image} (GRUB loopback), which kexec-menu does not open yet`;
    mode.boot.notes.push(why);
    info(c, `${c.name} ${path}: ${why}; the entry cannot boot`);
  }
  return 0;
};

/** A file a loader command names, as GRUB opens it now: on `$root`, `(tftp)` on net_default_server. */
function split(c: CommandCall, path: string): GrubPath {
  return c.context.devices.split(path, c.frame.env.get('root'), c.frame.env.get('net_default_server'));
}

/** `initrd FILE…` (and initrd16, initrdefi): replaces the initrd list. */
const initrd: Command = (c) => {
  const mode = c.frame.mode;
  if (mode.kind !== 'entry') return 0;
  mode.boot.initrds = c.args.map((arg) => {
    // `newc:NAME:FILE` puts FILE into the initrd under NAME: kexec can only pass FILE as it is.
    const m = /^newc:[^:]*:(.*)$/.exec(arg);
    if (m) warn(c, `\`${arg}\`: GRUB would wrap the file into a cpio archive under a new name; it is passed unwrapped`);
    const p = split(c, m ? m[1]! : arg);
    return c.context.devices.resource(p, c.context.files);
  });
  return 0;
};

const devicetree: Command = (c) => {
  const mode = c.frame.mode;
  const path = c.args[0];
  if (mode.kind !== 'entry' || path === undefined) return 0;
  mode.boot.devicetree = c.context.devices.resource(split(c, path), c.context.files);
  return 0;
};

/** Loaders kexec cannot stand in for: the entry is not listed. */
const otherLoader: Command = (c) => {
  const mode = c.frame.mode;
  if (mode.kind === 'entry') mode.boot.otherLoader ??= { command: c.name, line: c.line };
  return 0;
};

/** `fwsetup --is-supported` asks the firmware; `fwsetup` reboots into its setup. */
const fwsetup: Command = (c) => {
  if (c.args.includes('--is-supported')) return 'unknown';
  return otherLoader(c);
};

/** `cpuid -l` is true on a 64-bit x86 CPU; other questions (PAE, hypervisor) cannot be answered. */
const cpuid: Command = (c) => {
  if (c.args.length === 1 && (c.args[0] === '-l' || c.args[0] === '--long-mode')) {
    const arch = c.context.machine.efiArch;
    if (arch === 'x64') return 0;
    if (arch === 'ia32') return 'unknown';
  }
  return 'unknown';
};

/**
 * `keystatus` alone asks whether the terminal can report modifier keys (it can);
 * `keystatus --shift` etc. whether one is held, and on a machine booting unattended none is.
 */
const keystatus: Command = (c) => (c.args.length === 0 ? 0 : 1);

/** Loaders of other systems, firmware and power commands: an entry using one is not listed. */
const OTHER_LOADERS: readonly string[] = [
  'chainloader', 'multiboot', 'multiboot2', 'module', 'module2', 'kfreebsd', 'kfreebsd_loadenv', 'kfreebsd_module',
  'kfreebsd_module_elf', 'knetbsd', 'knetbsd_module', 'knetbsd_module_elf', 'kopenbsd', 'kopenbsd_ramdisk',
  'xnu_kernel', 'xnu_kernel64', 'xnu_mkext', 'xnu_kext', 'xnu_ramdisk', 'appleloader', 'ntldr', 'freedos', 'plan9',
  'truecrypt', 'legacy_kernel', 'pxechainloader', 'reboot', 'halt', 'exit', 'normal', 'normal_exit', 'uefi-firmware',
];

export const BOOT_COMMANDS: NamedCommands = [
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
  ...OTHER_LOADERS.map((name) => [name, otherLoader] as const),
];
