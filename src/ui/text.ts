// The words and lines of the menu, as plain text: entry lines, the details pane, the status
// and help lines, the help screen, progress. The full-screen view and the plain prompt both
// use them; tests read them without a terminal.
import type { BootEntry, Resource } from '../entries/model';
import type { BootProgress } from './backend';
import type { MenuController } from './controller';
import { clip } from './terminal-text';
import type { Row } from './rows';

/** Word-wraps `text` to `width` columns; a word longer than a line is cut. Keeps blank lines. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/ +/)) {
      let rest = word;
      while (rest.length > w) {
        if (line) {
          out.push(line);
          line = '';
        }
        out.push(rest.slice(0, w));
        rest = rest.slice(w);
      }
      if (!line) line = rest;
      else if (line.length + 1 + rest.length <= w) line += ' ' + rest;
      else {
        out.push(line);
        line = rest;
      }
    }
    out.push(line);
  }
  return out;
}

/** "Debian GNU/Linux (6.1.0-13-amd64)": the version only when the title does not say it. */
export function entryTitle(e: BootEntry): string {
  return e.version && !e.title.includes(e.version) ? `${e.title} (${e.version})` : e.title;
}

/**
 * One line of the list, `width` columns at most: a selection mark ('>', besides the
 * inverse video, for terminals that show no attributes), the entry's number for the digit
 * keys, '*' for the default and '!' for an entry that cannot boot, '#' for one that boots
 * only with the password (entries/scan/trust.ts).
 */
export function rowText(row: Row, ctx: { selected: boolean; defaultId?: string; cannotBoot?: string }, width: number): string {
  if (row.kind === 'group') return clip(` ${row.label}`, width);
  const sel = ctx.selected ? '>' : ' ';
  if (row.kind === 'action') {
    const key = row.id === 'action:shell' ? ' (s)' : '';
    return clip(`${sel}       ${row.label}${key}`, width);
  }
  const mark = `${row.id === ctx.defaultId ? '*' : ' '}${ctx.cannotBoot !== undefined ? '!' : row.entry.needsPassword !== undefined ? '#' : ' '}`;
  return clip(`${sel}${String(row.number).padStart(3)} ${mark} ${entryTitle(row.entry)}`, width);
}

/** A file as its config names it: the path, and the partition when it is another one. */
function resourceText(r: Resource): string {
  const p = r.partition;
  if (p.by === 'self') return r.path;
  const value = p.value.length > 13 ? `${p.value.slice(0, 12)}…` : p.value;
  return `${r.path} (${p.by === 'unmappable' ? value : `${p.by.toUpperCase()}=${value}`})`;
}

/** Label and text pairs of the details pane for a row. */
export function detailFields(row: Row | undefined, ctrl: Pick<MenuController, 'cannotBoot' | 'deviceTreeNote' | 'editorAllowed' | 'machineWarning'>): [string, string][] {
  if (!row || row.kind === 'group') return [];
  if (row.kind === 'action') {
    const what: Record<typeof row.id, string> = {
      'action:shell': 'Starts a shell on this console; leaving it comes back to the menu.',
      'action:reboot': 'Restarts the machine (asks first).',
      'action:power-off': 'Turns the machine off (asks first).',
    };
    return [['action', what[row.id]]];
  }
  const e = row.entry;
  const out: [string, string][] = [];
  const problem = ctrl.cannotBoot(e);
  if (problem !== undefined) out.push(['cannot', problem]);
  else {
    const warning = ctrl.machineWarning();
    if (warning !== undefined) out.push(['warning', warning]);
  }
  out.push(['kernel', resourceText(e.kernel)]);
  if (e.initrds.length > 0) out.push(['initrd', e.initrds.map(resourceText).join(' ')]);
  if (e.devicetree) {
    const base = e.devicetree.kind === 'file' ? resourceText(e.devicetree.resource) : `picked from ${resourceText(e.devicetree.resource)}`;
    const why = ctrl.deviceTreeNote(e);
    out.push(['dtb', why ? `${base}: ${why}` : base]);
  }
  if (e.overlays.length > 0) out.push(['overlay', e.overlays.map(resourceText).join(' ')]);
  out.push(['cmdline', (e.cmdline || '(empty)') + (e.reuseCmdline ? ' + the running kernel\'s' : '')]);
  out.push(['source', `${e.source.format} ${e.source.file}:${e.source.line} on ${e.source.partition}`]);
  for (const n of e.notes) out.push(['note', n]);
  return out;
}

/**
 * The details pane as lines of `width`: each field's label in a column of its own, its text
 * wrapped beside it; the command line may take several lines, the rest at most two, so all
 * fit in `height` lines where possible.
 */
