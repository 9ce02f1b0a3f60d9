// systemd-boot's /loader/loader.conf, only what a menu needs: `default` (an entry id glob or
// @saved, with the line it is on, for the messages about it) and `timeout`.
import type { Diagnostic } from '../fs/diagnostic';
import type { PartitionFiles } from '../fs/files';
import { FileDiagnostics, splitKeyLines } from './bls-lines';

/** Longer loader.conf `default` globs are not ids; refusing them bounds the matching cost. */
const MAX_DEFAULT_PATTERN = 1024;

export interface LoaderConf {
  readonly defaultPattern?: string;
  /** The line `default` is on (with defaultPattern). */
  readonly defaultLine?: number;
  readonly timeout?: number;
  /** The line `timeout` is on, and its value as written (with timeout). */
  readonly timeoutLine?: number;
  readonly timeoutSays?: string;
}

/** Reads loader.conf at `path`; undefined when it cannot be read. Its diagnostics go to `out`. */
export function readLoaderConf(files: PartitionFiles, path: string, out: Diagnostic[]): LoaderConf | undefined {
  const text = files.readText(path);
  if (text === undefined) return undefined;
  const diags = new FileDiagnostics(path);
  const split = splitKeyLines(text, diags);
  let defaultPattern: string | undefined;
  let defaultLine = 0;
  let timeout: number | undefined;
  let timeoutLine = 0;
  let timeoutSays = '';
  if (split.ok) {
    for (const { line, key, value } of split.lines) {
      if (key === 'timeout') {
        if (/^\d+$/.test(value) && Number(value) <= 0xffffffff) timeout = Number(value);
        else if (value === 'menu-hidden') timeout = 0;
        else if (value === 'menu-force') {
          timeout = undefined;
          diags.add('info', 'timeout menu-force: systemd-boot waits for a choice here', line);
        } else diags.add('warning', `timeout '${value}' is not a number of seconds, menu-force or menu-hidden; ignored`, line);
        if (timeout !== undefined) [timeoutLine, timeoutSays] = [line, `timeout ${value}`];
      } else if (key === 'default') {
        if (value.startsWith('@') && value.toLowerCase() !== '@saved') {
          diags.add('warning', `default '${value}' is not an entry id glob or @saved; ignored`, line);
        } else if (value.length > MAX_DEFAULT_PATTERN) {
          diags.add('warning', `default is longer than ${MAX_DEFAULT_PATTERN} characters, so it is no entry id; ignored`, line);
        } else {
          defaultPattern = value;
          defaultLine = line;
        }
      }
      // Other keys (editor, console-mode, beep, …) concern systemd-boot's own screen.
    }
  }
  for (const d of diags.list) out.push(d);
  return {
    ...(defaultPattern !== undefined ? { defaultPattern, defaultLine } : {}),
    ...(timeout !== undefined ? { timeout, timeoutLine, timeoutSays } : {}),
  };
}
