// exFAT as libblkid reads it (superblocks/exfat.c): boot sector sanity checks and its
// checksum, the label from the root directory's volume-label entry (UTF-16LE), the volume
// serial number as XXXX-XXXX.
import type { ByteSource } from './byte-source';
import { ascii, hex2, isZero, le16, le32, utf16Label } from './bytes';
import type { Probe } from './types';

const ENTRY_SIZE = 32;
const ENTRY_EOD = 0x00;
const ENTRY_LABEL = 0x83;
const FIRST_DATA_CLUSTER = 2;
const LAST_DATA_CLUSTER = 0xffffff6;
/** Root-directory entries looked at for the label (the label is nearly always among the first). */
const MAX_ENTRIES = 1 << 16;

interface Boot {
  readonly sectorShift: number;
  readonly clusterShift: number;
  readonly fatOffset: number;
  readonly heapOffset: number;
  readonly rootCluster: number;
}

function bootChecksum(sectors: Uint8Array, sectorSize: number): number {
  let sum = 0;
  for (let i = 0; i < sectorSize * 11; i++) {
    if (i === 106 || i === 107 || i === 112) continue;
    sum = (((sum & 1) ? 0x80000000 : 0) + (sum >>> 1) + sectors[i]!) >>> 0;
  }
  return sum;
}

function validBoot(src: ByteSource, bs: Uint8Array): Boot | undefined {
  const sectorShift = bs[108]!;
  const clusterShift = bs[109]!;
  const fats = bs[110]!;
  const fatOffset = le32(bs, 80);
  const fatLength = le32(bs, 84);
  const heapOffset = le32(bs, 88);
  const clusterCount = le32(bs, 92);
  const rootCluster = le32(bs, 96);
  if (le16(bs, 510) !== 0xaa55) return undefined;
  if (bs[0] !== 0xeb || bs[1] !== 0x76 || bs[2] !== 0x90) return undefined;
  if (ascii(bs, 3, 8) !== 'EXFAT   ' || !isZero(bs, 11, 53)) return undefined;
  if (fats < 1 || fats > 2) return undefined;
  if (sectorShift < 9 || sectorShift > 12) return undefined;
  if (clusterShift > 25 - sectorShift) return undefined;
  if (fatOffset < 24 || fatOffset > heapOffset - fatLength * fats) return undefined;
  if (heapOffset < fatOffset + fatLength * fats || heapOffset > 2 ** 31) return undefined;
  if (rootCluster < 2 || rootCluster > clusterCount + 1) return undefined;
  const sectorSize = 2 ** sectorShift;
  const region = src.read(0, sectorSize * 12);
  if (!region) return undefined;
  const sum = bootChecksum(region, sectorSize);
  for (let i = 0; i < sectorSize / 4; i++) if (le32(region, sectorSize * 11 + i * 4) !== sum) return undefined;
  return { sectorShift, clusterShift, fatOffset, heapOffset, rootCluster };
}

function findLabel(src: ByteSource, b: Boot): Uint8Array | undefined {
  const clusterBytes = 2 ** (b.sectorShift + b.clusterShift);
  const clusterOffset = (c: number) => (b.heapOffset + (c - FIRST_DATA_CLUSTER) * 2 ** b.clusterShift) * 2 ** b.sectorShift;
  let cluster = b.rootCluster;
  let offset = clusterOffset(cluster);
  for (let i = 0; i < MAX_ENTRIES; i++) {
    const entry = src.read(offset, ENTRY_SIZE);
    if (!entry || entry[0] === ENTRY_EOD) return undefined;
    if (entry[0] === ENTRY_LABEL) return entry;
    offset += ENTRY_SIZE;
    if (offset % clusterBytes === 0) {
      const next = src.read(b.fatOffset * 2 ** b.sectorShift + cluster * 4, 4);
      if (!next) return undefined;
      cluster = le32(next, 0);
      if (cluster < FIRST_DATA_CLUSTER || cluster > LAST_DATA_CLUSTER) return undefined;
      offset = clusterOffset(cluster);
    }
  }
  return undefined;
}

export const probeExfat: Probe = (src) => {
  const bs = src.read(0, 512);
  if (!bs || ascii(bs, 3, 8) !== 'EXFAT   ') return undefined;
  const boot = validBoot(src, bs);
  if (!boot) return undefined;
  const entry = findLabel(src, boot);
  const label = entry ? utf16Label(entry, 2, Math.min(entry[1]! * 2, 22), 'le') : undefined;
  const s = bs.subarray(100, 104);
  const uuid = isZero(s, 0, 4) ? undefined : `${hex2(s[3]!)}${hex2(s[2]!)}-${hex2(s[1]!)}${hex2(s[0]!)}`;
  return { type: 'exfat', ...(label !== undefined ? { label } : {}), ...(uuid !== undefined ? { uuid } : {}) };
};
