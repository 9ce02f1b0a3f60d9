// Fedora/RHEL GRUB's `blscfg` command (rhboot grub2, grub-core/commands/blscfg.c): reads
// the Boot Loader Spec entries of `$root` and adds one menu entry per file, in GRUB's own
// order (newest first by the file name's name-version-release), with an id equal to the
// file name without `.conf` (what `saved_entry` holds). Each entry's body is the script
// blscfg generates: `linux ($root)KERNEL OPTIONS`, `initrd ($root)…`, where OPTIONS has
// GRUB variables ($kernelopts, $tuned_params) expanded from the environment at that point.
import { readBlsEntries, BLS_ENTRY_DIRS } from '../bls';
import type { ParsedEntry } from '../model';
import { basename, dirname } from '../../fs/paths';
import type { CommandCall, Status } from './command-api';
import { Parser } from './parser';

/** The note the BLS reader adds for `$var` options; here GRUB's expansion is done instead. */
const GRUB_VARIABLE_NOTE = /GRUB variable/;

/** `blscfg` (and `bls_import`): one menu entry per BLS entry file. */
export function blscfg(c: CommandCall): Status {
  const mode = c.frame.mode;
  if (mode.kind !== 'menu') return 0;
  if (c.args.length > 0 && !c.args[0]!.startsWith('(')) {
    // `blscfg default`, `blscfg non-default`, `blscfg ID`: Fedora's partial listings.
    c.context.report(c.frame.file, c.line, 'info', `\`blscfg ${c.args[0]}\` lists only some BLS entries in GRUB; all are listed here`);
  }
  const { context, frame } = c;
  const root = frame.env.get('root') ?? context.devices.selfName;
  const device = context.devices.device(root.replace(/^\((.*)\)$/, '$1'));
  const blsdir = frame.env.get('blsdir');
  const folders = blsdir !== undefined ? [blsdir] : [...BLS_ENTRY_DIRS];
  const dir = folders.map((d) => context.files.findIgnoringCase(d)).find((d) => d !== undefined && context.files.isDir(d));
  if (dir === undefined) {
    const where = device.kind === 'search' ? device.description : 'this partition';
    context.report(frame.file, c.line, 'info', `blscfg reads Boot Loader Spec entries from ${folders.join(' or ')} on ${where}; ${device.kind === 'search' ? 'they are listed when that partition is scanned' : 'there are none here'}`);
    return 0;
  }
  const result = readBlsEntries(context.files, dir, context.partition, context.machine);
  for (const d of result.diagnostics) {
    // loader.conf is systemd-boot's; GRUB's blscfg never reads it.
    if (basename(d.file).toLowerCase() !== 'loader.conf') context.report(d.file, d.line ?? 1, d.severity, d.message);
  }
  const found = result.entries.map((entry) => ({ entry, id: grubId(entry) }));
  found.sort((a, b) => -compareBlsIds(a.id, b.id));
  for (const { entry, id } of found) {
    const source = entrySource(entry, frame.env.get.bind(frame.env));
    context.chargeParse(source);
    const parser = new Parser(source);
    const body = parser.parseAll();
    for (const p of parser.problems) context.report(entry.source.file, entry.source.line, 'warning', `the GRUB script blscfg makes from this entry: ${p.message}`);
    const title = entry.title;
    context.addMenuItem(mode.items, {
      kind: 'entry',
      title,
      id,
      explicitId: true,
      args: [title],
      body,
      hidden: false,
      restriction: 'unrestricted',
      notes: [...frame.notes, ...entry.notes.filter((n) => !GRUB_VARIABLE_NOTE.test(n))],
      bls: entry.version !== undefined ? { version: entry.version } : {},
      file: entry.source.file,
      line: entry.source.line,
    });
  }
  return 0;
}

/** GRUB's id for a BLS entry: the file name without `.conf` (boot counters kept, GRUB does not know them). */
function grubId(entry: ParsedEntry): string {
  return basename(entry.source.file).replace(/\.conf$/i, '');
}

/**
 * The menu entry script blscfg builds (create_entry): `options` with GRUB variables expanded
 * now (an unset variable expands to nothing; each value is followed by a space, as
 * blscfg's expand_val does), `$default_kernelopts` when the entry has no options, the
 * `$early_initrd` files and `$devicetree` as blscfg adds them.
 */
