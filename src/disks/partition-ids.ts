// PARTUUID and PARTLABEL of a partition, read from its disk's partition table, for kernels
// whose uevent does not carry them (PARTUUID appeared in partition uevents in Linux 6.13;
// Debian 12's 6.1 gives only PARTNAME). The kernel has already found the partitions; this
// only reads the one entry again, checked against the start sector sysfs gives, so a
// partition added by other means (BLKPG, as partx does) is never given a wrong identity.
// Formats as the kernel and blkid print them: GPT's unique GUID in lowercase, MBR's
// "<disk signature>-<partition number>" in lowercase hex.
import type { ByteSource } from './superblocks/byte-source';
import { le32, le64, utf16Label } from './superblocks/bytes';

export interface PartitionIds {
  readonly partuuid?: string;
  readonly partlabel?: string;
}

/** Partition entries looked at in a GPT (the spec's minimum array holds 128). */
const MAX_GPT_ENTRIES = 1024;

function hex(b: Uint8Array, from: number, to: number, reverse: boolean): string {
  const bytes = Array.from(b.subarray(from, to));
  if (reverse) bytes.reverse();
  return bytes.map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** A GPT GUID (mixed-endian on disk) as text. */
function guid(b: Uint8Array, o: number): string {
  return `${hex(b, o, o + 4, true)}-${hex(b, o + 4, o + 6, true)}-${hex(b, o + 6, o + 8, true)}-${hex(b, o + 8, o + 10, false)}-${hex(b, o + 10, o + 16, false)}`;
}

/**
 * The identity of partition `number` starting at `start` (512-byte sectors) on the disk
 * read through `disk`; empty when the table does not say or does not match.
 */
export function readPartitionIds(disk: ByteSource, number: number, start: number, logicalBlockSize = 512): PartitionIds {
  const mbr = disk.read(0, 512);
  if (!mbr || mbr[510] !== 0x55 || mbr[511] !== 0xaa) return {};
  const types = [0, 1, 2, 3].map((i) => mbr[446 + i * 16 + 4]);
  if (types.includes(0xee)) {
    const header = disk.read(logicalBlockSize, 92);
    if (!header || Buffer.from(header.subarray(0, 8)).toString('latin1') !== 'EFI PART') return {};
    const entriesLba = le64(header, 72);
    const count = le32(header, 80);
    const entrySize = le32(header, 84);
    if (number < 1 || number > Math.min(count, MAX_GPT_ENTRIES) || entrySize < 128 || entrySize > 4096) return {};
    const entry = disk.read(entriesLba * logicalBlockSize + (number - 1) * entrySize, 128);
    if (!entry) return {};
    if (le64(entry, 32) * (logicalBlockSize / 512) !== start) return {};
    const name = utf16Label(entry, 56, 72, 'le');
    return { partuuid: guid(entry, 16), ...(name !== undefined ? { partlabel: name } : {}) };
  }
  const signature = le32(mbr, 440);
  if (signature === 0) return {};
  if (number >= 1 && number <= 4) {
    const e = 446 + (number - 1) * 16;
    if (mbr[e + 4] === 0 || le32(mbr, e + 8) !== start) return {};
  }
  return { partuuid: `${signature.toString(16).padStart(8, '0')}-${number.toString(16).padStart(2, '0')}` };
}
