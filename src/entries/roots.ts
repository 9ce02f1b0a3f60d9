// Sample trees as partitions: a folder with the identity the settings or --root give it, so
// the demo and the tests exercise cross-partition references (UUID=…, LABEL=…) on plain
// folders, through the same confined DirectoryFiles as a mounted partition.
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DirectoryFiles } from '../disks/directory-files';
import type { ScanRoot } from '../settings';
import type { ReadablePartition } from './model';

/** A ScanRoot as a partition; undefined when its folder is not there. */
export function openRoot(root: ScanRoot): ReadablePartition | undefined {
  const path = resolve(root.path);
  try {
    if (!statSync(path).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const info = {
    name: root.name ?? basename(path),
    ...(root.uuid !== undefined ? { uuid: root.uuid } : {}),
    ...(root.partuuid !== undefined ? { partuuid: root.partuuid } : {}),
    ...(root.label !== undefined ? { label: root.label } : {}),
    ...(root.partlabel !== undefined ? { partlabel: root.partlabel } : {}),
  };
  return { info, root: path, files: new DirectoryFiles(path) };
}
