// Picks the device tree for an entry that names a folder of them (extlinux `fdtdir`, a
// Raspberry Pi boot partition, /boot/dtbs/VER/): the one whose root `compatible` best
// matches the running board's (/proc/device-tree/compatible), as U-Boot and the Pi firmware
// would have picked it. A file the config names (`fdtfile`) wins when it is there.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BootError } from './errors';
import { readRootProperties, stringList } from './dt/fdt';
import { readDeviceTreeFile } from './inspect';

export interface DtbChoice {
  readonly path: string;
  readonly compatible: readonly string[];
  readonly model?: string;
  /** One sentence saying which was picked and why. */
  readonly reason: string;
}

/** How many .dtb files a folder may hold before the rest are ignored (Debian ships ~1000). */
const MAX_CANDIDATES = 4000;

/** The .dtb files in a folder and its vendor subfolders (broadcom/, rockchip/…), sorted. */
export function listDeviceTrees(dir: string): string[] {
  const out: string[] = [];
  const visit = (folder: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(folder).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= MAX_CANDIDATES) return;
      const p = join(folder, name);
      let isDir = false;
      try {
        const st = statSync(p);
        isDir = st.isDirectory();
        if (st.isFile() && name.toLowerCase().endsWith('.dtb')) out.push(p);
      } catch {
        continue;
      }
      // One level of vendor folders, as kernels install them; overlays/ holds .dtbo only.
      if (isDir && depth === 0 && name !== 'overlays') visit(p, 1);
    }
  };
  visit(dir, 0);
  return out;
}

interface Candidate {
  readonly path: string;
  readonly compatible: string[];
  readonly model?: string;
}

function readCandidate(path: string): Candidate | undefined {
  try {
    const root = readRootProperties(readDeviceTreeFile(path), path);
    const model = stringList(root.get('model'))[0];
    return { path, compatible: stringList(root.get('compatible')), ...(model !== undefined ? { model } : {}) };
  } catch {
    return undefined; // a broken file is simply not a candidate
  }
}

/**
 * Chooses a DTB from `dir` for a board whose compatible list is `board` (most specific
 * first). Score: the earliest board string the file lists (a file naming the exact board
 * beats one naming only the SoC), then how early the file lists it, then the file name.
 * Throws BootError when nothing fits.
 */
export function chooseDeviceTree(dir: string, board: readonly string[] | undefined, preferred?: string): DtbChoice {
  const shown = dir;
  if (preferred) {
    const path = join(dir, preferred);
    const c = readCandidate(path);
    if (c) return { ...c, reason: `${preferred} is the device tree the boot config names (fdtfile) in ${shown}.` };
  }
  const files = listDeviceTrees(dir);
  if (files.length === 0) throw new BootError(`There is no .dtb file in ${dir} to pick a device tree from.`, 'ENOENT');
  if (!board || board.length === 0) {
    throw new BootError(`The running system has no device-tree compatible list to pick one of the ${files.length} device trees in ${dir} by; name the file in the boot config.`, 'ENOENT');
  }
  let best: { c: Candidate; boardRank: number; fileRank: number } | undefined;
  for (const path of files) {
    const c = readCandidate(path);
    if (!c) continue;
    let boardRank = -1;
    let fileRank = -1;
    for (let i = 0; i < board.length && boardRank === -1; i++) {
      const j = c.compatible.indexOf(board[i]!);
      if (j !== -1) {
        boardRank = i;
        fileRank = j;
      }
    }
    if (boardRank === -1) continue;
    if (!best || boardRank < best.boardRank || (boardRank === best.boardRank && fileRank < best.fileRank)) best = { c, boardRank, fileRank };
  }
  if (!best) throw new BootError(`None of the ${files.length} device trees in ${dir} is compatible with this board (${board.join(', ')}).`, 'ENOENT');
  const name = relative(dir, best.c.path);
  const matched = board[best.boardRank]!;
  const missing = preferred ? `${preferred} is not there; ` : '';
  const why =
    best.boardRank === 0
      ? `its compatible "${matched}" is this board's own`
      : `no file is compatible with "${board[0]}", and it lists "${matched}", the board's compatible number ${best.boardRank + 1}`;
  return { ...best.c, reason: `${missing ? `${missing}picked` : 'Picked'} ${name} from ${shown}: ${why}.` };
}
