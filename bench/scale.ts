// How reading grows with the input: partitions, boot entries, grub.cfg size. Each size is
// written to disk once, then read in fresh processes (scan-child.ts) several times: the
// time of the reading itself and the process's peak memory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScanChildResult } from './scan-child';
import { type Sample, sample } from './stats';
import { type TreeSpec, blsPartitions, debianPartitions, grubPartition } from './trees';

export interface ScalePoint {
  /** In the axis's unit (partitions, entries, MB). */
  readonly size: number;
  readonly label: string;
  readonly entries: number;
  readonly resolved: number;
  readonly scanMs: Sample;
  /** Peak RSS minus the RSS before reading (what the input itself costs), in MB. */
  readonly extraMb: Sample;
  readonly peakMb: Sample;
}

export interface ScaleAxis {
  readonly name: string;
  /** "partitions", "entries", "MB of grub.cfg" */
  readonly unit: string;
  /** Per what the slope is reported ("partition", "entry", "MB"). */
  readonly per: string;
  readonly points: readonly ScalePoint[];
}

interface AxisPlan {
  readonly name: string;
  readonly unit: string;
  readonly per: string;
  readonly sizes: readonly number[];
  readonly label: (n: number) => string;
  readonly make: (dir: string, n: number) => TreeSpec;
}

const MB = 1024 * 1024;

export function axisPlans(top: string): AxisPlan[] {
  return [
    {
      name: 'Partitions (copies of a Debian /boot: grub.cfg, 4 entries)',
      unit: 'partitions',
      per: 'partition',
      sizes: [1, 10, 100],
      label: (n) => `${n}`,
      make: (dir, n) => debianPartitions(dir, n, top),
    },
    {
      name: 'Boot entries (BLS files, 1,000 per partition)',
      unit: 'entries',
      per: 'entry',
      sizes: [10, 1000, 10000],
      label: (n) => n.toLocaleString('en-US'),
      make: (dir, n) => blsPartitions(dir, n),
    },
    {
      // At most 3.5 MB: a larger config is refused unread (MAX_TEXT_BYTES, 4 MiB), so its time
      // would measure nothing (the bench measured 10 MB before that cap).
      name: 'grub.cfg size (Debian, submenus of 50 entries; up to 3.5 MB, under the 4 MiB a config may be)',
      unit: 'MB of grub.cfg',
      per: 'MB',
      sizes: [10 / 1024, 0.35, 3.5],
      label: (n) => (n < 1 ? `${Math.round(n * 1024)} KB` : `${n} MB`),
      make: (dir, n) => {
        const t = grubPartition(dir, Math.round(n * MB));
        return { ...t, size: n };
      },
    },
  ];
}

function runChild(childJs: string, spec: TreeSpec): ScanChildResult {
  const out = execFileSync(process.execPath, [childJs, spec.formats.join(','), ...spec.roots.map((r) => `${r.path}=uuid:${r.uuid}`)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as ScanChildResult;
}

export function measureScaling(top: string, childJs: string, runs: number, say: (line: string) => void): ScaleAxis[] {
  const axes: ScaleAxis[] = [];
  for (const plan of axisPlans(top)) {
    const points: ScalePoint[] = [];
    for (const n of plan.sizes) {
      const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-bench-'));
      try {
        const spec = plan.make(dir, n);
        const results: ScanChildResult[] = [];
        for (let i = 0; i < runs; i++) results.push(runChild(childJs, spec));
        const first = results[0]!;
        const p: ScalePoint = {
          size: n,
          label: plan.label(n),
          entries: first.entries,
          resolved: first.resolved,
          scanMs: sample(results.map((r) => r.scanMs)),
          extraMb: sample(results.map((r) => (r.peakKib - r.rssBeforeKib) / 1024)),
          peakMb: sample(results.map((r) => r.peakKib / 1024)),
        };
        points.push(p);
        say(`  ${plan.unit} ${p.label}: ${p.entries} entries (${p.resolved} resolved), read in ${p.scanMs.median.toFixed(1)} ms, peak ${p.peakMb.median.toFixed(0)} MB (+${p.extraMb.median.toFixed(1)} MB)`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    axes.push({ name: plan.name, unit: plan.unit, per: plan.per, points });
  }
  return axes;
}
