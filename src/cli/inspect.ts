// `kexec-menu inspect FILE [--json]`: what a file or block device is. Each detector below
// looks at the file in turn; the first that recognises it answers.
import { closeSync } from 'node:fs';
import { describeFilesystem, inspectFilesystem } from '../disks/inspect';
import { sizeOfPath } from '../disks/identify';
import { inspectBootFile } from '../kexec/inspect';
import { describeFailedRead, openRegularFile } from '../fs/regular-file';
import { UsageError, parseArgs } from './args';
import { jsonLine, writeErr, writeOut } from './output';

export { inspectFilesystem } from '../disks/inspect';

const USAGE = 'usage: kexec-menu inspect FILE [--json]';

/** What a detector found: the JSON object `--json` prints (with a `kind`) and one line of text. */
export interface InspectResult {
  readonly json: { readonly kind: string } & Record<string, unknown>;
  readonly text: string;
}

/** A detector's answer: what it found, or (a string) why the file is not its kind, or nothing to say. */
type Detection = InspectResult | string | undefined;
type Detector = (path: string) => Detection | Promise<Detection>;

const DETECTORS: readonly Detector[] = [
  (path) => {
    const fs = inspectFilesystem(path);
    return fs && { json: { ...fs }, text: describeFilesystem(fs) };
  },
  async (path) => {
    try {
      const info = await inspectBootFile(path);
      const text =
        info.kind === 'kernel'
          ? `${info.description}${info.release ? `, release ${info.release}` : ''}; ${info.canKexecHere.ok ? 'can be kexeced here' : `cannot be kexeced here: ${info.canKexecHere.reason}`}`
          : `device tree${info.model ? ` for ${info.model}` : ''} (${info.compatible.join(', ')}), ${info.totalSize} bytes`;
      return { json: { ...info }, text };
    } catch (err) {
      // Not a kernel or device tree; the sentence says why, if nothing else recognises it.
      return err instanceof Error ? err.message : String(err);
    }
  },
];

export async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { json: {}, help: {} });
  if (args.flags.has('help')) {
    writeOut(USAGE + '\n');
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(`give one FILE (${USAGE.slice(7)})`);
  const path = args.positionals[0]!;
  // A regular file or a block device, opened without blocking: a FIFO or /dev/zero is
  // refused at once (each detector opens it the same way again).
  const opened = openRegularFile(path, { blockDevices: true });
  if (!opened.ok) {
    writeErr(`kexec-menu inspect: ${opened.reason === 'missing' ? `${path}: no such file or device` : describeFailedRead(path, opened, 0)}\n`);
    return 1;
  }
  closeSync(opened.fd);
  let found: InspectResult | undefined;
  let why: string | undefined;
  for (const detect of DETECTORS) {
    const d = await detect(path);
    if (typeof d === 'string') why = d;
    else if (d) {
      found = d;
      break;
    }
  }
  const result = found ?? {
    json: { kind: 'unknown', file: path, size: sizeOfPath(path) ?? null, ...(why ? { reason: why } : {}) },
    text: `nothing kexec-menu recognises${why ? ` (${why})` : ''}`,
  };
  writeOut(args.flags.has('json') ? jsonLine(result.json) : `${path}: ${result.text}\n`);
  return 0;
}
