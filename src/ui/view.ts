// The full-screen menu, drawn with blessed. It never reads keys (see keys.ts and run.ts:
// blessed's own decoder cannot join escape sequences split across reads), so blessed gets
// an input stream that stays silent. The controller says which parts changed; only those
// get new content, and blessed writes only the cells that differ, so a countdown tick
// costs a few bytes on a slow line.
import type { Widgets } from 'blessed';
import type { BootProgress } from './backend';
import type { MenuController, Part } from './controller';
import { computeLayout, type Layout, type Rect } from './layout';
import { visibleWindow } from './line-editor';
import { type Row, scrollFor } from './rows';
import { type ScreenOptions, openScreen } from './screen';
import { asciiOnly, clip, printable } from './terminal-text';
import { detailFields, detailLines, helpLine, helpScreen, progressText, rowText, statusText, wrap } from './text';

export interface ViewOptions extends ScreenOptions {
  /** "kexec-menu 0.1.0" */
  readonly product: string;
  /** The machine's name (DMI product name, device-tree model), if known. */
  readonly machine?: string;
}

// SGR sequences inside content: blessed turns them into cell attributes. Text from disks
// never carries any (printable() replaces control characters).
const INVERSE = '\x1b[7m';
const BOLD = '\x1b[1m';
/**
 * Grey: bright black where the terminal has 16 colours or more; on an 8-colour terminal
 * (TERM=linux, the VGA console) blessed would send bright black as plain black, which is
 * black on black there, so bold black, which the console shows as dark grey.
 */
const greyFor = (colours: number): string => (colours >= 16 ? '\x1b[90m' : '\x1b[1;30m');
const RESET = '\x1b[m';

/** blessed-contrib's log widget (a blessed List), loaded from its own file. */
interface LogWidget extends Widgets.BoxElement {
  log(line: string): void;
  logLines: string[];
}
/** blessed-contrib's gauge, loaded from its own file. */
interface GaugeWidget extends Widgets.BoxElement {
  setPercent(p: number): void;
}

export class MenuView {
  readonly screen: Widgets.Screen;
  private readonly header: Widgets.BoxElement;
  private readonly list: Widgets.BoxElement;
  /** The list's frame as blessed completed it, put back when the terminal grows again. */
  private readonly listBorder: object;
  private readonly details: Widgets.BoxElement;
  private readonly status: Widgets.BoxElement;
  private readonly help: Widgets.BoxElement;
  private readonly overlay: Widgets.BoxElement;
  private logWidget: LogWidget | undefined;
  private logSeen = 0;
  private gauge: GaugeWidget | undefined;
  private layout!: Layout;
  private listTop = 0;
  private readonly colors: boolean;
  private readonly grey: string;
  private destroyed = false;

  constructor(
    private readonly ctrl: MenuController,
    private readonly options: ViewOptions,
  ) {
    const { screen, box, colors } = openScreen(options);
    this.screen = screen;
    this.colors = colors;
    this.grey = greyFor((screen.program as unknown as { tput: { colors?: number } }).tput.colors ?? 0);
    this.header = box({ top: 0, left: 0, height: 1 });
    this.list = box({ label: ' Boot menu ', border: { type: 'line' } });
    this.listBorder = (this.list as unknown as { border: object }).border;
    this.details = box({ label: ' Details ', border: { type: 'line' } });
    this.status = box({ height: 1 });
    this.help = box({ height: 1 });
    this.overlay = box({ border: { type: 'line' }, hidden: true });
    this.screen.on('resize', () => this.redrawAll());
    ctrl.onChange((parts) => this.update(parts));
    this.redrawAll();
  }

  /** Text as the terminal can show it. */
  private t(text: string): string {
    return this.options.ascii ? asciiOnly(text) : text;
  }

  private get cols(): number {
    return Math.max(1, (this.screen.width as number) || 80);
  }
  private get rows(): number {
    return Math.max(3, (this.screen.height as number) || 24);
  }

  private place(el: Widgets.BoxElement, r: Rect | undefined): void {
    if (!r || r.height <= 0) {
      el.hide();
      return;
    }
    el.top = r.top;
    el.left = r.left;
    el.width = r.width;
    el.height = r.height;
    el.show();
  }

  /** Recomputes the layout and every part (start, resize, back from the shell). */
  redrawAll(): void {
    if (this.destroyed) return;
    this.update(new Set<Part>(['list', 'details', 'status', 'help', 'overlay', 'log']), true);
  }

  private update(parts: ReadonlySet<Part>, relayout = false): void {
    if (this.destroyed) return;
    const want = { details: this.ctrl.showDetails, log: this.ctrl.showLog };
    const next = computeLayout(this.cols, this.rows, want);
    const moved = relayout || !this.layout || JSON.stringify(next) !== JSON.stringify(this.layout);
    if (moved) {
      this.layout = next;
      this.applyLayout();
    }
    if (moved || parts.has('list')) this.drawList();
    if (moved || parts.has('details')) this.drawDetails();
    if (moved || parts.has('status')) this.status.setContent(this.t(clip(printable(statusText(this.ctrl, this.cols), false), this.cols)));
    if (moved || parts.has('help')) this.help.setContent(this.t(clip(helpLine(this.ctrl), this.cols)));
    if (moved || parts.has('log')) this.drawLog();
    if (moved || parts.has('overlay')) this.drawOverlay();
    this.screen.render();
  }

