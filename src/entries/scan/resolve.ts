// Turns an entry's resources (partition selector + path inside it) into host paths, against
// the partitions present now. Each path goes through the partition's own confined realPath,
// so a symlink on a partition can never lead outside it. Failure is a one-sentence reason.
import { join } from 'node:path';
import type { ParsedEntry, PartitionSelector, Resolution, ResolvedFiles, Resource } from '../model';
import type { ReadablePartition } from '../../fs/files';

/** How a selector is written in messages: `UUID=…`, `LABEL=…`, as in fstab. */
export function describeSelector(sel: PartitionSelector): string {
  switch (sel.by) {
    case 'self':
      return 'this partition';
    case 'uuid':
      return `UUID=${sel.value}`;
    case 'partuuid':
      return `PARTUUID=${sel.value}`;
    case 'label':
      return `LABEL=${sel.value}`;
    case 'partlabel':
      return `PARTLABEL=${sel.value}`;
    case 'unmappable':
      return sel.value;
  }
}

function matches(part: ReadablePartition, sel: PartitionSelector): boolean {
  const info = part.info;
  switch (sel.by) {
    case 'self':
    case 'unmappable':
      return false;
    // UUIDs are hex: blkid prints them lower case, GRUB configs and FAT volume ids upper.
    case 'uuid':
      return info.uuid !== undefined && info.uuid.toLowerCase() === sel.value.toLowerCase();
    case 'partuuid':
      return info.partuuid !== undefined && info.partuuid.toLowerCase() === sel.value.toLowerCase();
    case 'label':
      return info.label === sel.value;
    case 'partlabel':
      return info.partlabel === sel.value;
  }
}

type Located = { readonly ok: true; readonly partition: ReadablePartition } | { readonly ok: false; readonly reason: string };

/** Finds the partition a selector names; the config's own partition wins a tie (cloned disks). */
export function locatePartition(sel: PartitionSelector, self: ReadablePartition, present: readonly ReadablePartition[]): Located {
  if (sel.by === 'self') return { ok: true, partition: self };
  if (sel.by === 'unmappable') return { ok: false, reason: `partition ${sel.value} cannot be matched to a disk here` };
  if (matches(self, sel)) return { ok: true, partition: self };
  const found = present.find((p) => matches(p, sel));
  return found ? { ok: true, partition: found } : { ok: false, reason: `partition ${describeSelector(sel)} is not present` };
}

type Found = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

function locate(what: string, res: Resource, kind: 'file' | 'dir', self: ReadablePartition, present: readonly ReadablePartition[]): Found {
  const where = locatePartition(res.partition, self, present);
  if (!where.ok) return { ok: false, reason: `${what} ${res.path}: ${where.reason}` };
  const part = where.partition;
  const real = part.files.realPath(res.path);
  if (real === undefined) return { ok: false, reason: `${what} ${res.path} is not on partition ${part.info.name}` };
  const right = kind === 'file' ? part.files.isFile(real) : part.files.isDir(real);
  if (!right) return { ok: false, reason: `${what} ${res.path} on partition ${part.info.name} is not a ${kind === 'file' ? 'file' : 'folder'}` };
  return { ok: true, path: real === '/' ? part.root : join(part.root, real) };
}

/** Resolves every file of an entry read from `self`; the first missing one is the reason. */
export function resolveEntry(entry: ParsedEntry, self: ReadablePartition, present: readonly ReadablePartition[]): Resolution {
  const kernel = locate('kernel', entry.kernel, 'file', self, present);
  if (!kernel.ok) return kernel;
  const initrds: string[] = [];
  for (const r of entry.initrds) {
    const f = locate('initrd', r, 'file', self, present);
    if (!f.ok) return f;
    initrds.push(f.path);
  }
  let devicetree: ResolvedFiles['devicetree'];
  const dt = entry.devicetree;
  if (dt) {
    const f = locate(dt.kind === 'file' ? 'device tree' : 'device tree folder', dt.resource, dt.kind, self, present);
    if (!f.ok) return f;
    devicetree = dt.kind === 'file' ? { kind: 'file', path: f.path } : { kind: 'dir', path: f.path, ...(dt.preferred !== undefined ? { preferred: dt.preferred } : {}) };
  }
  const overlays: string[] = [];
  for (const r of entry.overlays) {
    const f = locate('overlay', r, 'file', self, present);
    if (!f.ok) return f;
    overlays.push(f.path);
  }
  return { ok: true, files: { kernel: kernel.path, initrds, ...(devicetree ? { devicetree } : {}), overlays } };
}

/** The kernel's own forms of root= that name a partition by identity (init/do_mounts.c, and the initramfs's udev links). */
const ROOT_FORMS: readonly (readonly [string, Exclude<PartitionSelector['by'], 'self' | 'unmappable'>])[] = [
  ['UUID=', 'uuid'],
  ['PARTUUID=', 'partuuid'],
  ['LABEL=', 'label'],
  ['PARTLABEL=', 'partlabel'],
];

/** The partition the last `root=` of a command line names by UUID, PARTUUID, LABEL or PARTLABEL, when it names one so. */
export function rootSelector(cmdline: string): PartitionSelector | undefined {
  let value: string | undefined;
  // Words as the kernel splits them: blanks, except inside double quotes.
  for (const m of cmdline.matchAll(/(?:[^\s"]+|"[^"]*"?)+/g)) {
    if (m[0].startsWith('root=')) value = m[0].slice('root='.length).replace(/"/g, '');
  }
  // A variable only the boot loader fills in, or PARTUUID=…/PARTNROFF=n (a neighbour of that partition): not checked.
  if (value === undefined || value.includes('$') || value.includes('/')) return undefined;
  for (const [prefix, by] of ROOT_FORMS) {
    if (value.startsWith(prefix) && value.length > prefix.length) return { by, value: value.slice(prefix.length) };
  }
  return undefined;
}

/**
 * An entry whose command line's root= names a partition that is not among those found gets a
 * note (not a refusal: an encrypted or LVM volume is opened by the kernel's initramfs, and a
 * disk may come later) — the most common reason a kexec'd kernel then panics.
 */
export function withRootNote<E extends ParsedEntry>(entry: E, self: ReadablePartition, present: readonly ReadablePartition[]): E {
  const sel = rootSelector(entry.cmdline);
  if (sel === undefined || matches(self, sel) || present.some((p) => matches(p, sel))) return entry;
  const note = `root=${describeSelector(sel)} names no partition found here: unless the kernel's initramfs makes it (an encrypted or LVM volume), the kernel will not find its root file system`;
  return { ...entry, notes: [...entry.notes, note] };
}
