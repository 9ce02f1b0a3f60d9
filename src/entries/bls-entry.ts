// One Boot Loader Specification entry file (/loader/entries/NAME.conf): what its name says
// (id, boot counter) and what its keys say (title, version, kernel, initrds, options…), as
// systemd 252 reads them. Where systemd-boot drops an entry (another architecture) we drop it
// too; `efi` programs are dropped because kexec can only start Linux kernels.
import type { BootCounting, ParsedEntry, Resource } from './model';
import type { Diagnostic } from '../fs/diagnostic';
import type { MachineContext } from '../machine/context';
import { SELF } from './model';
import { basename, normalizePath } from '../fs/paths';
import { FileDiagnostics, splitKeyLines } from './bls-lines';

/** Fedora's GRUB blscfg extensions: meaningful to GRUB only, so not worth a warning here. */
const GRUB_EXTENSION_KEYS: ReadonlySet<string> = new Set(['grub_users', 'grub_arg', 'grub_class', 'grub_hotkey']);

/**
 * The longest title kept. Real titles are a line of a screen; a longer one (a 1 MB `title`
 * line) is cut here with a warning, so the menu, the default globs and every title
 * comparison stay cheap.
 */
export const MAX_TITLE_LENGTH = 1024;

/** What an entry file's name says: its id and its boot counter (`NAME+LEFT-DONE.conf`). */
export interface BlsFileName {
  /** The name without the boot counter, `.conf` kept: what systemd sorts and `default` matches. */
  readonly id: string;
  /** The id without `.conf`: our stable local id (boot counting renames the file every boot). */
  readonly localId: string;
  readonly bootCounting?: BootCounting;
}

/** Splits an entry file name; undefined when it does not end in `.conf` (any case). */
export function parseBlsFileName(name: string): BlsFileName | undefined {
  if (!/\.conf$/i.test(name) || name.length <= '.conf'.length) return undefined;
  const stem = name.slice(0, -'.conf'.length);
  const suffix = name.slice(-'.conf'.length);
  // As bootctl's boot_filename_extract_tries: the last '+' before the suffix, digits, an
  // optional '-' and digits, and nothing else; counters above INT_MAX are not counters.
  const m = /^(.*)\+(\d+)(?:-(\d+))?$/s.exec(stem);
  if (m && m[1] !== undefined && m[1] !== '') {
    const left = Number(m[2]);
    const done = m[3] === undefined ? 0 : Number(m[3]);
    if (left <= 0x7fffffff && done <= 0x7fffffff) {
      return { id: m[1] + suffix, localId: m[1], bootCounting: { left, done } };
    }
  }
  return { id: name, localId: stem };
}

/** A BLS path (relative to $BOOT, leading '/' optional) as a path inside the partition. */
function blsPath(key: string, value: string, line: number, diags: FileDiagnostics): string | undefined {
  // systemd refuses a trailing '/': entries name files, never folders.
  if (value.endsWith('/')) {
    diags.add('warning', `'${key}' names a folder (${value}); line ignored`, line);
    return undefined;
  }
  return normalizePath(value);
}

/** A path on the entry's own partition. */
export function resource(path: string): Resource {
  return { partition: SELF, path };
}

/** What the ordering and the title rules need besides the entry itself. */
export interface Candidate {
  readonly entry: ParsedEntry;
  readonly id: string;
  readonly machineId?: string;
  /** The `title` key, before any fallback or disambiguation. */
  readonly ownTitle?: string;
}

export type Detailed = { readonly candidate?: Candidate; readonly diagnostics: Diagnostic[] };

/** A title no longer than MAX_TITLE_LENGTH (cut on a character boundary, with a warning). */
function cappedTitle(value: string, line: number, diags: FileDiagnostics): string {
  if (value.length <= MAX_TITLE_LENGTH) return value;
  diags.add('warning', `title is ${value.length} characters long; only its first ${MAX_TITLE_LENGTH} are shown`, line);
  const cut = value.charCodeAt(MAX_TITLE_LENGTH - 1);
  // Do not keep half of a surrogate pair.
  return value.slice(0, cut >= 0xd800 && cut <= 0xdbff ? MAX_TITLE_LENGTH - 1 : MAX_TITLE_LENGTH);
}

/** The first GRUB-style `$variable` in a value, if any (Fedora's `$kernelopts`, `$tuned_params`). */
function grubVariable(value: string): string | undefined {
  return /\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(value)?.[0];
}

