// `kexec-menu disks [--json] [--mount]`: the block devices kexec-menu sees, what each holds
// (file system, label, UUID, PARTUUID), its size and where it is mounted, or why not.
// Without --mount nothing is mounted: file systems already mounted are shown where they
// are. With --mount each is mounted read-only the way the menu does it (inside the image;
// outside it only what is already mounted), then unmounted again.
import { type DeviceState, scanDisks } from '../disks/discovery';
import type { SkippedDevice } from '../disks/enumerate';
import { formatSize } from '../disks/inspect';
import { UsageError, parseArgs } from './args';
import { jsonLine, writeOut } from './output';

const USAGE = 'usage: kexec-menu disks [--json] [--mount]';

/** The JSON shape `disks --json` prints. */
export interface DisksJson {
  devices: {
    name: string;
    path: string;
    kind: 'disk' | 'partition';
    disk: string;
    partition: number | null;
    size: number;
    removable: boolean;
    readOnly: boolean;
    model: string | null;
    fstype: string | null;
    label: string | null;
    uuid: string | null;
    partuuid: string | null;
    partlabel: string | null;
    /** mounted (by this run), already-mounted, not-mounted, failed, not-probed. */
    state: string;
    mountpoint: string | null;
    /** Why it is not mounted or could not be read. */
    reason: string | null;
  }[];
  skipped: SkippedDevice[];
  unmountFailures: string[];
}

function deviceJson(s: DeviceState): DisksJson['devices'][number] {
  const d = s.device;
  const id = s.identity.type === 'unknown' ? undefined : s.identity;
  const m = s.mount;
  return {
    name: d.name,
    path: d.path,
    kind: d.kind,
    disk: d.disk,
    partition: d.partition ?? null,
    size: d.size,
    removable: d.removable,
    readOnly: d.readOnly,
    model: d.model ?? null,
    fstype: id?.type ?? s.partition?.info.fstype ?? null,
    label: id?.label ?? null,
    uuid: id?.uuid ?? null,
    partuuid: d.partuuid ?? null,
    partlabel: d.partlabel ?? null,
    state: s.readError && !s.partition ? 'unreadable' : m.state,
    mountpoint: m.state === 'mounted' || m.state === 'already-mounted' ? m.target : null,
    reason: s.readError ?? ('reason' in m ? m.reason : null),
  };
}

function stateText(j: DisksJson['devices'][number], mounting: boolean): string {
  if (j.state === 'mounted') return `${mounting ? 'mounted' : 'mounted by kexec-menu'} at ${j.mountpoint}`;
  if (j.state === 'already-mounted') return `mounted at ${j.mountpoint}${j.reason ? ` (${j.reason})` : ''}`;
  return j.reason ?? j.state;
}

function table(json: DisksJson, mounting: boolean): string {
  const header = ['NAME', 'SIZE', 'TYPE', 'LABEL', 'UUID', 'PARTUUID', 'STATE'];
  const rows = json.devices.map((j) => [
    j.kind === 'partition' ? `  ${j.name}` : j.name,
    formatSize(j.size),
    j.fstype ?? (j.state === 'not-probed' && j.reason?.startsWith('has a partition table') ? '(partitions)' : '-'),
    j.label ?? '-',
    j.uuid ?? '-',
    j.partuuid ?? '-',
    stateText(j, mounting),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  if (json.skipped.length > 0) out.push('', 'Left out:', ...json.skipped.map((s) => `  ${s.name}: ${s.reason}`));
  if (json.unmountFailures.length > 0) out.push('', 'Could not unmount:', ...json.unmountFailures.map((f) => `  ${f}`));
  return out.join('\n') + '\n';
}

export async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { json: {}, mount: {}, help: {} });
  if (args.flags.has('help')) {
    writeOut(USAGE + '\n');
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}' (${USAGE.slice(7)})`);
  const mounting = args.flags.has('mount');
  const scan = await scanDisks({ mount: mounting });
  const json: DisksJson = { devices: scan.states.map(deviceJson), skipped: [...scan.skipped], unmountFailures: [] };
  json.unmountFailures = await scan.close();
  writeOut(args.flags.has('json') ? jsonLine(json) : table(json, mounting));
  return json.unmountFailures.length > 0 ? 1 : 0;
}
