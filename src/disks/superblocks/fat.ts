// FAT12/16/32 as libblkid reads it (superblocks/vfat.c): the boot sector is checked for
// sane geometry, LABEL is the volume-label entry of the root directory (what Windows, GRUB
// and fatlabel show), the boot sector's own label is kept apart (LABEL_FATBOOT), and the
// UUID is the volume serial number as XXXX-XXXX.
import type { ByteSource } from './byte-source';
import { ascii, hex2, isPowerOf2, isZero, le16, le32, rawLabel } from './bytes';
import type { Probe } from './types';

const FAT12_MAX = 0xff4;
const FAT16_MAX = 0xfff4;
const FAT32_MAX = 0x0ffffff6;
const ATTR_VOLUME_ID = 0x08;
const ATTR_DIR = 0x10;
const ATTR_LONG_NAME = 0x0f;
const ATTR_MASK = 0x3f;
const ENTRY_FREE = 0xe5;
const NO_NAME = 'NO NAME    ';
/** Clusters of a FAT32 root directory followed looking for the label (libblkid's limit). */
const MAX_ROOT_CLUSTERS = 100;

/** libblkid's magic list, in its order: [offset, bytes]. The first match decides how strict the check is. */
const MAGICS: ReadonlyArray<readonly [number, string]> = [
  [0x52, 'MSWIN'],
  [0x52, 'FAT32   '],
  [0x36, 'MSDOS'],
  [0x36, 'FAT16   '],
  [0x36, 'FAT12   '],
  [0x36, 'FAT     '],
  [0, '\xeb'],
  [0, '\xe9'],
  [0x1fe, '\x55\xaa'],
];

interface Geometry {
  readonly sectorSize: number;
  readonly reserved: number;
  readonly fatSize: number;
  readonly clusterCount: number;
}

function validGeometry(bs: Uint8Array, magicLength: number): Geometry | undefined {
  if (magicLength <= 2) {
    if (bs[0x1fe] !== 0x55 || bs[0x1ff] !== 0xaa) return undefined;
    const fsName = ascii(bs, 0x36, 8);
    if (fsName === 'JFS     ' || fsName === 'HPFS    ') return undefined;
  }
  const fats = bs[0x10]!;
  const reserved = le16(bs, 0x0e);
  const media = bs[0x15]!;
  const clusterSize = bs[0x0d]!;
  const sectorSize = le16(bs, 0x0b);
  if (!fats || !reserved) return undefined;
  if (!(media >= 0xf8 || media === 0xf0)) return undefined;
  if (!isPowerOf2(clusterSize)) return undefined;
  if (!isPowerOf2(sectorSize) || sectorSize < 512 || sectorSize > 4096) return undefined;
  const dirEntries = le16(bs, 0x11);
  const sectCount = le16(bs, 0x13) || le32(bs, 0x20);
  const fatLength = le16(bs, 0x16) || le32(bs, 0x24);
  const fatSize = fatLength * fats;
  const dirSize = Math.floor((dirEntries * 32 + sectorSize - 1) / sectorSize);
  const data = sectCount - (reserved + fatSize + dirSize);
  if (data < 0) return undefined; // libblkid's unsigned arithmetic wraps to a count it then rejects
  const clusterCount = Math.floor(data / clusterSize);
  const maxCount = !le16(bs, 0x16) && le32(bs, 0x24) ? FAT32_MAX : clusterCount > FAT12_MAX ? FAT16_MAX : FAT12_MAX;
  if (clusterCount > maxCount) return undefined;
  if (ascii(bs, 3, 8) === '-FVE-FS-') return undefined; // BitLocker keeps a FAT-like header
  return { sectorSize, reserved, fatSize, clusterCount };
}

