import type { ByteSource } from './byte-source';

/** File systems kexec-menu recognises, named as blkid's TYPE names them. */
export type FilesystemType = 'ext2' | 'ext3' | 'ext4' | 'ext4dev' | 'jbd' | 'vfat' | 'exfat' | 'iso9660' | 'btrfs' | 'xfs' | 'f2fs' | 'squashfs' | 'ntfs';

export interface FilesystemIdentity {
  readonly type: FilesystemType;
  /** blkid's LABEL. */
  readonly label?: string;
  /** blkid's UUID (for FAT/exFAT the volume serial, for ISO 9660 a date, for NTFS 16 hex digits). */
  readonly uuid?: string;
  /** blkid's VERSION where it is informative: FAT12/FAT16/FAT32, "Joliet Extension". */
  readonly version?: string;
  /** FAT: the boot sector's label (blkid's LABEL_FATBOOT) when it is not "NO NAME". */
  readonly bootLabel?: string;
  /** The file system has a journal or log waiting to be replayed (mounting must not replay it). */
  readonly needsRecovery?: boolean;
}

export type Identity = FilesystemIdentity | { readonly type: 'unknown' };

/** One file system's probe: its identity, or undefined when the bytes are not that file system. */
export type Probe = (src: ByteSource) => FilesystemIdentity | undefined;
