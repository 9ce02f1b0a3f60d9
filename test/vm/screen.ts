// A small VT100/xterm screen model: what a serial terminal would show after the bytes the VM
// printed. The menu draws with cursor addressing (blessed), so its text never appears as
// plain lines in the stream; tests read the screen instead. It implements the sequences
// blessed emits for vt100/xterm (cursor moves, erase, scroll region, insert/delete line,
// save/restore, line-drawing charset) and ignores attributes, except that it remembers which
// cells were drawn in reverse video (the menu's selection on a vt100).

interface Cell {
  ch: string;
  inverse: boolean;
}

/** DEC special graphics (ESC ( 0) drawn as ASCII. */
const LINE_DRAWING: Record<string, string> = {
  j: '+', k: '+', l: '+', m: '+', n: '+', t: '+', u: '+', v: '+', w: '+', q: '-', x: '|', a: '#', '`': '+', '~': '.', o: '-', s: '_',
};

export class Screen {
  private cells: Cell[][] = [];
  private row = 0;
  private col = 0;
  private saved = { row: 0, col: 0 };
  private top = 0;
  private bottom: number;
  private inverse = false;
  private graphics = false;
  private pending = '';

  constructor(
    readonly cols = 80,
    readonly rows = 24,
  ) {
    this.bottom = rows - 1;
    this.clear();
  }

  /** Feeds bytes (as text) the terminal received. */
  write(data: string): void {
    const s = this.pending + data;
    this.pending = '';
    let i = 0;
    while (i < s.length) {
      const c = s[i]!;
      if (c === '\x1b') {
        const n = this.escape(s, i);
        if (n === 0) {
          this.pending = s.slice(i); // incomplete sequence: wait for more
          return;
        }
        i += n;
        continue;
      }
      i++;
      switch (c) {
        case '\r': this.col = 0; break;
        case '\n': case '\x0b': case '\x0c': this.lineFeed(); break;
        case '\b': this.col = Math.max(0, this.col - 1); break;
        case '\t': this.col = Math.min(this.cols - 1, (Math.floor(this.col / 8) + 1) * 8); break;
        case '\x0e': this.graphics = true; break;
        case '\x0f': this.graphics = false; break;
        default:
          if (c < ' ' || c === '\x7f') break;
          this.put(this.graphics ? (LINE_DRAWING[c] ?? c) : c);
      }
    }
  }

  /** The screen as lines of text (trailing spaces removed). */
  text(): string[] {
    return this.cells.map((line) => line.map((cell) => cell.ch).join('').replace(/\s+$/, ''));
  }

  /** The lines that hold a cell drawn in reverse video (a vt100 menu's selection). */
  inverseLines(): string[] {
    return this.cells.filter((line) => line.some((c) => c.inverse && c.ch !== ' ')).map((line) => line.map((c) => c.ch).join('').trim());
  }

  toString(): string {
    return this.text().join('\n');
  }

  private clear(): void {
    this.cells = Array.from({ length: this.rows }, () => this.blankLine());
  }

  private blankLine(): Cell[] {
    return Array.from({ length: this.cols }, () => ({ ch: ' ', inverse: false }));
  }

  private put(ch: string): void {
    if (this.col >= this.cols) {
      this.col = 0;
      this.lineFeed();
    }
    this.cells[this.row]![this.col] = { ch, inverse: this.inverse };
    this.col++;
  }

  private lineFeed(): void {
    if (this.row === this.bottom) this.scroll(1);
    else this.row = Math.min(this.rows - 1, this.row + 1);
  }

  /** Scrolls the region up by n (down if negative). */
  private scroll(n: number): void {
    for (let k = 0; k < Math.abs(n); k++) {
      if (n > 0) {
        this.cells.splice(this.top, 1);
        this.cells.splice(this.bottom, 0, this.blankLine());
      } else {
        this.cells.splice(this.bottom, 1);
        this.cells.splice(this.top, 0, this.blankLine());
      }
    }
  }

