// At boot, an entry from the boot server has URLs where a disk entry has paths: each file is
// downloaded into a memfd (RAM, nothing written to any disk) and named by its /proc path,
// which the planner and the loader open like any other file, and which kexec-tools (another
// process) can open too. The sizes are capped by the memory free now, so a Content-Length
// or tsize larger than RAM fails before a byte is read.
import { closeSync, writeSync } from 'node:fs';
import { freemem } from 'node:os';
import type { ResolvedFiles } from '../entries/model';
import { fetchUrl, isUrl } from './fetch';
import { NetError } from './transfer';

export interface MemfdSys {
  memfdCreate(name: string, flags?: number): number;
}

export interface DownloadOptions {
  /** The whole download ends by then (ms since the epoch). */
  readonly deadline: number;
  readonly idleMs?: number;
  /** Defaults to 90% of the memory free when the download starts. */
  readonly maxBytes?: number;
  /** Bytes received of one file, and its size when the server said. */
  readonly onProgress?: (url: string, received: number, total: number | undefined) => void;
}

export interface Downloaded {
  /** The same files, every URL replaced by the path of the memfd holding it. */
  readonly files: ResolvedFiles;
  /** Bytes downloaded in all. */
  readonly bytes: number;
  /** Closes the memfds (after the load, or when the boot is abandoned). */
  close(): void;
}

/** Whether an entry's files come from the network (then they must be downloaded before planning). */
export function needsDownload(files: ResolvedFiles): boolean {
  return [files.kernel, ...files.initrds, ...files.overlays, files.devicetree?.path ?? ''].some(isUrl);
}

/** Downloads every URL of `files` into its own memfd; the first failure closes all and throws its NetError. */
export async function downloadFiles(files: ResolvedFiles, sys: MemfdSys, options: DownloadOptions): Promise<Downloaded> {
  const fds: number[] = [];
  let bytes = 0;
  const close = (): void => {
    for (const fd of fds.splice(0)) closeSync(fd);
  };
  const maxBytes = options.maxBytes ?? Math.floor(freemem() * 0.9);
  const one = async (path: string): Promise<string> => {
    if (!isUrl(path)) return path;
    const name = path.slice(path.lastIndexOf('/') + 1) || 'file';
    // Not close-on-exec: kexec-tools, started as a child, opens the same /proc path.
    const fd = sys.memfdCreate(`kexec-menu-net-${name}`, 0);
    fds.push(fd);
    let received = 0;
    await fetchUrl(path, {
      deadline: options.deadline,
      maxBytes: maxBytes - bytes,
      ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
      onData: (chunk) => {
        for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
        received += chunk.length;
      },
      onProgress: (n, total) => options.onProgress?.(path, n, total),
    });
    bytes += received;
    return `/proc/${process.pid}/fd/${fd}`;
  };
  try {
    // One after another: the memory cap is shared, and a PXE server serves one client better so.
    const kernel = await one(files.kernel);
    const initrds: string[] = [];
    for (const i of files.initrds) initrds.push(await one(i));
    const overlays: string[] = [];
    for (const o of files.overlays) overlays.push(await one(o));
    const dt = files.devicetree;
    const devicetree = dt === undefined ? undefined : { ...dt, path: await one(dt.path) };
    return { files: { kernel, initrds, overlays, ...(devicetree ? { devicetree } : {}) }, bytes, close };
  } catch (err) {
    close();
    throw err instanceof NetError ? err : new NetError(`the download failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
