// What file system a partition or image holds, read from its superblock by kexec-menu itself
// (no blkid binary in the image): type, label and UUID exactly as `blkid -o export` prints
// them, since that is what configs refer to (root=UUID=…, LABEL=…, GRUB's search).
//
// Probes run in a fixed order, strongest signature first; the first that recognises the
// bytes wins. blkid instead runs them all and refuses ambiguous results; here a FAT boot
// sector left over under a newer file system loses to that file system, which is what the
// kernel would mount. Damaged, truncated or unreadable data is `unknown`, never an exception.
import { readFileSync, statSync } from 'node:fs';
import { type ByteSource, withFileSource } from './superblocks/byte-source';
import { probeBtrfs } from './superblocks/btrfs';
import { probeExfat } from './superblocks/exfat';
import { probeExt } from './superblocks/ext';
import { probeF2fs } from './superblocks/f2fs';
import { probeFat } from './superblocks/fat';
import { probeIso9660 } from './superblocks/iso9660';
import { probeNtfs } from './superblocks/ntfs';
import { probeSquashfs } from './superblocks/squashfs';
import type { Identity, Probe } from './superblocks/types';
import { probeXfs } from './superblocks/xfs';

export type { FilesystemIdentity, FilesystemType, Identity } from './superblocks/types';

const PROBES: readonly Probe[] = [probeExt, probeXfs, probeBtrfs, probeF2fs, probeSquashfs, probeNtfs, probeExfat, probeIso9660, probeFat];

export const UNKNOWN: Identity = Object.freeze({ type: 'unknown' });

export function identifySource(src: ByteSource): Identity {
  for (const probe of PROBES) {
    try {
      const id = probe(src);
      if (id) return id;
    } catch {
      // A probe that trips over damaged data only means "not this file system".
    }
  }
  return UNKNOWN;
}

/**
 * Identifies a file or block device. `size` is the device's size when the caller knows it
 * (fstat gives 0 for block devices). Unreadable → unknown.
 */
export function identifyPath(path: string, size?: number): Identity {
  try {
    return withFileSource(path, identifySource, size);
  } catch {
    return UNKNOWN;
  }
}

/** Size of a regular file, or of a block device from sysfs; undefined when neither says. */
export function sizeOfPath(path: string, sysRoot = '/sys'): number | undefined {
  try {
    const st = statSync(path);
    if (st.isFile()) return st.size;
    if (st.isBlockDevice()) {
      const major = (st.rdev >>> 8) & 0xfff;
      const minor = (st.rdev & 0xff) | ((st.rdev >>> 12) & 0xfff00);
      const sectors = Number(readFileSync(`${sysRoot}/dev/block/${major}:${minor}/size`, 'utf8').trim());
      return Number.isFinite(sectors) ? sectors * 512 : undefined;
    }
  } catch {
    /* not there */
  }
  return undefined;
}