  /** Handles the escape sequence at s[i]; returns its length, 0 if it is incomplete. */
  private escape(s: string, i: number): number {
    const next = s[i + 1];
    if (next === undefined) return 0;
    if (next === '[') {
      const m = /^\x1b\[([?>=!]?)([0-9;]*)([ -\/]*)([@-~])/.exec(s.slice(i, i + 64));
      if (!m) return s.length - i < 64 && /^\x1b\[[?>=!]?[0-9;]*[ -\/]*$/.test(s.slice(i)) ? 0 : 2;
      this.csi(m[1]!, m[2]!.split(';').map((p) => (p === '' ? NaN : Number(p))), m[4]!);
      return m[0].length;
    }
    if (next === ']' || next === 'P') {
      // OSC / DCS: up to BEL or ST.
      const end = s.slice(i + 2).search(/\x07|\x1b\\/);
      if (end === -1) return 0;
      return 2 + end + (s[i + 2 + end] === '\x07' ? 1 : 2);
    }
    if (next === '(' || next === ')' || next === '*' || next === '+' || next === '#') {
      const d = s[i + 2];
      if (d === undefined) return 0;
      if (next === '(') this.graphics = d === '0';
      return 3;
    }
    switch (next) {
      case '7': this.saved = { row: this.row, col: this.col }; break;
      case '8': ({ row: this.row, col: this.col } = this.saved); break;
      case 'D': this.lineFeed(); break;
      case 'E': this.col = 0; this.lineFeed(); break;
      case 'M':
        if (this.row === this.top) this.scroll(-1);
        else this.row = Math.max(0, this.row - 1);
        break;
      case 'c': this.reset(); break;
      default: break; // ESC = / ESC > (keypad modes) and the rest: no effect on the text
    }
    return 2;
  }

  private reset(): void {
    this.clear();
    this.row = this.col = 0;
    this.top = 0;
    this.bottom = this.rows - 1;
    this.inverse = this.graphics = false;
  }

  private csi(private_: string, p: number[], final: string): void {
    const n = (k: number, dflt = 1): number => (Number.isNaN(p[k] ?? NaN) || p[k] === 0 ? dflt : p[k]!);
    const clampRow = (r: number): number => Math.max(0, Math.min(this.rows - 1, r));
    const clampCol = (c: number): number => Math.max(0, Math.min(this.cols - 1, c));
    if (private_ !== '') return; // modes (?1049h, ?25l ...): no effect on the text here
    switch (final) {
      case 'H': case 'f': this.row = clampRow(n(0) - 1); this.col = clampCol(n(1) - 1); break;
      case 'A': this.row = clampRow(this.row - n(0)); break;
      case 'B': case 'e': this.row = clampRow(this.row + n(0)); break;
      case 'C': case 'a': this.col = clampCol(this.col + n(0)); break;
      case 'D': this.col = clampCol(this.col - n(0)); break;
      case 'E': this.row = clampRow(this.row + n(0)); this.col = 0; break;
      case 'F': this.row = clampRow(this.row - n(0)); this.col = 0; break;
      case 'G': case '`': this.col = clampCol(n(0) - 1); break;
      case 'd': this.row = clampRow(n(0) - 1); break;
      case 'J': {
        const mode = Number.isNaN(p[0]!) ? 0 : p[0]!;
        if (mode === 2 || mode === 3) this.clear();
        else if (mode === 0) {
          this.eraseLine(this.row, this.col, this.cols);
          for (let r = this.row + 1; r < this.rows; r++) this.cells[r] = this.blankLine();
        } else if (mode === 1) {
          this.eraseLine(this.row, 0, this.col + 1);
          for (let r = 0; r < this.row; r++) this.cells[r] = this.blankLine();
        }
        break;
      }
      case 'K': {
        const mode = Number.isNaN(p[0]!) ? 0 : p[0]!;
        if (mode === 0) this.eraseLine(this.row, this.col, this.cols);
        else if (mode === 1) this.eraseLine(this.row, 0, this.col + 1);
        else this.eraseLine(this.row, 0, this.cols);
        break;
      }
      case 'X': this.eraseLine(this.row, this.col, Math.min(this.cols, this.col + n(0))); break;
      case 'r':
        this.top = clampRow(n(0) - 1);
        this.bottom = clampRow(n(1, this.rows) - 1);
        this.row = this.col = 0;
        break;
      case 'L': case 'M': {
        if (this.row < this.top || this.row > this.bottom) break;
        const saveTop = this.top;
        this.top = this.row;
        this.scroll(final === 'L' ? -n(0) : n(0));
        this.top = saveTop;
        break;
      }
      case 'S': this.scroll(n(0)); break;
      case 'T': this.scroll(-n(0)); break;
      case '@': {
        const line = this.cells[this.row]!;
        line.splice(this.col, 0, ...Array.from({ length: n(0) }, () => ({ ch: ' ', inverse: false })));
        line.length = this.cols;
        break;
      }
      case 'P': {
        const line = this.cells[this.row]!;
        line.splice(this.col, n(0));
        while (line.length < this.cols) line.push({ ch: ' ', inverse: false });
        break;
      }
      case 's': this.saved = { row: this.row, col: this.col }; break;
      case 'u': ({ row: this.row, col: this.col } = this.saved); break;
      case 'm':
        for (let k = 0; k < Math.max(1, p.length); k++) {
          const a = Number.isNaN(p[k] ?? NaN) ? 0 : p[k]!;
          if (a === 0 || a === 27) this.inverse = false;
          else if (a === 7) this.inverse = true;
          else if (a === 38 || a === 48) k += p[k + 1] === 5 ? 2 : 4; // skip colour arguments
        }
        break;
      default: break;
    }
  }

  private eraseLine(row: number, from: number, to: number): void {
    const line = this.cells[row]!;
    for (let c = from; c < to; c++) line[c] = { ch: ' ', inverse: false };
  }
}
