// /proc/self/mountinfo: which devices are mounted where. Used to read file systems that were
// mounted before kexec-menu started (the developer's own disks, or a leftover mount of a
// previous run) instead of mounting them a second time.
import { readFileSync } from 'node:fs';

export interface MountEntry {
  /** major:minor of the mounted device. */
  readonly devno: string;
  /** The folder of the file system that is mounted ("/" unless a bind or subvolume mount). */
  readonly root: string;
  readonly mountPoint: string;
  readonly fstype: string;
  readonly source: string;
  readonly readOnly: boolean;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (f.length < 10 || dash === -1 || dash + 3 > f.length) continue;
    out.push({
      devno: f[2]!,
      root: unescape(f[3]!),
      mountPoint: unescape(f[4]!),
      fstype: f[dash + 1]!,
      source: unescape(f[dash + 2]!),
      readOnly: f[5]!.split(',').includes('ro'),
    });
  }
  return out;
}

export function readMountinfo(path = '/proc/self/mountinfo'): MountEntry[] {
  try {
    return parseMountinfo(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}
