// btrfs (libblkid superblocks/btrfs.c): the primary superblock at 64 KiB, its CRC-32C
// checked (xxhash, sha256 and blake2 superblocks are accepted unchecked, as blkid does for
// types it does not know); LABEL and UUID (the file system's fsid).
import { crc32c, le16, le32, le64, rawLabel, uuidString, ascii } from './bytes';
import type { Probe } from './types';

const SB_OFFSET = 64 * 1024;
const SB_SIZE = 4096;
const CSUM_CRC32C = 0;

export const probeBtrfs: Probe = (src) => {
  if (src.size !== undefined && src.size < 1024 * 1024) return undefined;
  const sb = src.read(SB_OFFSET, SB_SIZE);
  if (!sb || ascii(sb, 0x40, 8) !== '_BHRfS_M') return undefined;
  if (le16(sb, 196) === CSUM_CRC32C && (~crc32c(0xffffffff, sb, 32, SB_SIZE) >>> 0) !== le32(sb, 0)) return undefined;
  if (le32(sb, 144) === 0) return undefined; // sectorsize
  const label = sb[299] !== 0 ? rawLabel(sb, 299, 256) : undefined;
  const uuid = uuidString(sb, 32);
  return {
    type: 'btrfs',
    ...(label !== undefined ? { label } : {}),
    ...(uuid !== undefined ? { uuid } : {}),
    // A log tree left by fsync: mounting would replay it unless told not to.
    ...(le64(sb, 96) !== 0 ? { needsRecovery: true } : {}),
  };
};
