// A process id whose process has ended, for claims (src/fs/claims.ts) left behind by a menu
// that crashed: a shell that printed its own pid and exited.
import { spawnSync } from 'node:child_process';

export function endedProcessId(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}
