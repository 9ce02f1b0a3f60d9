// F2FS (libblkid superblocks/f2fs.c): the first superblock at 1 KiB, its CRC-32 checked when
// the file system has one; the label is UTF-16LE.
import { crc32, le16, le32, utf16Label, uuidString } from './bytes';
import type { Probe } from './types';

const SB_OFFSET = 0x400;
const MAGIC = 0xf2f52010;

export const probeF2fs: Probe = (src) => {
  const sb = src.read(SB_OFFSET, 0x7c + 1024);
  if (!sb || le32(sb, 0) !== MAGIC) return undefined;
  const major = le16(sb, 4);
  const minor = le16(sb, 6);
  // Version 1.0 superblocks have another layout: blkid names the type and nothing else.
  if (major === 1 && minor === 0) return { type: 'f2fs' };
  const csumOffset = le32(sb, 0x20);
  if (csumOffset) {
    if (csumOffset % 4 !== 0 || csumOffset + 4 > 4096) return undefined;
    const data = src.read(SB_OFFSET, csumOffset + 4);
    if (!data || crc32(MAGIC, data, 0, csumOffset) !== le32(data, csumOffset)) return undefined;
  }
  const label = sb[0x7c] !== 0 ? utf16Label(sb, 0x7c, 1024, 'le') : undefined;
  const uuid = uuidString(sb, 0x6c);
  return { type: 'f2fs', ...(label !== undefined ? { label } : {}), ...(uuid !== undefined ? { uuid } : {}) };
};
