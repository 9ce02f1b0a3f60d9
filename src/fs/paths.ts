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

/** What a confined walk finds at one path: nothing, a symlink with its target, or anything else. */
export type PathStep = { readonly kind: 'missing' } | { readonly kind: 'link'; readonly target: string } | { readonly kind: 'present' };

const MAX_LINKS = 40;

/**
 * Follows `path` one component at a time inside a partition, as if its root were `/`
 * (chroot rules): `..` stops at the root, absolute links start again from it. Returns the
 * path with every link followed, or undefined when a component is missing or links loop.
 * Both PartitionFiles implementations walk with this, so they confine paths the same way.
 */
export function realPathInside(path: string, look: (path: string) => PathStep): string | undefined {
  let links = 0;
  let done = '/';
  const pending = normalizePath(path).split('/').filter(Boolean);
  while (pending.length > 0) {
    const part = pending.shift() as string;
    const next = done === '/' ? `/${part}` : `${done}/${part}`;
    const step = look(next);
    if (step.kind === 'missing') return undefined;
    if (step.kind === 'link') {
      if (++links > MAX_LINKS) return undefined;
      pending.unshift(...resolvePath(done, step.target).split('/').filter(Boolean));
      done = '/';
      continue;
    }
    done = next;
  }
  return done;
}
