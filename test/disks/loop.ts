// Loop devices for tests that need a real block device: attached read-write (the code under
// test must make them read-only itself), detached again when the test ends. Tests that use
// them skip with the reason when the machine cannot (not root, no /dev/loop-control).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';

/** Why loop devices cannot be used here, or undefined when they can. */
export function loopUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (loop devices, mount)';
  if (!existsSync('/dev/loop-control')) return 'no /dev/loop-control on this machine';
  const r = spawnSync('losetup', ['--find'], { encoding: 'utf8' });
  if (r.status !== 0) return `losetup --find failed: ${(r.stderr || r.error?.message || '').trim()}`;
  return undefined;
}

export interface Loop {
  /** /dev/loopN */
  readonly device: string;
  /** loopN */
  readonly name: string;
  detach(): void;
}

/** Attaches `file` read-write to a free loop device; `partscan` makes the kernel read its partition table. */
export function attachLoop(file: string, options: { partscan?: boolean } = {}): Loop {
  const args = ['--find', '--show', ...(options.partscan ? ['--partscan'] : []), file];
  const device = execFileSync('losetup', args, { encoding: 'utf8' }).trim();
  // The kernel keeps a BLKROSET flag on the loop node across attachments: a run that was
  // interrupted may have left one. Attached read-write means writable.
  execFileSync('blockdev', ['--setrw', device]);
  let attached = true;
  return {
    device,
    name: basename(device),
    detach() {
      if (!attached) return;
      attached = false;
      // A file system unmounted lazily (MNT_DETACH) may hold the device a moment longer.
      for (let i = 0; i < 50; i++) {
        const r = spawnSync('losetup', ['-d', device], { encoding: 'utf8' });
        if (r.status === 0) return;
        if (i === 49) process.stderr.write(`test: could not detach ${device}: ${r.stderr}`);
        spawnSync('sleep', ['0.1']);
      }
    },
  };
}

/** Runs a program, throwing with its output when it fails. */
export function run(program: string, args: readonly string[], input?: string): string {
  const r = spawnSync(program, args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout || r.error?.message}`);
  return r.stdout;
}
