// ext2/3/4 (and ext4dev, and jbd external journals), told apart by feature flags exactly as
// libblkid does (superblocks/ext.c): ext2 = no journal and only ext2 features; ext3 = a
// journal and only ext3 features; ext4 = anything ext3 does not know.
import { crc32c, le16, le32, rawLabel, uuidString } from './bytes';
import type { FilesystemIdentity, Probe } from './types';

const SB_OFFSET = 1024;
const SB_SIZE = 1024;
const MAGIC = 0xef53;

const COMPAT_HAS_JOURNAL = 0x0004;
const INCOMPAT_RECOVER = 0x0004;
const INCOMPAT_JOURNAL_DEV = 0x0008;
const RO_COMPAT_METADATA_CSUM = 0x0400;
const FLAGS_TEST_FILESYS = 0x0004;

const EXT2_RO_COMPAT_SUPP = 0x0001 | 0x0002 | 0x0004; // sparse_super, large_file, btree_dir
const EXT2_INCOMPAT_SUPP = 0x0002 | 0x0010; // filetype, meta_bg
const EXT3_RO_COMPAT_SUPP = EXT2_RO_COMPAT_SUPP;
const EXT3_INCOMPAT_SUPP = 0x0002 | INCOMPAT_RECOVER | 0x0010;

export const probeExt: Probe = (src) => {
  const sb = src.read(SB_OFFSET, SB_SIZE);
  if (!sb || le16(sb, 0x38) !== MAGIC) return undefined;
  const fc = le32(sb, 0x5c);
  const fi = le32(sb, 0x60);
  const frc = le32(sb, 0x64);
  if (frc & RO_COMPAT_METADATA_CSUM) {
    if (crc32c(0xffffffff, sb, 0, 0x3fc) !== le32(sb, 0x3fc)) return undefined;
  } else if (le32(sb, 0x18) >= 256) {
    return undefined;
  }
  const testFs = (le32(sb, 0x160) & FLAGS_TEST_FILESYS) !== 0;
  let type: FilesystemIdentity['type'];
  if (fi & INCOMPAT_JOURNAL_DEV) type = 'jbd';
  else if (testFs) type = 'ext4dev';
  else if (frc & ~EXT3_RO_COMPAT_SUPP || fi & ~EXT3_INCOMPAT_SUPP) type = 'ext4';
  else if (fc & COMPAT_HAS_JOURNAL) type = 'ext3';
  else if (!(frc & ~EXT2_RO_COMPAT_SUPP) && !(fi & ~EXT2_INCOMPAT_SUPP)) type = 'ext2';
  else return undefined;
  const label = sb[0x78] !== 0 ? rawLabel(sb, 0x78, 16) : undefined;
  const uuid = uuidString(sb, 0x68);
  return {
    type,
    ...(label !== undefined ? { label } : {}),
    ...(uuid !== undefined ? { uuid } : {}),
    ...(fi & INCOMPAT_RECOVER ? { needsRecovery: true } : {}),
  };
};
