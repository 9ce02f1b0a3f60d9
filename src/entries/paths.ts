// Paths inside a partition. A config names files relative to its own folder, to the
// partition root, or with `..`; all of them become one absolute, normalised form that can
// never point above the partition root (`/..` is `/`, as in a chroot).

/** Normalises a path inside a partition: absolute, '/'-separated, no '.', '..' or empty parts. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

/** Resolves `path` against the folder `dir` (both inside one partition). */
export function resolvePath(dir: string, path: string): string {
  return normalizePath(path.startsWith('/') ? path : `${dir}/${path}`);
}

/** The folder part of a normalised path ('/boot/grub/grub.cfg' → '/boot/grub'). */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last component of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
