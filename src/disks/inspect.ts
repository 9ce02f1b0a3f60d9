// `kexec-menu inspect FILE` for file systems: what a file or block device holds.
import { identifyPath, sizeOfPath, type FilesystemIdentity } from './identify';

export interface FilesystemReport extends FilesystemIdentity {
  readonly kind: 'filesystem';
  readonly file: string;
  /** Bytes: the file's size, or the block device's. */
  readonly size: number | null;
}

/** The file system in `path` (an image file or a block device), or undefined when there is none kexec-menu knows. */
export function inspectFilesystem(path: string): FilesystemReport | undefined {
  const size = sizeOfPath(path);
  const id = identifyPath(path, size);
  if (id.type === 'unknown') return undefined;
  return { kind: 'filesystem', file: path, size: size ?? null, ...id };
}

/** 8.0 MiB, 1.5 GiB: binary units, one decimal. */
export function formatSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

/** One line: `ext4 file system, label "root", UUID …, 8.0 MiB`. */
export function describeFilesystem(r: FilesystemReport): string {
  const parts = [`${r.type} file system${r.version ? ` (${r.version})` : ''}`];
  if (r.label !== undefined) parts.push(`label ${JSON.stringify(r.label)}`);
  if (r.uuid !== undefined) parts.push(`UUID ${r.uuid}`);
  if (r.needsRecovery) parts.push('journal needs recovery');
  parts.push(formatSize(r.size));
  return parts.join(', ');
}