export function detailLines(fields: readonly [string, string][], width: number, height: number): string[] {
  const labelWidth = 8;
  const textWidth = Math.max(10, width - labelWidth);
  const wrapped = fields.map(([label, text]) => ({ label, lines: wrap(text, textWidth) }));
  // Give every field one line, then spread what is left, the command line first.
  const budget = wrapped.map(() => 1);
  let left = height - wrapped.length;
  const roomy = (i: number) => Number(['cmdline', 'cannot', 'warning'].includes(wrapped[i]!.label));
  const order = [...wrapped.keys()].sort((a, b) => roomy(b) - roomy(a));
  for (const i of order) {
    const extra = Math.min(left, wrapped[i]!.lines.length - 1);
    budget[i]! += Math.max(0, extra);
    left -= Math.max(0, extra);
  }
  const out: string[] = [];
  wrapped.forEach(({ label, lines }, i) => {
    const shown = lines.slice(0, budget[i]);
    if (shown.length < lines.length) shown[shown.length - 1] = clip(shown[shown.length - 1]! + ' …', textWidth);
    shown.forEach((l, k) => out.push(clip(`${k === 0 ? label.padEnd(labelWidth) : ' '.repeat(labelWidth)}${l}`, width)));
  });
  return out.slice(0, Math.max(0, height));
}

export function sizeText(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export function progressText(p: BootProgress): string {
  return `Reading ${p.file}: ${sizeText(p.done)} of ${sizeText(p.total)}`;
}

/**
 * "Booting 'TITLE' in N s — any key to stop", with a long title shortened so that the way to
 * stop it always fits the line. The room is reserved for three digits, so the cut does not
 * move as the seconds count down (a tick rewrites only the digits on a slow line).
 */
export function countdownText(title: string, remaining: number, width = Infinity): string {
  const tail = ` s — any key to stop`;
  const fixed = `Booting '' in 999${tail}`.length;
  const room = width - fixed;
  const shown = title.length > room && room >= 8 ? `${title.slice(0, room - 1)}…` : title;
  return `Booting '${shown}' in ${remaining}${tail}`;
}

/** The countdown holds for the boot servers, where its default may come from. */
export function networkWaitText(waitingFor: readonly string[]): string {
  return `Waiting for ${waitingFor.length > 0 ? waitingFor.join(', ') : 'the network'} before the countdown — any key to stop`;
}

/** The status line: the countdown (or what it waits for), else a message, else what is wrong with the selection. */
export function statusText(ctrl: Pick<MenuController, 'countdown' | 'countdownTarget' | 'message' | 'selected' | 'cannotBoot'>, width = Infinity): string {
  const c = ctrl.countdown;
  // Only while counting down: finding the target walks every entry, and the status line is
  // redrawn after each background check.
  const target = c.kind === 'running' ? ctrl.countdownTarget : undefined;
  if (c.kind === 'running' && target) return countdownText(target.title, c.remaining, width);
  if (c.kind === 'network') return networkWaitText(c.waitingFor);
  if (ctrl.message) return ctrl.message;
  const row = ctrl.selected;
  if (row?.kind === 'entry') {
    const why = ctrl.cannotBoot(row.entry);
    if (why !== undefined) return `Cannot boot: ${why}`;
    if (row.entry.needsPassword !== undefined) return `Boots only with the password: ${row.entry.needsPassword}`;
  }
  return '';
}

/** The help line for what is on screen. */
export function helpLine(ctrl: Pick<MenuController, 'overlay' | 'editorAllowed' | 'shellAllowed'>): string {
  const o = ctrl.overlay;
  switch (o.kind) {
    case 'none':
      return [
        '↑↓ select',
        'Enter boot',
        ...(ctrl.editorAllowed ? ['e edit'] : []),
        'd details',
        'r rescan',
        'l log',
        ...(ctrl.shellAllowed ? ['s shell'] : []),
        '? help',
      ].join('  ');
    case 'help':
      return 'Any key: back to the menu';
    case 'dialog':
      return o.confirm ? 'Enter/y: yes  Esc/n: no' : 'Enter or Esc: back to the menu';
    case 'password':
      return 'Enter: check  Esc: cancel';
    case 'edit':
      return 'Enter boot  Esc cancel  ^A/^E start/end  ^K/^U cut to end/start';
    case 'busy':
      return 'Reading and loading; please wait';
  }
}

/** The help screen's lines. */
export function helpScreen(ctrl: Pick<MenuController, 'editorAllowed' | 'shellAllowed'>): string[] {
  return [
    'Up/Down, j/k     select an entry or action',
    'PgUp/PgDn        a page up or down',
    'Home/End         first or last',
    '1-9 (and 10...)  jump to that entry',
    'Enter            boot the entry, or run the action',
    ctrl.editorAllowed ? 'e                edit the command line for this boot only' : 'e                (editing is turned off)',
    'Tab or d         show or hide the details',
    'r                read the disks again',
    'l                show or hide the log',
    ctrl.shellAllowed ? 's                rescue shell' : 's                (the shell is turned off)',
    'q                leave the menu',
    '',
    'Any key stops the countdown.',
    '* marks the default; ! an entry that cannot boot here; # one that boots only',
    'with the password (files of another disk than its config\'s, or a boot server',
    'the settings do not trust).',
  ];
}
