// Booting an entry of the boot server from the menu: its kernel, initrds and device tree are
// URLs, downloaded into memfds (download.ts) with the menu's progress gauge in bytes, and
// the entry handed on with the memfds' /proc paths, which the planner, the read-ahead and
// the loader open like any other file. The caller closes them once the load is over or failed.
import type { BootEntry } from '../entries/model';
import { downloadFiles, needsDownload, type MemfdSys } from './download';

/** What the menu's gauge shows (src/ui/backend.ts's BootProgress, without importing the UI). */
export interface DownloadProgress {
  readonly file: string;
  readonly done: number;
  readonly total: number;
}

export interface FetchedEntry {
  /** The same entry, its files in memfds. */
  readonly entry: BootEntry;
  readonly bytes: number;
  close(): void;
}

/** A whole boot's download (kernel, initrds, device tree) ends by then, whatever the server does. */
export const MENU_DOWNLOAD_MS = 600_000;
/** At most this often a progress report goes to the screen (TFTP delivers 1.4 KiB a packet). */
const PROGRESS_INTERVAL_MS = 100;

/** Whether an entry's files are on a boot server (then they are downloaded at boot, and cannot be checked before). */
export function isRemoteEntry(entry: BootEntry): boolean {
  return entry.resolution.ok && needsDownload(entry.resolution.files);
}

/**
 * Downloads a boot server entry's files; undefined for an entry of the disks (nothing to do).
 * Throws the NetError sentence of the first file that cannot be fetched, with nothing left open.
 */
export async function fetchEntryFiles(entry: BootEntry, sys: () => MemfdSys, progress: (p: DownloadProgress) => void, now = Date.now()): Promise<FetchedEntry | undefined> {
  if (!entry.resolution.ok || !needsDownload(entry.resolution.files)) return undefined;
  let last = 0;
  const downloaded = await downloadFiles(entry.resolution.files, sys(), {
    deadline: now + MENU_DOWNLOAD_MS,
    onProgress: (url, done, total) => {
      const t = Date.now();
      if (done !== total && t - last < PROGRESS_INTERVAL_MS) return;
      last = t;
      // Without a size from the server (no tsize, no Content-Length) the gauge shows what came so far.
      progress({ file: url, done, total: total ?? done });
    },
  });
  return { entry: { ...entry, resolution: { ok: true, files: downloaded.files } }, bytes: downloaded.bytes, close: () => downloaded.close() };
}
