// `kexec-menu list`: the menu as text or JSON, without the UI. Diagnostics are listed, not
// fatal (exit 0); only bad usage and bad settings exit 2.
import { machineContextFromSystem } from '../machine/context';
import type { BootEntry } from '../entries/model';
import type { Diagnostic } from '../fs/diagnostic';
import { openImageMenus } from '../disks/roots';
import { PARSERS } from '../entries/scan/parsers';
import { scanPartitions, type Menu } from '../entries/scan/scan';
import { type TimeoutSource, timeoutSentence } from '../entries/scan/timeout';
import { UsageError, parseArgs } from './args';
import { SCAN_OPTIONS, openPartitions, scanInputs } from './scan-options';
import { NET_OPTIONS, NET_USAGE, lookupFromArgs, withNetwork } from './net-options';
import { scanNetwork } from '../net/source';
import { jsonLine, writeOut } from './output';
import { clip, printable } from '../ui/terminal-text';

const USAGE = 'usage: kexec-menu list [--json] [--config FILE] [--root DIR[=uuid:X,label:Y,partuuid:Z,partlabel:W,name:N] ...] [--cmdline STRING] ' + NET_USAGE;

export async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { ...SCAN_OPTIONS, ...NET_OPTIONS, json: {}, help: {} });
  if (args.flags.has('help')) {
    writeOut(USAGE + '\n');
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}' (${USAGE.slice(7)})`);
  const inputs = scanInputs(args);
  const lookup = lookupFromArgs(args);
  // --net alone reads the boot server only; with --root, those trees and the server.
  const source = lookup && inputs.roots.length === 0 ? { partitions: [], diagnostics: [], close: async () => {} } : await openPartitions(inputs);
  try {
    const machine = machineContextFromSystem();
    const disks = scanPartitions(source.partitions, inputs.settings, machine, PARSERS, openImageMenus(inputs.settings.menus));
    const menu = lookup ? withNetwork(disks, await scanNetwork(lookup, machine), inputs.settings) : disks;
    const diagnostics = [...inputs.diagnostics, ...source.diagnostics, ...menu.diagnostics];
    writeOut(args.flags.has('json') ? jsonLine(menuJson(menu, diagnostics)) : menuTable(menu, diagnostics));
  } finally {
    await source.close();
  }
  return 0;
}

/** The JSON shape `list --json` prints (documented in docs/menus.md). */
export interface ListJson {
  entries: {
    id: string;
    title: string;
    version: string | null;
    /** Host paths; null (and [] for initrd) when the entry is unresolved. */
    kernel: string | null;
    initrd: string[];
    /** A file, or with dtbKind 'dir' the folder the DTB is picked from by `compatible`. */
    dtb: string | null;
    dtbKind: 'file' | 'dir' | null;
    cmdline: string;
    reuseCmdline: boolean;
    default: boolean;
    resolved: boolean;
    reason?: string;
    architecture?: string;
    notes: string[];
    source: { format: string; file: string; line: number; partition: string };
  }[];
  default: string | null;
  timeout: number;
  /** Where `timeout` comes from: the settings file (and line), the kernel command line, or the default entry's config file and line. */
  timeoutSource: TimeoutSource | null;
  diagnostics: { severity: string; file: string; line: number | null; message: string }[];
}

export function menuJson(menu: Menu, diagnostics: readonly Diagnostic[]): ListJson {
  return {
    entries: menu.entries.map((e) => {
      const r = e.resolution;
      const dt = r.ok ? r.files.devicetree : undefined;
      return {
        id: e.id,
        title: e.title,
        version: e.version ?? null,
        kernel: r.ok ? r.files.kernel : null,
        initrd: r.ok ? [...r.files.initrds] : [],
        dtb: dt ? dt.path : null,
        dtbKind: dt ? dt.kind : null,
        cmdline: e.cmdline,
        reuseCmdline: e.reuseCmdline,
        default: e.id === menu.defaultId,
        resolved: r.ok,
        ...(r.ok ? {} : { reason: r.reason }),
        ...(e.architecture !== undefined ? { architecture: e.architecture } : {}),
        notes: [...e.notes],
        source: { format: e.source.format, file: e.source.file, line: e.source.line, partition: e.source.partition },
      };
    }),
    default: menu.defaultId ?? null,
    timeout: menu.timeout,
    timeoutSource: menu.timeoutSource ?? null,
    diagnostics: diagnostics.map((d) => ({ severity: d.severity, file: d.file, line: d.line ?? null, message: d.message })),
  };
}

function status(e: BootEntry): string {
  return e.resolution.ok ? e.resolution.files.kernel : `cannot boot: ${e.resolution.reason}`;
}

export function diagnosticLine(d: Diagnostic): string {
  return `${d.severity}: ${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}`;
}

/** A plain table: index, default marker, title, version, partition, format, kernel or reason. */
export function menuTable(menu: Menu, diagnostics: readonly Diagnostic[]): string {
  const header = ['#', ' ', 'TITLE', 'VERSION', 'PARTITION', 'FORMAT', 'KERNEL'];
  // Each cell on one line, whatever a disk put in it: a line feed in a title would start a row of its own.
  const cell = (text: string) => printable(text, false);
  const rows = menu.entries.map((e, i) => [
    String(i + 1),
    e.id === menu.defaultId ? '*' : ' ',
    clip(cell(e.title), 60),
    clip(cell(e.version ?? '-'), 24),
    cell(e.partition.name),
    e.source.format,
    cell(status(e)),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : c === 0 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  const timeout = timeoutSentence(menu.timeout, menu.timeoutSource);
  const count = `${menu.entries.length} ${menu.entries.length === 1 ? 'entry' : 'entries'}`;
  out.push(menu.defaultId ? `${count}; default ${menu.defaultId}; ${timeout}` : `${count}; no default: nothing can boot`);
  if (rows.length > 0) out.push(line(header), ...rows.map(line));
  if (diagnostics.length > 0) out.push('', ...diagnostics.map((d) => cell(diagnosticLine(d))));
  return out.join('\n') + '\n';
}
