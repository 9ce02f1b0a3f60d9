// Our own menu format (docs/menus.md): YAML files with a top-level `entries:` list. They come
// from a partition (/boot/kexec-menu.yaml, /kexec-menu.yaml) or with the image (settings.menus
// folders). Every complaint names file, line and key; a bad entry costs that entry only.
import type { Diagnostic } from '../fs/diagnostic';
import type { FormatParser, ParseResult, ParsedEntry, PartitionSelector, Resource } from './model';
import type { PartitionFiles } from '../fs/files';
import { SELF } from './model';
import { dirname, normalizePath, resolvePath } from '../fs/paths';
import { containsError, describeValue, isMap, isScalar, isSeq, keyName, nodeLine, parseYaml, unknownKeyMessage, type YamlText } from './yaml-doc';

/** Where a partition's own menu is looked for, in this order (a separate /boot first). */
export const PARTITION_MENU_FILES = ['/boot/kexec-menu.yaml', '/kexec-menu.yaml'] as const;

/**
 * A menu is a short hand-written file (1,000 entries fit): anything larger is a mistake, not
 * a menu. The yaml package holds a few hundred bytes per character read, so this also bounds
 * what one menu costs (64 KiB: about 25 MB at the peak).
 */
export const MAX_MENU_BYTES = 64 * 1024;

const TOP_KEYS = ['entries'] as const;
const ENTRY_KEYS = ['title', 'id', 'version', 'kernel', 'initrd', 'dtb', 'dtb-dir', 'cmdline', 'reuse-cmdline', 'default', 'sort-key', 'partition'] as const;
const PARTITION_KEYS = ['uuid', 'partuuid', 'label', 'partlabel'] as const;
type PartitionKey = (typeof PARTITION_KEYS)[number];

/** An id made from a title: lower case, words joined by '-' ("Debian 12 (rescue)" → "debian-12-rescue"). */
export function idFromTitle(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9._]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'entry' : slug.slice(0, 80);
}

/** Keeps local ids unique across the menu files of one partition: later twins get `~2`, `~3`. */
class LocalIds {
  private readonly used = new Set<string>();
  /** The next number to try for each id taken twice: 10,000 entries of one title stay linear. */
  private readonly next = new Map<string, number>();

  take(id: string): { readonly id: string; readonly duplicate: boolean } {
    let candidate = id;
    let n = this.next.get(id) ?? 2;
    for (; this.used.has(candidate); n++) candidate = `${id}~${n}`;
    if (candidate !== id) this.next.set(id, n);
    this.used.add(candidate);
    return { id: candidate, duplicate: candidate !== id };
  }
}

interface FileContext {
  readonly y: YamlText;
  readonly file: string;
  readonly partition: string;
  readonly diagnostics: Diagnostic[];
  readonly ids: LocalIds;
}

function error(ctx: FileContext, line: number, message: string): void {
  ctx.diagnostics.push({ severity: 'error', file: ctx.file, line, message });
}

