// What both transfer protocols share: the limits a caller sets on one download and the one
// error they throw. Everything the network can do wrong ends as a NetError whose message is a
// sentence a person can act on; `missing` separates "no such file" (a lookup then tries its
// next name) from every other failure (reported, and the lookup goes on without that file).

/** Limits and observers of one download. */
export interface TransferLimits {
  /** The whole transfer must end by then (ms since the epoch, as Date.now()): a trickling server cannot hold it longer. */
  readonly deadline: number;
  /** Bytes the caller accepts; a larger announced size fails before any data is read. */
  readonly maxBytes: number;
  /** How long one request may go unanswered before it is sent again (TFTP) or given up (HTTP). */
  readonly idleMs?: number;
  /** Each received piece, in order. Without it the pieces are collected and returned. */
  readonly onData?: (chunk: Buffer) => void;
  /** Called with the bytes received so far and the size the server announced, if it did. */
  readonly onProgress?: (received: number, total: number | undefined) => void;
}

export const DEFAULT_IDLE_MS = 1000;

export class NetError extends Error {
  constructor(
    message: string,
    /** The server said the file is not there (TFTP error 1, HTTP 404/410). */
    readonly missing = false,
  ) {
    super(message);
    this.name = 'NetError';
  }
}

/** Collects pieces unless the caller takes them itself; enforces maxBytes on what really arrives. */
export class Receiver {
  private readonly chunks: Buffer[] = [];
  received = 0;

  constructor(
    private readonly limits: TransferLimits,
    private readonly what: string,
    private total: number | undefined = undefined,
  ) {}

  /** Fails at once when the announced size is over the limit (a Content-Length larger than RAM). */
  announce(total: number): void {
    this.total = total;
    if (total > this.limits.maxBytes) throw new NetError(`${this.what} is ${total} bytes, more than the ${this.limits.maxBytes} accepted`);
  }

  push(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.received > this.limits.maxBytes) throw new NetError(`${this.what} is longer than the ${this.limits.maxBytes} bytes accepted`);
    if (this.limits.onData) this.limits.onData(chunk);
    else this.chunks.push(chunk);
    this.limits.onProgress?.(this.received, this.total);
  }

  result(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Milliseconds left before the deadline (never negative). */
export function remaining(limits: TransferLimits): number {
  return Math.max(0, limits.deadline - Date.now());
}