/** The volume-label entry among the first `entries` entries of a directory at `offset`. */
function searchLabel(src: ByteSource, offset: number, entries: number): Uint8Array | undefined {
  const dir = src.read(offset, entries * 32);
  if (!dir) return undefined;
  for (let i = 0; i < entries; i++) {
    const e = i * 32;
    if (dir[e] === 0x00) break;
    const attr = dir[e + 11]!;
    if (dir[e] === ENTRY_FREE || le16(dir, e + 20) !== 0 || le16(dir, e + 26) !== 0 || (attr & ATTR_MASK) === ATTR_LONG_NAME) continue;
    if ((attr & (ATTR_VOLUME_ID | ATTR_DIR)) === ATTR_VOLUME_ID) {
      const name = dir.slice(e, e + 11);
      if (name[0] === 0x05) name[0] = 0xe5;
      return name;
    }
  }
  return undefined;
}

export const probeFat: Probe = (src) => {
  const bs = src.read(0, 512);
  if (!bs) return undefined;
  const magic = MAGICS.find(([off, m]) => ascii(bs, off, m.length) === m);
  if (!magic) return undefined;
  const g = validGeometry(bs, magic[1].length);
  if (!g) return undefined;

  let volLabel: Uint8Array | undefined;
  let bootLabel: Uint8Array | undefined;
  let serial: Uint8Array | undefined;
  let version: string | undefined;
  if (le16(bs, 0x16)) {
    // FAT12/16: a fixed root directory after the FATs.
    volLabel = searchLabel(src, (g.reserved + g.fatSize) * g.sectorSize, le16(bs, 0x11));
    const ext = bs[0x26];
    if (ext === 0x29) bootLabel = bs.subarray(0x2b, 0x36);
    if (ext === 0x28 || ext === 0x29) serial = bs.subarray(0x27, 0x2b);
    version = g.clusterCount < FAT12_MAX ? 'FAT12' : g.clusterCount < FAT16_MAX ? 'FAT16' : undefined;
  } else if (le32(bs, 0x24)) {
    // FAT32: the root directory is a cluster chain.
    const clusterSize = bs[0x0d]!;
    const bufSize = clusterSize * g.sectorSize;
    const startDataSect = g.reserved + g.fatSize;
    const entries = Math.floor((le32(bs, 0x24) * g.sectorSize) / 4);
    let next = le32(bs, 0x2c);
    for (let loop = 1; next && next < entries && loop < MAX_ROOT_CLUSTERS; loop++) {
      const offset = (startDataSect + (next - 2) * clusterSize) * g.sectorSize;
      volLabel = searchLabel(src, offset, bufSize / 32);
      if (volLabel) break;
      const fatEntry = src.read(g.reserved * g.sectorSize + next * 4, 4);
      if (!fatEntry) break;
      next = le32(fatEntry, 0) & 0x0fffffff;
    }
    version = 'FAT32';
    if (bs[0x42] === 0x29) bootLabel = bs.subarray(0x47, 0x52);
    serial = bs.subarray(0x43, 0x47);
    const fsinfoSector = le16(bs, 0x30);
    if (fsinfoSector) {
      const info = src.read(fsinfoSector * g.sectorSize, 512);
      if (!info) return undefined;
      const sig1 = ascii(info, 0, 4);
      const sig2 = ascii(info, 484, 4);
      if (sig1 !== 'RRaA' && sig1 !== 'RRdA' && sig1 !== '\0\0\0\0') return undefined;
      if (sig2 !== 'rrAa' && sig2 !== '\0\0\0\0') return undefined;
    }
  }
  const label = volLabel ? rawLabel(volLabel, 0, 11) : undefined;
  const boot = bootLabel && ascii(bootLabel, 0, 11) !== NO_NAME ? rawLabel(bootLabel, 0, 11) : undefined;
  const uuid = serial && !isZero(serial, 0, 4) ? `${hex2(serial[3]!)}${hex2(serial[2]!)}-${hex2(serial[1]!)}${hex2(serial[0]!)}` : undefined;
  return {
    type: 'vfat',
    ...(label !== undefined ? { label } : {}),
    ...(uuid !== undefined ? { uuid } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(boot !== undefined ? { bootLabel: boot } : {}),
  };
};