/** Reads one entry mapping; undefined (with errors reported) when the entry is unusable. */
function readEntry(ctx: FileContext, node: unknown, index: number): ParsedEntry | undefined {
  const entryLine = nodeLine(ctx.y, node);
  const what = `entry ${index + 1}`;
  if (!isMap(node)) {
    error(ctx, entryLine, `${what} must be a mapping with at least 'title' and 'kernel', not ${describeValue(node)}`);
    return undefined;
  }
  // A syntax error inside the entry was reported already; its values cannot be trusted.
  if (containsError(ctx.y, node)) return undefined;
  let ok = true;
  const fail = (line: number, message: string): void => {
    error(ctx, line, message);
    ok = false;
  };

  const text: Partial<Record<'title' | 'id' | 'version' | 'kernel' | 'dtb' | 'dtb-dir' | 'cmdline' | 'sort-key', string>> = {};
  const flags: Partial<Record<'reuse-cmdline' | 'default', boolean>> = {};
  let initrds: string[] = [];
  let selector: PartitionSelector = SELF;
  const present = new Set<string>();

  for (const pair of node.items) {
    const key = keyName(pair);
    present.add(key);
    const line = nodeLine(ctx.y, pair.key);
    const value = pair.value;
    const scalar = isScalar(value) ? value.value : undefined;
    switch (key) {
      case 'title':
      case 'id':
      case 'version':
      case 'kernel':
      case 'dtb':
      case 'dtb-dir':
      case 'cmdline':
      case 'sort-key':
        if (typeof scalar !== 'string') fail(line, `key '${key}' must be text, not ${describeValue(value)}${typeof scalar === 'number' ? ' (quote it)' : ''}`);
        else if (scalar.trim() === '' && key !== 'cmdline') fail(line, `key '${key}' is empty`);
        // A command line is one line: a block scalar (`cmdline: |`) may spread it over several.
        else text[key] = key === 'cmdline' ? scalar.trim().replace(/\s*\n\s*/g, ' ') : scalar;
        break;
      case 'reuse-cmdline':
      case 'default':
        if (typeof scalar !== 'boolean') fail(line, `key '${key}' must be true or false, not ${describeValue(value)}`);
        else flags[key] = scalar;
        break;
      case 'initrd':
        if (typeof scalar === 'string' && scalar.trim() !== '') initrds = [scalar];
        else if (isSeq(value) && value.items.every((i) => isScalar(i) && typeof i.value === 'string' && i.value.trim() !== '')) {
          initrds = value.items.map((i) => (isScalar(i) ? String(i.value) : ''));
        } else fail(line, `key 'initrd' must be a path or a list of paths, not ${describeValue(value)}`);
        break;
      case 'partition': {
        const sel = readSelector(value);
        if (typeof sel === 'string') fail(line, sel);
        else selector = sel;
        break;
      }
      default:
        fail(line, unknownKeyMessage(key, ENTRY_KEYS));
    }
  }
  // A key that is there but wrong was reported above; only a missing one is reported here.
  if (!present.has('title')) fail(entryLine, `${what} has no 'title'`);
  if (!present.has('kernel')) fail(entryLine, `${what}${text.title ? ` ('${text.title}')` : ''} has no 'kernel'`);
  if (text.dtb !== undefined && text['dtb-dir'] !== undefined) fail(entryLine, `${what} gives both 'dtb' and 'dtb-dir'; keep one`);
  if (!ok || text.title === undefined || text.kernel === undefined) return undefined;

  const dir = dirname(ctx.file);
  const resource = (path: string): Resource => ({ partition: selector, path: resolvePath(dir, path) });
  const local = ctx.ids.take(text.id ?? idFromTitle(text.title));
  if (local.duplicate && text.id !== undefined) {
    ctx.diagnostics.push({ severity: 'warning', file: ctx.file, line: entryLine, message: `id '${text.id}' is used twice; this entry gets '${local.id}'` });
  }
  const dtbPath = text.dtb ?? text['dtb-dir'];
  return {
    localId: local.id,
    title: text.title,
    ...(text.version !== undefined ? { version: text.version } : {}),
    kernel: resource(text.kernel),
    initrds: initrds.map(resource),
    ...(dtbPath !== undefined ? { devicetree: { kind: text.dtb !== undefined ? 'file' : 'dir', resource: resource(dtbPath) } as const } : {}),
    overlays: [],
    cmdline: text.cmdline ?? '',
    reuseCmdline: flags['reuse-cmdline'] ?? false,
    ...(text['sort-key'] !== undefined ? { sortKey: text['sort-key'] } : {}),
    isDefault: flags.default ?? false,
    notes: [],
    source: { format: 'yaml', file: ctx.file, line: entryLine, partition: ctx.partition },
  };
}

