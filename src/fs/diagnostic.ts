// What any layer wants a person to know about a file it read: the readers, the scanner, the
// disks and the loader all report through this one shape.

export type Severity = 'error' | 'warning' | 'info';

/** Something a parser, the scanner or the loader wants a person to know. */
export interface Diagnostic {
  readonly severity: Severity;
  /** Path of the file concerned (inside the partition for parsers; the scanner makes it absolute). */
  readonly file: string;
  readonly line?: number;
  readonly message: string;
}
