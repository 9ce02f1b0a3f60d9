// The next kernel's command line: the entry's own, optionally joined with the running
// kernel's (/proc/cmdline) the way `kexec --reuse-cmdline` does.
//
// Words are split as the kernel splits them (whitespace, with double quotes keeping a value
// together: `acpi_osi="!Windows 2012"`). Everything after a lone `--` goes to init, so the
// two parts are joined separately: kernel words first, then ` -- ` and init's words.
//
// A kernel keeps at most COMMAND_LINE_SIZE - 1 bytes of it (src/machine/arch.ts has the size
// per architecture) and drops the rest, so a longer line is refused here, before loading.
import { type Architecture, commandLineSizeOf } from '../machine/arch';

/** Splits a command line into words, keeping quoted spans whole (quotes stay in the word). */
export function splitCmdline(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quoted = false;
  let inWord = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    cur += ch;
    inWord = true;
  }
  if (inWord) words.push(cur);
  return words;
}

interface Parts {
  readonly kernel: string[];
  /** Words after `--`, or undefined when there is no `--`. */
  readonly init: string[] | undefined;
}

function parts(line: string): Parts {
  const words = splitCmdline(line);
  const dash = words.indexOf('--');
  return dash === -1 ? { kernel: words, init: undefined } : { kernel: words.slice(0, dash), init: words.slice(dash + 1) };
}

function join(p: Parts): string {
  return [...p.kernel, ...(p.init !== undefined ? ['--', ...p.init] : [])].join(' ');
}

/** Parameters a boot loader adds for its own kernel, dropped on reuse (as kexec-tools does). */
const LOADER_PARAMS = ['BOOT_IMAGE', 'initrd'];

/** The running kernel's command line without what its boot loader added for it. */
export function reusableCmdline(procCmdline: string): string {
  const p = parts(procCmdline);
  return join({ kernel: p.kernel.filter((w) => !LOADER_PARAMS.includes(w.split('=')[0]!)), init: p.init });
}

export interface CmdlineRequest {
  /** The entry's own command line (or the one given on kexec-menu's command line). */
  readonly own: string;
  /** Words to add after it (`--append`). */
  readonly append?: string;
  /** Join the running kernel's command line (`reuse-cmdline`). */
  readonly reuse: boolean;
  /** /proc/cmdline of the running kernel. */
  readonly running?: string;
}

/**
 * The command line to boot with. With reuse, the running kernel's words come first and the
 * entry's after them, so that where both set a parameter the entry's wins (the kernel takes
 * the last value), as with `kexec --reuse-cmdline --append=…`.
 */
export function composeCmdline(req: CmdlineRequest): string {
  const pieces = [...(req.reuse ? [reusableCmdline(req.running ?? '')] : []), req.own, req.append ?? ''].map(parts);
  const kernel = pieces.flatMap((p) => p.kernel);
  const initParts = pieces.filter((p) => p.init !== undefined);
  return join({ kernel, init: initParts.length > 0 ? initParts.flatMap((p) => p.init!) : undefined });
}

/**
 * Why `cmdline` is too long for a kernel of `arch`, as one sentence, or undefined when it
 * fits: the new kernel copies it into a COMMAND_LINE_SIZE buffer ending in a NUL and drops
 * the rest, so where the loader does not refuse it first, it would boot with part of it.
 */
export function cmdlineLengthProblem(cmdline: string, arch: Architecture): string | undefined {
  const size = commandLineSizeOf(arch);
  const bytes = Buffer.byteLength(cmdline, 'utf8');
  if (bytes < size) return undefined;
  return `The command line is ${bytes} bytes, longer than the ${size - 1} bytes the kernel keeps on ${arch} (its COMMAND_LINE_SIZE is ${size}, with the terminating NUL), so the kernel would refuse or cut it; shorten it.`;
}
