// SquashFS 4 (libblkid superblocks/squashfs.c): no label, no UUID. Older (3.x) images are
// not mountable by current kernels and are not recognised.
import { ascii, le16 } from './bytes';
import type { Probe } from './types';

export const probeSquashfs: Probe = (src) => {
  const sb = src.read(0, 96);
  if (!sb || ascii(sb, 0, 4) !== 'hsqs' || le16(sb, 28) < 4) return undefined;
  return { type: 'squashfs' };
};
