// Builds the V8 startup snapshot experiment (bench/snapshot-entry.ts) for each node: the
// entry bundled by scripts/bundle.mjs, then `node --build-snapshot` once cold (modules
// loaded) and once warm (the settings reader and the readers run on the demo first).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBundler } from './sizes';
import type { NodeBinary, Program } from './startup';

/**
 * The snapshot builder runs the bundle as a plain script, where `module` does not exist;
 * src/cli.ts asks `require.main === module` to know whether it is the program.
 */
function defineModule(file: string): void {
  const code = readFileSync(file, 'utf8');
  const at = code.startsWith('#!') ? code.indexOf('\n') + 1 : 0;
  writeFileSync(file, `${code.slice(0, at)}var module = {};\n${code.slice(at)}`);
}

/** Snapshot programs for each node; none if scripts/bundle.mjs is not there. */
export function buildSnapshots(top: string, nodes: readonly NodeBinary[], say: (line: string) => void): Program[] {
  const dir = join(top, 'cache/bench/snapshot');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'entry.js');
  if (runBundler(top, ['--entry', join(top, 'bench/snapshot-entry.ts'), '--outfile', entry, '--no-code-cache']) === undefined) return [];
  defineModule(entry);
  const programs: Program[] = [];
  for (const node of nodes) {
    for (const warm of [false, true]) {
      const blob = join(dir, `menu-${node.version}${warm ? '-warm' : ''}.blob`);
      try {
        execFileSync(node.path, ['--snapshot-blob', blob, '--build-snapshot', entry], {
          cwd: dir,
          env: { ...process.env, KEXEC_MENU_SNAPSHOT_WARM: warm ? join(top, 'configs/demo.yaml') : '' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        programs.push({ label: `V8 snapshot${warm ? ', warmed on the demo' : ''}`, args: ['--snapshot-blob', blob], onlyFor: node.path });
      } catch (err) {
        say(`  ${node.label}: no snapshot (${String((err as { stderr?: Buffer }).stderr ?? err).trim().split('\n').pop()})`);
      }
    }
  }
  return programs;
}