  private applyLayout(): void {
    const l = this.layout;
    this.place(this.header, l.header);
    this.header.setContent(this.headerText());
    // A frame only when there is room for it (blessed draws a border when `border` is set).
    const listEl = this.list as unknown as { border?: object };
    if (l.list.bordered) listEl.border = this.listBorder;
    else delete listEl.border;
    this.place(this.list, l.list);
    this.place(this.details, l.details);
    this.place(this.status, l.status);
    this.place(this.help, l.help);
    this.ctrl.pageSize = Math.max(1, this.listInnerHeight() - 1);
    if (this.logWidget) this.place(this.logWidget, l.log);
  }

  private headerText(): string {
    const left = ` ${this.options.product}`;
    const machine = this.options.machine ? printable(this.options.machine, false) : '';
    const room = this.cols - left.length - 2;
    const right = room > 8 ? clip(machine, room) : '';
    return this.t(BOLD + left + ' '.repeat(Math.max(1, this.cols - left.length - right.length - 1)) + right + RESET);
  }

  private listInnerHeight(): number {
    const l = this.layout.list;
    return Math.max(0, l.height - (l.bordered ? 2 : 0));
  }

  private drawList(): void {
    const rows = this.ctrl.listRows;
    const height = this.listInnerHeight();
    const width = Math.max(1, this.layout.list.width - (this.layout.list.bordered ? 2 : 0));
    const selected = this.ctrl.selectedIndex;
    this.listTop = scrollFor(this.listTop, selected, height, rows.length, rows);
    const lines: string[] = [];
    for (let i = this.listTop; i < Math.min(rows.length, this.listTop + height); i++) lines.push(this.rowLine(rows[i]!, i === selected, width));
    this.list.setContent(lines.join('\n'));
    const above = this.listTop > 0;
    const below = this.listTop + height < rows.length;
    this.list.setLabel(this.t(` Boot menu${above || below ? ` ${above ? '↑' : ' '}${below ? '↓' : ' '}` : ''} `));
  }

  private rowLine(row: Row, selected: boolean, width: number): string {
    const cannot = row.kind === 'entry' ? this.ctrl.cannotBoot(row.entry) : undefined;
    const text = this.t(printable(rowText(row, { selected, ...(this.ctrl.defaultId ? { defaultId: this.ctrl.defaultId } : {}), ...(cannot !== undefined ? { cannotBoot: cannot } : {}) }, width), false));
    if (selected) return INVERSE + text.padEnd(width) + RESET;
    if (row.kind === 'group') return BOLD + text + RESET;
    if (cannot !== undefined && this.colors) return this.grey + text + RESET;
    return text;
  }

  private drawDetails(): void {
    if (!this.layout.details) return;
    const width = this.layout.details.width - 2;
    const fields = detailFields(this.ctrl.selected, this.ctrl).map(([l, t]) => [l, printable(t, false)] as [string, string]);
    this.details.setContent(this.t(detailLines(fields, width, this.layout.details.height - 2).join('\n')));
  }

