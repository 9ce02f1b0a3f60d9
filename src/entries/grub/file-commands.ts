// GRUB's commands that read the partition or name other partitions: source, configfile,
// load_env, search and probe. They are together because they share how a path is located
// (relative to `$root`, or on a partition that is not this one).
import { SELF, type PartitionSelector } from '../model';
import { normalizePath } from '../../fs/paths';
import { info, warn, type Command, type NamedCommands, type CommandCall, type Frame, type Status } from './command-api';
import { UNKNOWN_VALUE } from './conditions';
import type { Located } from './devices';
import { setConfigVariables } from './environment';
import { parseGrubenv } from './grubenv';
import { MAX_GRUBENV_BYTES } from './limits';
import { lastValue, parseOptions, type OptionSpec } from './options';

// ---- files -------------------------------------------------------------------------------

/** Where a path names, as GRUB would open it now (relative to `$root` unless it names a device). */
function locate(c: CommandCall, arg: string, kind: 'file' | 'dir' = 'file'): Located {
  const p = c.context.devices.split(arg, c.frame.env.get('root'));
  if (p.relative) warn(c, `\`${arg}\` does not start with / or a (device); GRUB refuses such file names, so it is read from the partition root`);
  return c.context.devices.locate(p, c.context.files, kind);
}

/** "/boot/grub/grub.cfg on the partition with file system UUID …" */
function describeElsewhere(l: Located & { where: 'elsewhere' }): string {
  return `${l.resource.path} on ${l.reason}`;
}

/** `source FILE` (and `.`): runs FILE in the current context, adding to the current menu. */
const source: Command = (c) => {
  const arg = c.args[0];
  if (arg === undefined) return 1;
  const l = locate(c, arg);
  if (l.where === 'elsewhere') {
    info(c, `\`${c.name}\` reads ${describeElsewhere(l)}, which is not on this partition; what it adds is missing`);
    return 'unknown';
  }
  const read = c.context.readConfig(l.path, { file: c.frame.file, line: c.line });
  if (!read) return 1;
  // GRUB points config_file/config_directory at the sourced file while it runs.
  const env = c.frame.env;
  const saved = [env.get('config_file'), env.get('config_directory')] as const;
  setConfigVariables(env, c.context.devices.selfName, l.path);
  try {
    return c.context.runText(read.text, read.realPath, { ...c.frame, file: l.path });
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
const configfile: Command = (c) => {
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
  const realPath = c.context.files.realPath(l.path);
  // Listed already as a menu of its own (an ESP stub handing over): nothing to add. But one
  // still running (a → b → a) is a loop, which readConfig reports.
  if (realPath !== undefined && c.context.listedConfigs.has(realPath) && !c.context.isOpen(realPath)) return 0;
  if (mode.kind === 'entry') {
    mode.boot.configfile = { path: l.path, line: c.line };
    return 0;
  }
  const read = c.context.readConfig(l.path, { file: c.frame.file, line: c.line });
  if (!read) {
    if (realPath === undefined) info(c, `\`configfile ${arg}\`: ${l.path} is not on this partition`);
    return 1;
  }
  mode.nested.push(c.context.runMenuFile(l.path, read.realPath, read.text, c.context.copyEnvironment(c.frame.env, 'context')));
  return 0;
};

/** `loopback [-d] NAME FILE`: GRUB opens FILE (an ISO image) as the device (NAME); kexec-menu does not open images yet. */
const loopback: Command = (c) => {
  const o = parseOptions(c.args, [{ long: 'delete', short: 'd', value: 'none' }], false);
  const [name, file] = o.positional;
  if (name === undefined) return 1;
  if (o.given.has('delete')) {
    c.context.devices.unloop(name);
    return 0;
  }
  if (file === undefined) return 1;
  const p = c.context.devices.split(file, c.frame.env.get('root'));
  const image = p.device.kind === 'self' ? p.path : `${p.path} on ${c.context.devices.describe(p)}`;
  if (!c.context.devices.loopback(name, image)) warn(c, `loopback: (${name}) is this partition's own device name; GRUB would refuse it`);
  return 0;
};

const LOAD_ENV_OPTIONS: readonly OptionSpec[] = [
  { long: 'file', short: 'f', value: 'required' },
  { long: 'skip-sig', short: 's', value: 'none' },
];

/** `load_env [-f FILE] [VAR…]`: the variables of a GRUB environment block ($prefix/grubenv). */
const loadEnv: Command = (c) => {
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
  let text = c.context.files.readText(l.path);
  if (text === undefined) return 1;
  if (text.length > MAX_GRUBENV_BYTES) {
    warn(c, `load_env: ${l.path} is ${text.length} characters long, far more than GRUB's 1024-byte environment block; only its first ${MAX_GRUBENV_BYTES} are read`);
    text = text.slice(0, MAX_GRUBENV_BYTES);
  }
  c.context.chargeParse(text);
  const env = parseGrubenv(text);
  if (!env.ok) {
    c.context.report(l.path, 1, 'warning', `not a GRUB environment block: ${env.reason}`);
    return 1;
  }
  const only = o.positional.length > 0 ? new Set(o.positional) : undefined;
  for (const [name, value] of env.vars) if (!only || only.has(name)) c.frame.env.set(name, value, c.line);
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
const search: Command = (c) => {
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
const searchShort = (kind: SearchKind): Command => (c) => {
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
    if (c.context.files.isFile(path)) {
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
  if (variable !== undefined) c.frame.env.set(variable, c.context.devices.nameFor(selector, description));
  return status;
}

const probe: Command = (c) => {
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

export const FILE_COMMANDS: NamedCommands = [
  ['source', source],
  ['.', source],
  ['configfile', configfile],
  ['load_env', loadEnv],
  ['loopback', loopback],
  ['search', search],
  ['search.fs_uuid', searchShort('fs-uuid')],
  ['search.fs_label', searchShort('label')],
  ['search.file', searchShort('file')],
  ['probe', probe],
];
