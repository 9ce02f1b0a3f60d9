// A junk file (a config of random bytes, a generated one with thousands of bad lines) must not
// bury the menu's messages: each file keeps its first diagnostics, then one line says the rest
// were dropped. The BLS reader and the GRUB interpreter share this so they word it alike.
import type { Diagnostic } from '../fs/diagnostic';

export class DiagnosticCap {
  private readonly counts = new Map<string, number>();

  constructor(
    /** Diagnostics one file may add before the summary line. */
    private readonly limit: number,
    /** Where the kept diagnostics go. */
    private readonly out: Diagnostic[],
  ) {}

  /** True once the file has its summary line: whatever it reports now is dropped. */
  isFull(file: string): boolean {
    return (this.counts.get(file) ?? 0) > this.limit;
  }

  add(diagnostic: Diagnostic): void {
    const count = (this.counts.get(diagnostic.file) ?? 0) + 1;
    if (count > this.limit + 1) return;
    this.counts.set(diagnostic.file, count);
    if (count <= this.limit) this.out.push(diagnostic);
    // On the line of the first one dropped: every diagnostic has a line when the dropped one has.
    else this.out.push({ severity: 'warning', file: diagnostic.file, ...(diagnostic.line !== undefined ? { line: diagnostic.line } : {}), message: `more than ${this.limit} problems; the rest are not listed` });
  }
}