  private drawLog(): void {
    const r = this.layout.log;
    if (!r) {
      this.logWidget?.hide();
      return;
    }
    if (!this.logWidget) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Log = require('blessed-contrib/lib/widget/log') as (o: object) => LogWidget;
      this.logWidget = Log({ label: ' Log ', border: { type: 'line' }, bufferLength: 200, tags: false });
      this.screen.append(this.logWidget); // contrib widgets go through append(), not `parent:`
    }
    this.place(this.logWidget, r);
    // Feed the widget the lines it has not seen (the controller keeps only the newest ones).
    const all = this.ctrl.logLines;
    const fresh = Math.min(all.length, this.ctrl.logTotal - this.logSeen);
    for (const line of all.slice(all.length - fresh)) this.logWidget.log(this.t(clip(printable(line, false), 500)));
    this.logSeen = this.ctrl.logTotal;
  }

  private hideGauge(): void {
    this.gauge?.hide();
  }

  private drawOverlay(): void {
    const o = this.ctrl.overlay;
    const cols = this.cols;
    const rows = this.rows;
    const box = this.overlay;
    if (o.kind !== 'busy') this.hideGauge();
    if (o.kind === 'none') {
      box.hide();
      return;
    }
    const centred = (width: number, height: number): Rect => {
      const w = Math.min(cols, width);
      const h = Math.min(Math.max(3, rows - 2), height);
      return { top: Math.max(0, Math.floor((rows - 2 - h) / 2)), left: Math.max(0, Math.floor((cols - w) / 2)), width: w, height: h };
    };
    const inner = (r: Rect) => Math.max(1, r.width - 4);
    let lines: string[];
    let r: Rect;
    let label: string;
    switch (o.kind) {
      case 'help': {
        const text = helpScreen(this.ctrl);
        r = centred(Math.min(72, cols), text.length + 2);
        lines = text.map((l) => ` ${clip(l, inner(r))}`);
        label = ' Keys ';
        break;
      }
      case 'dialog': {
        const w = Math.min(72, cols);
        const text = o.text.split('\n').flatMap((para) => wrap(printable(para, false), w - 4));
        r = centred(w, text.length + 4);
        lines = ['', ...text.map((l) => ` ${l}`)];
        label = ` ${clip(printable(o.title, false), w - 4)} `;
        break;
      }
      case 'password': {
        r = centred(Math.min(60, cols), 6);
        const masked = { text: '*'.repeat(o.line.text.length), cursor: o.line.cursor };
        lines = ['', ` Password: ${this.cursorLine(masked, inner(r) - 11)}`, '', ` ${clip(printable(o.note ?? '', false), inner(r))}`];
        label = { edit: ' Password for the editor ', shell: ' Password for the shell ', boot: ' Password to boot this entry ' }[o.purpose];
        break;
      }
      case 'edit': {
        // In the details pane's place (or the bottom rows on a small screen).
        const entry = this.ctrl.entries.find((e) => e.id === o.entryId);
        const d = this.layout.details;
        r = d ?? { top: Math.max(1, rows - 2 - 5), left: 0, width: cols, height: Math.min(5, rows - 3) };
        lines = ['', ` ${this.cursorLine({ text: printable(o.line.text, false), cursor: o.line.cursor }, cols - 4)}`];
        if (r.height >= 6) lines.push('', ' For this boot only: the config on the disk stays as it is.');
        label = ` Command line of '${clip(printable(entry?.title ?? '', false), Math.max(5, cols - 40))}' `;
        break;
      }
      case 'busy': {
        r = centred(Math.min(64, cols), 9);
        const p = o.progress;
        lines = ['', ` ${clip(printable(o.title, false), inner(r))}`, ` ${p ? clip(printable(progressText(p), false), inner(r)) : 'Checking the kernel...'}`];
        // Without colours blessed-contrib's gauge is invisible (its bar is coloured
        // spaces): a bar of characters instead.
        if (p && !this.colors) lines.push('', ` ${textBar(doneFraction(p), inner(r) - 5)}`);
        label = ' Booting ';
        break;
      }
    }
    box.setLabel(this.t(label));
    this.place(box, r);
    box.setContent(this.t(lines.join('\n')));
    box.setFront();
    if (o.kind === 'busy' && o.progress && this.colors) this.drawGauge(r, doneFraction(o.progress));
  }

  /** The progress gauge under the busy box's text (blessed-contrib, loaded on first use). */
  private drawGauge(r: Rect, fraction: number): void {
    if (r.height < 8 || r.width < 20) return;
    if (!this.gauge) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Gauge = require('blessed-contrib/lib/widget/gauge') as (o: object) => GaugeWidget;
      this.gauge = Gauge({ stroke: 'white', fill: 'white', showLabel: true, top: r.top + 4, left: r.left + 2, width: r.width - 4, height: 4 });
      this.screen.append(this.gauge);
    }
    this.place(this.gauge, { top: r.top + 4, left: r.left + 2, width: r.width - 4, height: 4 });
    this.gauge.setFront();
    this.gauge.setPercent(Math.max(0, Math.min(1, fraction)) * 100);
  }

  /** A line with the cursor shown as an inverse cell (the terminal's cursor stays hidden). */
  private cursorLine(state: { text: string; cursor: number }, width: number): string {
    const w = visibleWindow(state, Math.max(2, width - 2));
    const at = w.cursor;
    const before = w.text.slice(0, at);
    const under = w.text.charAt(at) || ' ';
    const after = w.text.slice(at + 1);
    return `${w.left ? '<' : ' '}${before}${INVERSE}${under}${RESET}${after}${w.right ? '>' : ''}`;
  }

  /** Leaves the full screen: the terminal is as it was (cursor shown, screen cleared). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const program = this.screen.program as unknown as { clear(): void; showCursor(): void; flush(): void };
    program.clear();
    program.showCursor();
    this.screen.destroy();
  }

  /** Lends the terminal (rescue shell): normal mode, cursor shown, screen cleared. */
  release(): void {
    const program = this.screen.program as unknown as { clear(): void; showCursor(): void; normalBuffer(): void; flush(): void };
    program.clear();
    program.normalBuffer();
    program.showCursor();
    program.flush();
  }

  reclaim(): void {
    const program = this.screen.program as unknown as { alternateBuffer(): void; hideCursor(): void; clear(): void };
    program.alternateBuffer();
    program.hideCursor();
    (this.screen as unknown as { alloc(): void }).alloc();
    this.screen.realloc();
    this.redrawAll();
  }
}

/** How much of a boot's reading is done, 0 to 1. */
function doneFraction(p: BootProgress): number {
  return p.total > 0 ? p.done / p.total : 0;
}

/** "[#######.......]  50%" in `width` columns. */
export function textBar(fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const inside = Math.max(1, width - 2);
  const filled = Math.round(f * inside);
  return `[${'#'.repeat(filled)}${'.'.repeat(inside - filled)}] ${String(Math.round(f * 100)).padStart(3)}%`;
}