/** `partition: { uuid: X }` (exactly one of uuid, partuuid, label, partlabel) → a selector, or an error message. */
function readSelector(value: unknown): PartitionSelector | string {
  const usage = `key 'partition' must be a mapping with one of ${PARTITION_KEYS.join(', ')}, e.g. 'partition: { uuid: 3f1e… }'`;
  if (!isMap(value) || value.items.length !== 1) return usage;
  const pair = value.items[0]!;
  const key = keyName(pair);
  if (!(PARTITION_KEYS as readonly string[]).includes(key)) return `in 'partition': ${unknownKeyMessage(key, PARTITION_KEYS)}`;
  const v = isScalar(pair.value) ? pair.value.value : undefined;
  if (typeof v !== 'string' || v.trim() === '') return `'partition: ${key}' must be text, not ${describeValue(pair.value)}${typeof v === 'number' ? ' (quote it)' : ''}`;
  return { by: key as PartitionKey, value: v.trim() };
}

/** Parses the text of one menu file; `file` is its path inside the partition. */
export function parseYamlMenu(text: string, file: string, partition: string, ids: LocalIds = new LocalIds()): ParseResult {
  const diagnostics: Diagnostic[] = [];
  if (text.length > MAX_MENU_BYTES) {
    return { entries: [], diagnostics: [{ severity: 'error', file, line: 1, message: `menu is larger than ${MAX_MENU_BYTES / 1024} KiB; not read` }] };
  }
  const y = parseYaml(text);
  const ctx: FileContext = { y, file, partition, diagnostics, ids };
  for (const e of y.errors) error(ctx, e.line, e.message);
  const top = y.doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) {
    if (y.errors.length === 0) diagnostics.push({ severity: 'warning', file, line: 1, message: "menu is empty (it needs an 'entries:' list)" });
    return { entries: [], diagnostics };
  }
  if (!isMap(top)) {
    if (y.errors.length === 0) error(ctx, nodeLine(y, top), `the top level must be a mapping with an 'entries:' list, not ${describeValue(top)}`);
    return { entries: [], diagnostics };
  }
  let list: unknown;
  for (const pair of top.items) {
    const key = keyName(pair);
    if (key === 'entries') list = pair.value;
    else error(ctx, nodeLine(y, pair.key), unknownKeyMessage(key, TOP_KEYS));
  }
  const entries: ParsedEntry[] = [];
  if (list === undefined) {
    if (!y.errors.length) error(ctx, nodeLine(y, top), "menu has no 'entries:' list");
  } else if (!isSeq(list)) {
    error(ctx, nodeLine(y, list), `'entries' must be a list, not ${describeValue(list)}`);
  } else {
    list.items.forEach((node, i) => {
      const entry = readEntry(ctx, node, i);
      if (entry) entries.push(entry);
    });
  }
  return { entries, diagnostics };
}

/** Reads the given menu files of one partition (missing ones are skipped; a file reached twice by symlink is read once). */
function readMenus(files: PartitionFiles, paths: readonly string[], partition: string): ParseResult {
  const ids = new LocalIds();
  const entries: ParsedEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    // Found as every format finds its configs (ignoring case; a link leading off the partition is reported by the scan).
    const onDisk = files.findIgnoringCase(path);
    const real = onDisk === undefined ? undefined : files.realPath(onDisk);
    if (real === undefined || seen.has(real) || !files.isFile(real)) continue;
    seen.add(real);
    const text = files.readText(real);
    if (text === undefined) {
      diagnostics.push({ severity: 'error', file: normalizePath(onDisk ?? path), message: 'menu cannot be read' });
      continue;
    }
    const r = parseYamlMenu(text, normalizePath(onDisk ?? path), partition, ids);
    for (const e of r.entries) entries.push(e);
    for (const d of r.diagnostics) diagnostics.push(d);
  }
  return { entries, diagnostics };
}

/** A partition's own menu: /boot/kexec-menu.yaml and /kexec-menu.yaml. */
export const yamlParser: FormatParser = {
  format: 'yaml',
  parse: (files, partition) => readMenus(files, PARTITION_MENU_FILES, partition),
};

/** The image's menus: every *.yaml / *.yml at the top of a menus folder, in name order. */
export const imageMenuParser: FormatParser = {
  format: 'yaml',
  parse: (files, partition) => {
    const names = (files.list('/') ?? []).filter((n) => /\.ya?ml$/i.test(n)).sort();
    return readMenus(
      files,
      names.map((n) => `/${n}`),
      partition,
    );
  },
};
