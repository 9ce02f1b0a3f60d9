// Sample trees as partitions: a folder with the identity the settings or --root give it, so
// the demo and the tests exercise cross-partition references (UUID=…, LABEL=…) on plain
// folders, through the same confined DirectoryFiles as a mounted partition.
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DirectoryFiles } from '../fs/directory-files';
import type { ScanRoot } from '../settings/settings';
import type { ReadablePartition } from '../fs/files';

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

/** The name image menus go by in ids and in the list: `image:yaml:rescue`. */
export const IMAGE_PARTITION_NAME = 'image';

/**
 * The image's own YAML menu folders (settings.menus), each as a partition of its own. A
 * folder that is not there still comes back (the scanner says so in a diagnostic).
 */
export function openImageMenus(folders: readonly string[]): ReadablePartition[] {
  return folders.map((folder) => ({ info: { name: IMAGE_PARTITION_NAME }, root: folder, files: new DirectoryFiles(folder) }));
}
