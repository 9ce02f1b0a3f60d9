// The terminal's keyboard: raw mode on, bytes through the KeyDecoder, keys out. A partial
// escape sequence waits ESCAPE_TIMEOUT_MS for its rest; then a lone ESC is the Esc key. If the
// input ends (no console attached), the menu goes on without keys: the countdown still boots.
import type { Clock } from './clock';
import { ESCAPE_TIMEOUT_MS, type Key, KeyDecoder } from './keys';

export interface KeyInput {
  /** Stops reading and gives the terminal its normal mode back (for a shell, or at the end). */
  pause(): void;
  /** Reads again in raw mode. */
  resume(): void;
  close(): void;
}

type Stream = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown; isRaw?: boolean };

export function readKeys(input: Stream, clock: Clock, onKey: (key: Key) => void, escapeTimeoutMs = ESCAPE_TIMEOUT_MS): KeyInput {
  const decoder = new KeyDecoder();
  let timer: unknown;
  let reading = false;
  const deliver = (keys: Key[]) => {
    for (const k of keys) {
      try {
        onKey(k);
      } catch {
        // A key must never take the menu down; the controller logs what it can.
      }
    }
  };
  const onData = (data: Buffer | string) => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    deliver(decoder.feed(typeof data === 'string' ? Buffer.from(data, 'latin1') : data));
    if (decoder.pending) {
      timer = clock.setTimeout(() => {
        timer = undefined;
        deliver(decoder.flush());
      }, escapeTimeoutMs);
    }
  };
  const raw = (on: boolean) => {
    if (input.isTTY && typeof input.setRawMode === 'function') {
      try {
        input.setRawMode(on);
      } catch {
        /* not a terminal after all */
      }
    }
  };
  const resume = () => {
    if (reading) return;
    reading = true;
    raw(true);
    input.on('data', onData);
    input.resume();
  };
  const pause = () => {
    if (!reading) return;
    reading = false;
    input.removeListener('data', onData);
    input.pause();
    raw(false);
  };
  input.on('error', () => undefined); // a console that goes away is not a crash
  resume();
  return {
    pause,
    resume,
    close: () => {
      pause();
      if (timer !== undefined) clock.clearTimeout(timer);
    },
  };
}
