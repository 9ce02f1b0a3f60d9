// `kexec-menu inspect FILE [--json]`: what a file or block device is. Each detector below
// looks at the file in turn; the first that recognises it answers.
import { existsSync } from 'node:fs';
import { describeFilesystem, inspectFilesystem } from '../disks/inspect';
import { sizeOfPath } from '../disks/identify';
import { UsageError, parseArgs } from './args';

export { inspectFilesystem } from '../disks/inspect';

const USAGE = 'usage: kexec-menu inspect FILE [--json]';

/** What a detector found: the JSON object `--json` prints (with a `kind`) and one line of text. */
export interface InspectResult {
  readonly json: { readonly kind: string } & Record<string, unknown>;
  readonly text: string;
}

type Detector = (path: string) => InspectResult | undefined | Promise<InspectResult | undefined>;

const DETECTORS: readonly Detector[] = [
  (path) => {
    const fs = inspectFilesystem(path);
    return fs && { json: { ...fs }, text: describeFilesystem(fs) };
  },
  // Kernel images and device trees (src/kexec/inspect) slot in here.
];

export async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { json: {}, help: {} });
  if (args.flags.has('help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(`give one FILE (${USAGE.slice(7)})`);
  const path = args.positionals[0]!;
  if (!existsSync(path)) {
    process.stderr.write(`kexec-menu inspect: ${path}: no such file or device\n`);
    return 1;
  }
  let found: InspectResult | undefined;
  for (const detect of DETECTORS) {
    found = await detect(path);
    if (found) break;
  }
  const result = found ?? { json: { kind: 'unknown', file: path, size: sizeOfPath(path) ?? null }, text: 'nothing kexec-menu recognises' };
  process.stdout.write(args.flags.has('json') ? JSON.stringify(result.json) + '\n' : `${path}: ${result.text}\n`);
  return 0;
}
