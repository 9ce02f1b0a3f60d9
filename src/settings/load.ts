// Reads configs/*.yaml into Settings. Every mistake (unknown key, wrong type, bad value) is a
// SettingsError naming file, line and key: the CLI prints it as one line and exits 2. Then the
// kernel command line (kexec_menu.timeout=5, kexec_menu.default=…, kexec_menu.dry_run=1) wins
// over the file; a bad value there only warns, because it must never cost the machine its menu.
// Nothing on a scanned partition can change settings.
import { describeFailedRead, readRegularFile } from '../fs/regular-file';
import { dirname, resolve } from 'node:path';
import { ALL_FORMATS, type Format } from '../entries/model';
import type { Diagnostic } from '../fs/diagnostic';
import { describeValue, isMap, isScalar, isSeq, keyName, nodeLine, parseYaml, unknownKeyMessage, closest, type YamlText } from '../entries/yaml-doc';
import { DEFAULT_SETTINGS, type ConsoleSettings, type NetworkSettings, type ScanRoot, type Settings, type StateSettings } from './settings';
import { type TrustedSource, trustedServerProblem } from '../entries/scan/trust';
import { splitCmdline } from '../kexec/cmdline';

export class SettingsError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${reason}`);
  }
}

export interface LoadedSettings {
  readonly settings: Settings;
  /** Warnings about the kernel command line's kexec_menu.* options (ignored ones). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Where the image keeps its settings; without it the built-in defaults apply. */
export const IMAGE_SETTINGS_FILE = '/etc/kexec-menu/config.yaml';

/** Keys of the settings file (kebab-case, like the menus' keys). */
const KEYS = ['timeout', 'default', 'formats', 'roots', 'menus', 'editor', 'shell', 'password', 'trusted', 'dry-run', 'handoff', 'console', 'network', 'state'] as const;
const ROOT_KEYS = ['path', 'name', 'uuid', 'partuuid', 'label', 'partlabel'] as const;
const CONSOLE_KEYS = ['ascii'] as const;
const NETWORK_KEYS = ['enabled', 'interfaces', 'timeout'] as const;
/** DHCP normally answers in a second or two; five minutes is a typo. */
const MAX_NETWORK_TIMEOUT = 300;

/** At most a day: a longer timeout is a typo (and -1 says "wait forever"). */
const MAX_TIMEOUT = 86400;
/** `timeout: from-default`: the default entry's own config decides, as its boot loader would. */
export const FROM_DEFAULT = 'from-default';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Parses settings text; relative paths (roots, menus) are taken from the file's folder. */
export function parseSettings(text: string, file: string): Settings {
  const y = parseYaml(text);
  const first = y.errors[0];
  if (first) throw new SettingsError(file, first.line, first.message);
  const base = dirname(resolve(file));
  const out: Mutable<Settings> = { ...DEFAULT_SETTINGS, file };
  const top = y.doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) return out; // an empty file: all defaults
  const fail = (node: unknown, reason: string): never => {
    throw new SettingsError(file, nodeLine(y, node), reason);
  };
  if (!isMap(top)) throw new SettingsError(file, nodeLine(y, top), `settings must be a mapping of keys (${KEYS.join(', ')}), not ${describeValue(top)}`);

  for (const pair of top.items) {
    const key = keyName(pair);
    const v = pair.value;
    const at = pair.key;
    switch (key) {
      case 'timeout': {
        const n = scalarOf(v);
        out.timeoutOrigin = { file, ...(nodeLine(y, at) !== undefined ? { line: nodeLine(y, at) } : {}) };
        if (n === FROM_DEFAULT) {
          out.timeoutFromDefault = true;
          break;
        }
        if (typeof n !== 'number' || !Number.isInteger(n) || n < -1 || n > MAX_TIMEOUT) {
          fail(at, `key 'timeout' must be whole seconds from 0 to ${MAX_TIMEOUT}, -1 to wait forever, or ${FROM_DEFAULT}, not ${describeValue(v)}`);
        }
        out.timeout = n as number;
        break;
      }
      case 'default':
        out.default = text1(y, file, key, v);
        break;
      case 'password':
        out.password = text1(y, file, key, v);
        break;
      case 'trusted':
        out.trusted = list(y, file, key, v).map((item) => trustedSource(y, file, item));
        break;
      case 'handoff': {
        const h = scalarOf(v);
        if (h !== 'direct' && h !== 'init') fail(at, `key 'handoff' must be 'direct' or 'init', not ${describeValue(v)}`);
        out.handoff = h as 'direct' | 'init';
        break;
      }
      case 'editor':
      case 'shell':
      case 'dry-run': {
        const b = bool(y, file, key, v);
        if (key === 'dry-run') out.dryRun = b;
        else out[key] = b;
        break;
      }
      case 'formats':
        out.formats = formats(y, file, v);
        break;
      case 'roots':
        out.roots = list(y, file, key, v).map((item) => root(y, file, base, item));
        break;
      case 'menus':
        out.menus = list(y, file, key, v).map((item) => resolve(base, text1(y, file, 'menus', item)));
        break;
      case 'console':
        out.console = consoleSettings(y, file, v);
        break;
      case 'network':
        out.network = networkSettings(y, file, v);
        break;
      case 'state':
        out.state = stateSettings(y, file, v);
        break;
      default:
        fail(at, unknownKeyMessage(key, KEYS));
    }
  }
  return out;
}

function scalarOf(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined;
}

function text1(y: YamlText, file: string, key: string, node: unknown): string {
  const v = scalarOf(node);
  if (typeof v !== 'string' || v === '') {
    throw new SettingsError(file, nodeLine(y, node), `key '${key}' must be text, not ${describeValue(node)}${typeof v === 'number' ? ' (quote it)' : ''}`);
  }
  return v;
}

function bool(y: YamlText, file: string, key: string, node: unknown): boolean {
  const v = scalarOf(node);
  if (typeof v !== 'boolean') throw new SettingsError(file, nodeLine(y, node), `key '${key}' must be true or false, not ${describeValue(node)}`);
  return v;
}

function list(y: YamlText, file: string, key: string, node: unknown): unknown[] {
  if (!isSeq(node)) throw new SettingsError(file, nodeLine(y, node), `key '${key}' must be a list, not ${describeValue(node)}`);
  return node.items;
}

function formats(y: YamlText, file: string, node: unknown): Format[] {
  const out: Format[] = [];
  for (const item of list(y, file, 'formats', node)) {
    const name = scalarOf(item);
    if (typeof name !== 'string' || !(ALL_FORMATS as readonly string[]).includes(name)) {
      const guess = typeof name === 'string' ? closest(name, ALL_FORMATS) : undefined;
      throw new SettingsError(
        file,
        nodeLine(y, item),
        `'formats' has ${describeValue(item)}, which is not a format` + (guess ? ` (did you mean '${guess}'?)` : ` (formats: ${ALL_FORMATS.join(', ')})`),
      );
    }
    if (out.includes(name as Format)) throw new SettingsError(file, nodeLine(y, item), `'formats' lists '${name}' twice`);
    out.push(name as Format);
  }
  return out;
}

/** A root is a folder path, or a mapping with `path` and the identity to give it. */
function root(y: YamlText, file: string, base: string, node: unknown): ScanRoot {
  if (isScalar(node)) return { path: resolve(base, text1(y, file, 'roots', node)) };
  if (!isMap(node)) throw new SettingsError(file, nodeLine(y, node), `each of 'roots' must be a folder or a mapping with 'path', not ${describeValue(node)}`);
  const r: Partial<Mutable<ScanRoot>> = {};
  for (const pair of node.items) {
    const key = keyName(pair);
    if (!(ROOT_KEYS as readonly string[]).includes(key)) throw new SettingsError(file, nodeLine(y, pair.key), `in 'roots': ${unknownKeyMessage(key, ROOT_KEYS)}`);
    r[key as (typeof ROOT_KEYS)[number]] = text1(y, file, key, pair.value);
  }
  if (r.path === undefined) throw new SettingsError(file, nodeLine(y, node), `a root in 'roots' has no 'path'`);
  return { ...r, path: resolve(base, r.path) };
}

const TRUSTED_KEYS = ['uuid', 'partuuid', 'label', 'server', 'url'] as const;

/** One of `trusted`: a mapping with exactly one of uuid, partuuid, label (a partition), server, url (a boot server). */
function trustedSource(y: YamlText, file: string, node: unknown): TrustedSource {
  const shape = `each of 'trusted' must be a mapping with one of ${TRUSTED_KEYS.join(', ')}`;
  if (!isMap(node) || node.items.length !== 1) throw new SettingsError(file, nodeLine(y, node), `${shape}, not ${describeValue(node)}`);
  const pair = node.items[0]!;
  const key = keyName(pair);
  if (!(TRUSTED_KEYS as readonly string[]).includes(key)) throw new SettingsError(file, nodeLine(y, pair.key), `in 'trusted': ${unknownKeyMessage(key, TRUSTED_KEYS)}`);
  const source = { by: key as TrustedSource['by'], value: text1(y, file, key, pair.value) } as TrustedSource;
  const problem = source.by === 'server' || source.by === 'url' ? trustedServerProblem(source) : undefined;
  if (problem !== undefined) throw new SettingsError(file, nodeLine(y, pair.value), `in 'trusted': ${problem}`);
  return source;
}

/**
 * `state: { label: KEXEC-STATE }`: the one partition the menu may write (its own store of the
 * last choice, src/disks/state-store.ts), named by its file system label as blkid prints it.
 */
function stateSettings(y: YamlText, file: string, node: unknown): StateSettings {
  const shape = "key 'state' must be a mapping with 'label' (the state partition's file system label)";
  if (!isMap(node) || node.items.length !== 1 || keyName(node.items[0]!) !== 'label') throw new SettingsError(file, nodeLine(y, node), `${shape}, not ${describeValue(node)}`);
  const value = node.items[0]!.value;
  const label = text1(y, file, 'state.label', value);
  // ext4 labels hold up to 16 bytes, FAT's 11; no '/' or control characters (blkid's LABEL).
  if (Buffer.byteLength(label) > 16 || /[\x00-\x1f\x7f/]/.test(label)) throw new SettingsError(file, nodeLine(y, value), `'state.label' must be a file system label of up to 16 bytes without '/' or control characters, not ${describeValue(value)}`);
  return { label };
}

function consoleSettings(y: YamlText, file: string, node: unknown): ConsoleSettings {
  if (!isMap(node)) throw new SettingsError(file, nodeLine(y, node), `key 'console' must be a mapping (${CONSOLE_KEYS.join(', ')}), not ${describeValue(node)}`);
  const c: Mutable<ConsoleSettings> = { ...DEFAULT_SETTINGS.console };
  for (const pair of node.items) {
    const key = keyName(pair);
    if (key !== 'ascii') throw new SettingsError(file, nodeLine(y, pair.key), `in 'console': ${unknownKeyMessage(key, CONSOLE_KEYS)}`);
    c.ascii = bool(y, file, key, pair.value);
  }
  return c;
}

/** `network: { enabled, interfaces, timeout }`; keys left out keep their defaults. */
function networkSettings(y: YamlText, file: string, node: unknown): NetworkSettings {
  if (!isMap(node)) throw new SettingsError(file, nodeLine(y, node), `key 'network' must be a mapping (${NETWORK_KEYS.join(', ')}), not ${describeValue(node)}`);
  const n: Mutable<NetworkSettings> = { ...DEFAULT_SETTINGS.network };
  for (const pair of node.items) {
    const key = keyName(pair);
    const at = nodeLine(y, pair.value ?? pair.key);
    if (key === 'enabled') n.enabled = bool(y, file, 'network.enabled', pair.value);
    else if (key === 'interfaces') {
      n.interfaces = list(y, file, 'network.interfaces', pair.value).map((item) => {
        const name = text1(y, file, 'network.interfaces', item);
        // IFNAMSIZ is 16 with the NUL; the script matches these as shell patterns.
        if (!/^[A-Za-z0-9_.:@*?-]{1,15}$/.test(name)) throw new SettingsError(file, nodeLine(y, item), `'network.interfaces' has '${name}', which is not an interface name or glob (up to 15 of A-Z a-z 0-9 _ . : @ - * ?)`);
        return name;
      });
    } else if (key === 'timeout') {
      const t = scalarOf(pair.value);
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > MAX_NETWORK_TIMEOUT) {
        throw new SettingsError(file, at, `key 'network.timeout' must be whole seconds from 1 to ${MAX_NETWORK_TIMEOUT}, not ${describeValue(pair.value)}`);
      }
      n.timeout = t;
    } else throw new SettingsError(file, nodeLine(y, pair.key), `in 'network': ${unknownKeyMessage(key, NETWORK_KEYS)}`);
  }
  return n;
}

/** Settings files are a few KiB; anything near this is not one. */
const MAX_SETTINGS_BYTES = 1024 * 1024;

/** Reads a settings file; a missing, unreadable or special file is a SettingsError. */
export function readSettingsFile(file: string): Settings {
  // A FIFO or a link to /dev/zero must not hang or fill memory: only a regular file is read.
  const read = readRegularFile(file, MAX_SETTINGS_BYTES);
  if (!read.ok) {
    const why = read.reason === 'missing' ? 'no such file' : describeFailedRead('it', read, MAX_SETTINGS_BYTES).replace(/^it /, '');
    throw new SettingsError(file, undefined, why);
  }
  return parseSettings(read.bytes.toString('utf8'), file);
}

/**
 * The parameters of a kernel command line as the kernel hands them on: split by
 * splitCmdline (spaces separate, double quotes group), then the quotes dropped.
 */
export function cmdlineParameters(cmdline: string): string[] {
  return splitCmdline(cmdline).map((word) => word.replace(/"/g, ''));
}

export const CMDLINE_ORIGIN = 'kernel command line';
const PREFIX = 'kexec_menu.';
const CMDLINE_OPTIONS = ['timeout', 'default', 'dry_run'] as const;

/** Applies kexec_menu.* options from a kernel command line; the last one given wins, as in the kernel. */
export function applyCmdline(settings: Settings, cmdline: string): LoadedSettings {
  const out: Mutable<Settings> = { ...settings };
  const diagnostics: Diagnostic[] = [];
  const warn = (message: string): void => {
    diagnostics.push({ severity: 'warning', file: CMDLINE_ORIGIN, message });
  };
  for (const word of cmdlineParameters(cmdline)) {
    if (!word.startsWith(PREFIX)) continue;
    const eq = word.indexOf('=');
    const name = word.slice(PREFIX.length, eq === -1 ? undefined : eq);
    const value = eq === -1 ? undefined : word.slice(eq + 1);
    switch (name) {
      case 'timeout': {
        const n = value !== undefined && /^-?\d+$/.test(value) ? Number(value) : NaN;
        if (value === FROM_DEFAULT) [out.timeoutFromDefault, out.timeoutOrigin] = [true, { file: CMDLINE_ORIGIN }];
        else if (!Number.isInteger(n) || n < -1 || n > MAX_TIMEOUT) warn(`'${word}' ignored: the timeout must be whole seconds from 0 to ${MAX_TIMEOUT}, -1, or ${FROM_DEFAULT}`);
        else [out.timeout, out.timeoutFromDefault, out.timeoutOrigin] = [n, false, { file: CMDLINE_ORIGIN }];
        break;
      }
      case 'default':
        if (!value) warn(`'${word}' ignored: it needs a value (auto, or an id or title glob)`);
        else {
          out.default = value;
          out.defaultOrigin = CMDLINE_ORIGIN;
        }
        break;
      case 'dry_run': {
        const v = value === undefined ? '1' : value.toLowerCase();
        if (['1', 'y', 'yes', 'true', 'on'].includes(v)) out.dryRun = true;
        else if (['0', 'n', 'no', 'false', 'off'].includes(v)) out.dryRun = false;
        else warn(`'${word}' ignored: dry_run must be 1 or 0`);
        break;
      }
      default: {
        const guess = closest(name, CMDLINE_OPTIONS);
        warn(`'${word}' ignored: kexec_menu.${name} is not an option` + (guess ? ` (did you mean kexec_menu.${guess}?)` : ` (options: ${CMDLINE_OPTIONS.map((o) => PREFIX + o).join(', ')})`));
      }
    }
  }
  return { settings: out, diagnostics };
}

/**
 * The settings: the file (undefined: the built-in defaults), then the kernel command line's
 * overrides. Throws SettingsError for any problem in the file.
 */
export function loadSettings(file: string | undefined, kernelCmdline: string): LoadedSettings {
  return applyCmdline(file === undefined ? DEFAULT_SETTINGS : readSettingsFile(file), kernelCmdline);
}