/** An entry file's candidate for the menu (undefined when it lists nothing) and its diagnostics. */
export function parseDetailed(text: string, file: string, partition: string, machine: MachineContext): Detailed {
  const diags = new FileDiagnostics(file);
  const name = parseBlsFileName(basename(file)) ?? { id: basename(file), localId: basename(file) };
  const split = splitKeyLines(text, diags);
  if (!split.ok) return { diagnostics: diags.list };

  let title: string | undefined;
  let version: string | undefined;
  let machineId: string | undefined;
  let sortKey: string | undefined;
  let architecture: string | undefined;
  let architectureLine = 0;
  let efiLine = 0;
  let linux: string | undefined;
  let efi: string | undefined;
  let devicetree: string | undefined;
  const initrds: string[] = [];
  const overlays: string[] = [];
  const options: string[] = [];

  for (const { line, key, value } of split.lines) {
    if (value === '') {
      // systemd accepts these two empty (an empty list); any other key needs a value.
      if (key !== 'options' && key !== 'devicetree-overlay') diags.add('warning', `'${key}' has no value; line ignored`, line);
      continue;
    }
    switch (key) {
      case 'title':
        title = cappedTitle(value, line, diags);
        break;
      case 'version':
        version = value;
        break;
      case 'machine-id':
        machineId = value;
        break;
      case 'sort-key':
        sortKey = value;
        break;
      case 'architecture':
        architecture = value;
        architectureLine = line;
        break;
      case 'options':
        options.push(value);
        break;
      case 'linux':
        linux = blsPath(key, value, line, diags) ?? linux;
        break;
      case 'efi':
        efi = blsPath(key, value, line, diags) ?? efi;
        efiLine = line;
        break;
      case 'devicetree':
        devicetree = blsPath(key, value, line, diags) ?? devicetree;
        break;
      case 'initrd': {
        const p = blsPath(key, value, line, diags);
        if (p !== undefined) initrds.push(p);
        break;
      }
      case 'devicetree-overlay':
        for (const part of value.split(/[ \t]+/)) {
          const p = part === '' ? undefined : blsPath(key, part, line, diags);
          if (p !== undefined) overlays.push(p);
        }
        break;
      default:
        if (!GRUB_EXTENSION_KEYS.has(key)) diags.add('warning', `unknown key '${key}' ignored`, line);
    }
  }

  if (architecture !== undefined && architecture.toLowerCase() !== machine.efiArch.toLowerCase()) {
    diags.add('info', `entry is for architecture ${architecture}, not this machine's ${machine.efiArch}; not listed`, architectureLine);
    return { diagnostics: diags.list };
  }
  if (linux === undefined) {
    if (efi !== undefined) diags.add('info', `entry starts an EFI program (${efi}), which kexec cannot run; not listed`, efiLine);
    else diags.add('error', `entry has no 'linux' key, so there is no kernel to boot; not listed`, 1);
    return { diagnostics: diags.list };
  }
  if (efi !== undefined) diags.add('info', `entry names both a kernel and an EFI program (${efi}); booting the kernel`, efiLine);

  const cmdline = options.join(' ');
  const notes: string[] = [];
  const counting = name.bootCounting;
  if (counting !== undefined && counting.left === 0) {
    notes.push(
      counting.done > 0
        ? `no boot tries left: it failed to boot ${counting.done} time${counting.done === 1 ? '' : 's'}`
        : 'no boot tries left: systemd-boot counts it as failed',
    );
  }
  const variable = grubVariable(cmdline) ?? initrds.map(grubVariable).find((v) => v !== undefined);
  if (variable !== undefined) notes.push(`it uses the GRUB variable ${variable}, which only GRUB expands (from grubenv), so it is passed as written`);

  const entry: ParsedEntry = {
    localId: name.localId,
    title: title ?? name.id,
    ...(version !== undefined ? { version } : {}),
    kernel: resource(linux),
    initrds: initrds.map(resource),
    ...(devicetree !== undefined ? { devicetree: { kind: 'file' as const, resource: resource(devicetree) } } : {}),
    overlays: overlays.map(resource),
    cmdline,
    reuseCmdline: false,
    ...(architecture !== undefined ? { architecture } : {}),
    ...(sortKey !== undefined ? { sortKey } : {}),
    isDefault: false,
    ...(counting !== undefined ? { bootCounting: counting } : {}),
    notes,
    source: { format: 'bls', file, line: 1, partition },
  };
  return {
    candidate: { entry, id: name.id, ...(machineId !== undefined ? { machineId } : {}), ...(title !== undefined ? { ownTitle: title } : {}) },
    diagnostics: diags.list,
  };
}

/**
 * Parses one entry file (`file` is its path inside the partition, used for the id and the
 * messages). Paths stay relative to the partition root as written. Never throws.
 */
export function parseBlsEntryFile(text: string, file: string, partition: string, machine: MachineContext): { entry?: ParsedEntry; diagnostics: Diagnostic[] } {
  const { candidate, diagnostics } = parseDetailed(text, file, partition, machine);
  return candidate ? { entry: candidate.entry, diagnostics } : { diagnostics };
}

