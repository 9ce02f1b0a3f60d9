// XFS (libblkid superblocks/xfs.c): the superblock's geometry is checked, and on v5 file
// systems its CRC-32C; LABEL is sb_fname, UUID sb_uuid.
import { ascii, be16, be32, be64, crc32c, le32, rawLabel, uuidString } from './bytes';
import type { Probe } from './types';

const CRC_OFFSET = 224;

export const probeXfs: Probe = (src) => {
  const sb = src.read(0, 512);
  if (!sb || ascii(sb, 0, 4) !== 'XFSB') return undefined;
  const blocksize = be32(sb, 4);
  const dblocks = be64(sb, 8);
  const rextsize = be32(sb, 80);
  const agblocks = be32(sb, 84);
  const agcount = be32(sb, 88);
  const versionnum = be16(sb, 100);
  const sectsize = be16(sb, 102);
  const inodesize = be16(sb, 104);
  const blocklog = sb[120]!;
  const sectlog = sb[121]!;
  const inodelog = sb[122]!;
  const inopblog = sb[123]!;
  const imaxPct = sb[127]!;
  const features2 = be32(sb, 200);
  const bad =
    agcount <= 0 ||
    sectsize < 512 || sectsize > 32768 || sectlog < 9 || sectlog > 15 || sectsize !== 2 ** sectlog ||
    blocksize < 512 || blocksize > 65536 || blocklog < 9 || blocklog > 16 || blocksize !== 2 ** blocklog ||
    inodesize < 256 || inodesize > 2048 || inodelog < 8 || inodelog > 11 || inodesize !== 2 ** inodelog ||
    blocklog - inodelog !== inopblog ||
    rextsize * blocksize > 1024 * 1024 * 1024 || rextsize * blocksize < 4096 ||
    imaxPct > 100 ||
    dblocks === 0 || dblocks > agcount * agblocks || dblocks < (agcount - 1) * agblocks + 64;
  if (bad) return undefined;
  if ((versionnum & 0x0f) === 5) {
    if (!(versionnum & 0x8000) || !(features2 & 0x100)) return undefined;
    const sector = src.read(0, sectsize);
    if (!sector) return undefined;
    let crc = crc32c(0xffffffff, sector, 0, CRC_OFFSET);
    crc = crc32c(crc, new Uint8Array(4));
    crc = crc32c(crc, sector, CRC_OFFSET + 4, sectsize);
    if ((~crc >>> 0) !== le32(sector, CRC_OFFSET)) return undefined;
  }
  const label = sb[108] !== 0 ? rawLabel(sb, 108, 12) : undefined;
  const uuid = uuidString(sb, 32);
  return { type: 'xfs', ...(label !== undefined ? { label } : {}), ...(uuid !== undefined ? { uuid } : {}) };
};
