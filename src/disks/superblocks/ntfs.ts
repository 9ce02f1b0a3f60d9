// NTFS (libblkid superblocks/ntfs.c): the boot sector's BIOS parameter block is checked,
// the label is the $VOLUME_NAME attribute of MFT record 3 ($Volume), the UUID the 64-bit
// volume serial number as 16 uppercase hex digits.
import { ascii, isPowerOf2, le16, le32, le64, utf16Label } from './bytes';
import type { Probe } from './types';

const MAX_CLUSTER_SIZE = 2 * 1024 * 1024;
const MFT_RECORD_VOLUME = 3;
const ATTR_VOLUME_NAME = 0x60;
const ATTR_END = 0xffffffff;

export const probeNtfs: Probe = (src) => {
  const bs = src.read(0, 512);
  if (!bs || ascii(bs, 3, 8) !== 'NTFS    ') return undefined;
  const sectorSize = le16(bs, 11);
  if (sectorSize < 256 || sectorSize > 4096 || !isPowerOf2(sectorSize)) return undefined;
  const spc = bs[13]!;
  let sectorsPerCluster: number;
  if ([1, 2, 4, 8, 16, 32, 64, 128].includes(spc)) sectorsPerCluster = spc;
  else if (spc >= 240 && spc <= 249) sectorsPerCluster = 2 ** (256 - spc);
  else return undefined;
  if (sectorSize * sectorsPerCluster > MAX_CLUSTER_SIZE) return undefined;
  if (le16(bs, 14) || le16(bs, 17) || le16(bs, 19) || le16(bs, 22) || le32(bs, 32) || bs[16]) return undefined;
  const cpm = bs[64]!;
  const cpmSigned = cpm > 127 ? cpm - 256 : cpm;
  if ((cpm < 0xe1 || cpm > 0xf7) && ![1, 2, 4, 8, 16, 32, 64].includes(cpm)) return undefined;
  let recordSize: number;
  if (cpmSigned > 0) recordSize = cpmSigned * sectorsPerCluster * sectorSize;
  else {
    const shift = -cpmSigned;
    if (shift < 0 || shift >= 31) return undefined;
    recordSize = 2 ** shift;
  }
  const clusters = Math.floor(le64(bs, 40) / sectorsPerCluster);
  const mftCluster = le64(bs, 48);
  if (mftCluster > clusters || le64(bs, 56) > clusters) return undefined;
  if (recordSize < 4) return undefined;
  const mftOffset = mftCluster * sectorSize * sectorsPerCluster;
  const first = src.read(mftOffset, recordSize);
  if (!first || ascii(first, 0, 4) !== 'FILE') return undefined;
  const vol = src.read(mftOffset + MFT_RECORD_VOLUME * recordSize, recordSize);
  if (!vol || ascii(vol, 0, 4) !== 'FILE') return undefined;

  let label: string | undefined;
  let at = le16(vol, 20);
  const allocated = le32(vol, 28);
  // Bounded: every attribute has a non-zero length and the walk stays inside the record.
  while (at + 22 <= recordSize && at <= allocated) {
    const len = le32(vol, at + 4);
    const type = le32(vol, at);
    if (!len || type === ATTR_END) break;
    if (type === ATTR_VOLUME_NAME) {
      const valLen = le32(vol, at + 16);
      const valOff = le16(vol, at + 20);
      if (valOff <= recordSize - at && valLen <= recordSize - at - valOff) label = utf16Label(vol, at + valOff, valLen, 'le');
      break;
    }
    at += len;
  }
  const hi = le32(bs, 76);
  const lo = le32(bs, 72);
  const uuid = hi === 0 && lo === 0 ? undefined : hi.toString(16).toUpperCase().padStart(8, '0') + lo.toString(16).toUpperCase().padStart(8, '0');
  return { type: 'ntfs', ...(label !== undefined ? { label } : {}), ...(uuid !== undefined ? { uuid } : {}) };
};
