// The lines of the entry list: a heading per partition, its entries (numbered, for the digit
// keys), then the actions (rescue shell, reboot, power off). Selection is by id, so it
// survives entries appearing and vanishing around it.
import type { BootEntry } from '../entries/model';
import type { PartitionInfo } from '../fs/files';
import { IMAGE_PARTITION_NAME } from '../disks/roots';

export type ActionId = 'action:shell' | 'action:reboot' | 'action:power-off';

export type Row =
  | { readonly kind: 'group'; readonly label: string }
  | { readonly kind: 'entry'; readonly id: string; readonly number: number; readonly entry: BootEntry }
  | { readonly kind: 'action'; readonly id: ActionId; readonly label: string };

export type SelectableRow = Extract<Row, { id: string }>;

export function isSelectable(row: Row): row is SelectableRow {
  return row.kind !== 'group';
}

/** "sda2 · ext4 · bootfs": device, filesystem and label, as far as they are known. */
export function partitionLabel(info: PartitionInfo, dot: string): string {
  if (info.name === IMAGE_PARTITION_NAME && info.fstype === undefined) return 'menus built into this image';
  const parts = [info.name];
  if (info.fstype) parts.push(info.fstype);
  if (info.label) parts.push(info.label);
  else if (info.partlabel) parts.push(info.partlabel);
  return parts.join(` ${dot} `);
}

export interface RowOptions {
  readonly shell: boolean;
  readonly dot: string;
  /** Devices discovery has yet to look at: a "scanning..." heading each, after the entries. */
  readonly scanning?: readonly string[];
}

export function buildRows(entries: readonly BootEntry[], options: RowOptions): Row[] {
  const rows: Row[] = [];
  let group: string | undefined;
  entries.forEach((entry, i) => {
    // Entries of one partition are contiguous (the scanner reads partition by partition).
    if (entry.partition.name !== group) {
      group = entry.partition.name;
      rows.push({ kind: 'group', label: partitionLabel(entry.partition, options.dot) });
    }
    rows.push({ kind: 'entry', id: entry.id, number: i + 1, entry });
  });
  for (const device of options.scanning ?? []) rows.push({ kind: 'group', label: `${device} ${options.dot} scanning...` });
  rows.push({ kind: 'group', label: 'Actions' });
  if (options.shell) rows.push({ kind: 'action', id: 'action:shell', label: 'Rescue shell' });
  rows.push({ kind: 'action', id: 'action:reboot', label: 'Reboot' });
  rows.push({ kind: 'action', id: 'action:power-off', label: 'Power off' });
  return rows;
}

/** Index of the selectable row with `id`, or -1. */
export function rowIndex(rows: readonly Row[], id: string | undefined): number {
  if (id === undefined) return -1;
  return rows.findIndex((r) => isSelectable(r) && r.id === id);
}

/**
 * The selectable row `delta` selectable rows away from `from` (clamped at both ends), for
 * Up/Down (±1) and PgUp/PgDn (± a page).
 */
export function moveSelection(rows: readonly Row[], from: number, delta: number): number {
  const selectable = rows.map((r, i) => (isSelectable(r) ? i : -1)).filter((i) => i >= 0);
  if (selectable.length === 0) return -1;
  let pos = selectable.findIndex((i) => i >= from);
  if (pos === -1) pos = selectable.length - 1;
  else if (selectable[pos] !== from && delta > 0) pos -= 1; // `from` was a heading: Down goes to the next selectable
  const next = Math.max(0, Math.min(selectable.length - 1, pos + delta));
  return selectable[next]!;
}

export function firstSelectable(rows: readonly Row[]): number {
  return rows.findIndex(isSelectable);
}

export function lastSelectable(rows: readonly Row[]): number {
  for (let i = rows.length - 1; i >= 0; i--) if (isSelectable(rows[i]!)) return i;
  return -1;
}

/**
 * The first visible row so that `selected` is on screen, moving the window as little as
 * possible from `top` (a jump redraws the whole list; a step only two lines). The heading
 * just above the selection is brought into view when it fits.
 */
export function scrollFor(top: number, selected: number, height: number, total: number, rows?: readonly Row[]): number {
  if (height <= 0) return 0;
  let t = Math.max(0, Math.min(top, Math.max(0, total - height)));
  if (selected < 0) return t;
  let want = selected;
  if (rows && selected > 0 && rows[selected - 1]?.kind === 'group') want = selected - 1;
  if (want < t) t = want;
  if (selected >= t + height) t = selected - height + 1;
  return t;
}
