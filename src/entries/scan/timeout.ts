// How long the menu waits before it boots the default, and where that number comes from: the
// settings (file or built-in), the kernel command line, or — with `timeout: from-default` —
// the default entry's own config, read as its boot loader reads it (grub.cfg `timeout=1`,
// extlinux `TIMEOUT 50` in tenths, loader.conf `timeout 3`; GRUB's hidden menu boots at once
// unless a key came). A config that sets none (config.txt, loose kernels, YAML, a grub.cfg
// without `timeout`) leaves the settings' number, and the source says so.
import { join } from 'node:path';
import type { ConfigTimeoutAt, Format } from '../model';

/** One format's timeout on one partition, as its reader found it. */
export interface ConfigTimeout {
  /** Seconds; 0 boots at once, -1 waits for a choice. */
  readonly seconds: number;
  readonly at?: ConfigTimeoutAt;
}

/** Where the menu's timeout comes from (`kexec-menu list --json`'s `timeoutSource`). */
export type TimeoutSource =
  /** The settings file's `timeout` (at `line`), or the built-in 10 s when `file` is absent. */
  | { readonly from: 'settings'; readonly file?: string; readonly line?: number; readonly note?: string }
  | { readonly from: 'kernel command line'; readonly note?: string }
  /** The default entry's config: `file` is a path on this machine. */
  | {
      readonly from: 'config';
      readonly format: Format;
      readonly partition: string;
      readonly file: string;
      readonly line?: number;
      readonly says: string;
      readonly hiddenMenu?: boolean;
    };

/** What the scanner needs of the settings about the timeout. */
export interface TimeoutSettings {
  /** Seconds (0 at once, -1 never): the timeout, or with timeoutFromDefault the one for configs that set none. */
  readonly timeout: number;
  /** `timeout: from-default`: the default entry's config decides. */
  readonly timeoutFromDefault?: boolean;
  /** Where `timeout` was set: the settings file and line, or the kernel command line. */
  readonly timeoutOrigin?: { readonly file: string; readonly line?: number };
}

/** Where the default entry was read: its format, partition (name and mount root). */
export interface DefaultOrigin {
  readonly format: Format;
  readonly partition: string;
  readonly root: string;
  /** That format's timeout on that partition, if its config sets one. */
  readonly config?: ConfigTimeout;
}

export const CMDLINE_TIMEOUT_ORIGIN = 'kernel command line';

function settingsSource(s: TimeoutSettings, note?: string): TimeoutSource {
  const o = s.timeoutOrigin;
  const extra = note !== undefined ? { note } : {};
  if (o?.file === CMDLINE_TIMEOUT_ORIGIN) return { from: 'kernel command line', ...extra };
  return { from: 'settings', ...(o ? { file: o.file, ...(o.line !== undefined ? { line: o.line } : {}) } : {}), ...extra };
}

/** The menu's timeout and its source, given where the default entry was read (undefined: no default). */
export function menuTimeout(s: TimeoutSettings, origin: DefaultOrigin | undefined): { timeout: number; timeoutSource: TimeoutSource } {
  if (!s.timeoutFromDefault) return { timeout: s.timeout, timeoutSource: settingsSource(s) };
  if (!origin) return { timeout: s.timeout, timeoutSource: settingsSource(s, 'no default entry, so no config to take the timeout from') };
  const c = origin.config;
  if (!c || !c.at) return { timeout: s.timeout, timeoutSource: settingsSource(s, `the default entry (${origin.format}) has no timeout of its own`) };
  const file = c.at.file === '/' ? origin.root : join(origin.root, c.at.file);
  const source: TimeoutSource = {
    from: 'config',
    format: origin.format,
    partition: origin.partition,
    file,
    ...(c.at.line !== undefined ? { line: c.at.line } : {}),
    says: c.at.says,
    ...(c.at.hiddenMenu ? { hiddenMenu: true } : {}),
  };
  return { timeout: c.at.hiddenMenu && c.seconds >= 0 ? 0 : c.seconds, timeoutSource: source };
}

/** The timeout in words, for `kexec-menu list`: "boots the default after 1 s (timeout=1 in /…/grub.cfg:5)". */
export function timeoutSentence(timeout: number, source: TimeoutSource | undefined): string {
  const what = timeout < 0 ? 'waits for a choice' : timeout === 0 ? 'boots the default at once unless a key is pressed' : `boots the default after ${timeout} s`;
  if (!source) return what;
  const note = 'note' in source && source.note !== undefined ? `; ${source.note}` : '';
  switch (source.from) {
    case 'config':
      return `${what} (${source.says} in ${source.file}${source.line !== undefined ? `:${source.line}` : ''}, the default entry's ${source.format} config)`;
    case 'kernel command line':
      return `${what} (kexec_menu.timeout on the kernel command line${note})`;
    case 'settings':
      return source.file === undefined
        ? `${what} (the built-in timeout${note})`
        : `${what} (timeout in ${source.file}${source.line !== undefined ? `:${source.line}` : ''}${note})`;
  }
}
