// Memory: the menu's peak resident set (VmHWM) with 1,000 boot entries on screen, against
// an idle node's on the same binary, both read half a second after they are up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOnPty } from './pty';
import type { NodeBinary, Program } from './startup';
import { type Sample, sample } from './stats';
import { blsPartitions } from './trees';

export interface MemoryResult {
  readonly node: NodeBinary;
  readonly program: Program;
  readonly entries: number;
  readonly idleMb: Sample;
  readonly menuMb: Sample;
}

const SETTLE_MS = 500;
const IDLE = "process.stdout.write('idle node ready'); setInterval(() => {}, 1000);";

export async function measureMemory(o: {
  readonly nodes: readonly NodeBinary[];
  readonly programs: readonly Program[];
  readonly entries: number;
  readonly runs: number;
  readonly say: (line: string) => void;
}): Promise<MemoryResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-bench-'));
  try {
    const tree = blsPartitions(dir, o.entries);
    const roots = tree.roots.flatMap((r) => ['--root', `${r.path}=uuid:${r.uuid}`]);
    const results: MemoryResult[] = [];
    for (const node of o.nodes) {
      const idle: number[] = [];
      for (let i = 0; i < o.runs; i++) idle.push((await runOnPty([node.path, '-e', IDLE], { until: ['idle node ready'], settleMs: SETTLE_MS })).peakKib / 1024);
      for (const program of o.programs.filter((p) => p.onlyFor === undefined || p.onlyFor === node.path)) {
        const menu: number[] = [];
        for (let i = 0; i < o.runs; i++) {
          const r = await runOnPty([node.path, ...program.args, 'menu', ...roots, '--dry-run', '--cmdline', 'kexec_menu.timeout=-1'], {
            ...(program.env ? { env: program.env } : {}),
            until: ['Fedora Linux', '? help'],
            settleMs: SETTLE_MS,
          });
          menu.push(r.peakKib / 1024);
        }
        const m: MemoryResult = { node, program, entries: o.entries, idleMb: sample(idle), menuMb: sample(menu) };
        o.say(`  ${node.label}, ${program.label}: idle node ${m.idleMb.median.toFixed(1)} MB, menu with ${o.entries} entries ${m.menuMb.median.toFixed(1)} MB (+${(m.menuMb.median - m.idleMb.median).toFixed(1)} MB)`);
        results.push(m);
      }
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