export function entrySource(entry: ParsedEntry, get: (name: string) => string | undefined): string {
  const options = entry.cmdline !== '' ? expandVariables(entry.cmdline, get) : expandVariables(get('default_kernelopts') ?? '', get);
  const lines = ['load_video', 'set gfxpayload=keep', 'insmod gzio', `linux ($root)${entry.kernel.path}${options !== '' ? ` ${options}` : ''}`];
  const early = (get('early_initrd') ?? '').split(' ').filter((s) => s !== '');
  const initrdPrefix = dirname(entry.initrds[0]?.path ?? entry.kernel.path);
  const initrds = [...early.map((name) => `${initrdPrefix === '/' ? '' : initrdPrefix}/${name}`), ...entry.initrds.map((r) => r.path)];
  if (initrds.length > 0) lines.push(`initrd ${initrds.map((p) => `($root)${p}`).join(' ')}`);
  const dt = entry.devicetree;
  if (dt?.kind === 'file') lines.push(`devicetree ($root)${dt.resource.path}`);
  else {
    const fallback = get('devicetree');
    if (fallback) {
      const kernelDir = dirname(entry.kernel.path);
      lines.push(`devicetree ($root)${kernelDir === '/' ? '' : kernelDir}/${expandVariables(fallback, get).trim()}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * blscfg's expand_val: `$name` (and, beyond blscfg, `${name}`) replaced by the variable's
 * value and a space; `\$` is left for the GRUB script lexer, which turns it into `$`.
 */
export function expandVariables(value: string, get: (name: string) => string | undefined): string {
  return value.replace(/(\\?)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))( ?)/g, (all, escape: string, braced?: string, bare?: string) => {
    if (escape) return all;
    const v = get((braced ?? bare)!);
    return v === undefined || v === '' ? '' : `${v} `;
  });
}

// ---- rpm-style version order (blscfg.c: vercmp, split_cmp, bls_cmp) -----------------------

const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => /^[A-Za-z]$/.test(c);

/** rpm's vercmp as blscfg.c has it: > 0 when a is newer. */
export function rpmVercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const at = (s: string, k: number): string => s[k] ?? '';
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]!) && a[i] !== '~' && a[i] !== '+') i++;
    while (j < b.length && !isAlnum(b[j]!) && b[j] !== '~' && b[j] !== '+') j++;
    if (at(a, i) === '~' || at(b, j) === '~') {
      if (at(a, i) !== '~') return 1;
      if (at(b, j) !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (at(a, i) === '+' || at(b, j) === '+') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (at(a, i) !== '+') return 1;
      if (at(b, j) !== '+') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    let ie = i;
    let je = j;
    const numeric = isDigit(a[i]!);
    const inSegment = numeric ? isDigit : isAlpha;
    while (ie < a.length && inSegment(a[ie]!)) ie++;
    while (je < b.length && inSegment(b[je]!)) je++;
    if (je === j) return numeric ? 1 : -1;
    let x = a.slice(i, ie);
    let y = b.slice(j, je);
    if (numeric) {
      x = x.replace(/^0+/, '');
      y = y.replace(/^0+/, '');
      if (x.length !== y.length) return x.length > y.length ? 1 : -1;
    }
    if (x !== y) return x > y ? 1 : -1;
    i = ie;
    j = je;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Splits NAME-VERSION-RELEASE at the last two dashes (blscfg's split_package_string). */
function splitNvr(s: string): { name: string; version: string; release: string } {
  const r = s.lastIndexOf('-');
  if (r < 0) return { name: s, version: '', release: '' };
  const release = s.slice(r + 1);
  const rest = s.slice(0, r);
  const v = rest.lastIndexOf('-');
  if (v < 0) return { name: rest, version: release, release: '' };
  return { name: rest.slice(0, v), version: rest.slice(v + 1), release };
}

/** blscfg's bls_cmp on two entry ids: > 0 when a is newer (GRUB lists newer first). */
export function compareBlsIds(a: string, b: string): number {
  const x = splitNvr(a);
  const y = splitNvr(b);
  return rpmVercmp(x.name, y.name) || rpmVercmp(x.version, y.version) || rpmVercmp(x.release, y.release);
}
