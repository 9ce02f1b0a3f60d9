// Where a format looks in several places (extlinux's config paths, BLS's two entries folders),
// the places that exist, each once: a `boot -> .` link or a config reached by two names would
// otherwise be read twice, and its entries listed twice.
import type { PartitionFiles } from './files';

/**
 * The candidates that exist as `kind` (each component matched ignoring case, as FAT and ISO
 * 9660 media need), in the candidates' order, as they are spelled on disk, with every file or
 * folder that two candidates lead to (by symlinks) kept only at its first.
 */
export function existingPaths(files: PartitionFiles, candidates: readonly string[], kind: 'file' | 'dir'): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const onDisk = files.findIgnoringCase(candidate);
    if (onDisk === undefined || !(kind === 'file' ? files.isFile(onDisk) : files.isDir(onDisk))) continue;
    const real = files.realPath(onDisk) ?? onDisk;
    if (seen.has(real)) continue;
    seen.add(real);
    found.push(onDisk);
  }
  return found;
}
