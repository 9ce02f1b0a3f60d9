// ISO 9660 as libblkid reads it (superblocks/iso9660.c): the primary volume descriptor,
// checked against its root directory record; with a Joliet supplementary descriptor the
// label is the UTF-16 volume id merged with the longer ASCII one; the UUID is the
// modification (else creation) date as YYYY-MM-DD-HH-mm-ss-cc, which is what GRUB's
// `search --fs-uuid` and Debian's installers use for CDs. Rock Ridge changes file names only,
// not the volume id. High Sierra (CDROM) is not read.
import { ascii, le32, rawLabel, utf16Label } from './bytes';
import type { Probe } from './types';

const FIRST_DESCRIPTOR = 0x8000;
const SECTOR = 0x800;
const MAX_DESCRIPTORS = 16;
const VD_BOOT = 0;
const VD_PRIMARY = 1;
const VD_SUPPLEMENTARY = 2;
const VD_END = 0xff;

const upper = (c: number) => (c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
const isUpper = (c: number) => c >= 0x41 && c <= 0x5a;

/**
 * libblkid's merge_utf16be_ascii(): when the Joliet (UTF-16BE) id is a prefix of the ASCII
 * one, ignoring case and '_' placeholders, the Joliet characters followed by the rest of the
 * ASCII id; undefined when they disagree.
 */
function mergeUtf16Ascii(utf16: Uint8Array, asciiId: Uint8Array, len: number): Uint8Array | undefined {
  const out: number[] = [];
  let a = 0;
  let u = 0;
  for (; u + 1 < len && a < len; a++, u += 2) {
    if (utf16[u]! >= 0xd8 && utf16[u]! <= 0xdb && u + 3 < len && utf16[u + 2]! >= 0xdc && utf16[u + 2]! <= 0xdf) {
      out.push(utf16[u]!, utf16[u + 1]!);
      u += 2;
    }
    if (asciiId[a] === 0x5f) out.push(utf16[u]!, utf16[u + 1]!);
    else if (utf16[u] === 0 && utf16[u + 1] === 0x5f) out.push(0, asciiId[a]!);
    else if (utf16[u] === 0 && upper(asciiId[a]!) === upper(utf16[u + 1]!)) out.push(0, isUpper(asciiId[a]!) ? utf16[u + 1]! : asciiId[a]!);
    else return undefined;
  }
  for (; a < len; a++) out.push(0, asciiId[a]!);
  return Uint8Array.from(out);
}

/** The date's 16 digits as blkid's UUID, or undefined when the date is unset (all '0', offset 0). */
function dateUuid(d: Uint8Array, o: number): string | undefined {
  const digits = ascii(d, o, 16);
  if (/^0{16}$/.test(digits) && d[o + 16] === 0) return undefined;
  if (d.subarray(o, o + 16).every((c) => c === 0)) return undefined; // blkid: an all-NUL value is no UUID
  return `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}-${digits.slice(8, 10)}-${digits.slice(10, 12)}-${digits.slice(12, 14)}-${digits.slice(14, 16)}`;
}

export const probeIso9660: Probe = (src) => {
  let pvd: Uint8Array | undefined;
  let joliet: Uint8Array | undefined;
  let boot: Uint8Array | undefined;
  for (let i = 0, off = FIRST_DESCRIPTOR; i < MAX_DESCRIPTORS && (!boot || !pvd || !joliet); i++, off += SECTOR) {
    const d = src.read(off, SECTOR);
    if (!d || d[0] === VD_END) break;
    if (ascii(d, 1, 5) !== 'CD001') {
      if (i === 0) return undefined;
      continue;
    }
    if (!boot && d[0] === VD_BOOT) boot = d;
    else if (!pvd && d[0] === VD_PRIMARY) pvd = d;
    else if (!joliet && d[0] === VD_SUPPLEMENTARY) {
      const esc = ascii(d, 88, 3);
      if (esc === '%/@' || esc === '%/C' || esc === '%/E') joliet = d;
    }
  }
  if (!pvd) return undefined;
  const blockSize = pvd[128]! | (pvd[129]! << 8);
  if (blockSize === 0) return undefined;
  // The root directory's first record must be "." pointing at itself (rules out a stray CD001).
  const root = 156;
  const rootLba = le32(pvd, root + 2);
  const rootLen = le32(pvd, root + 10);
  if (rootLen < 34) return undefined;
  const rootData = src.read(rootLba * blockSize, Math.min(rootLen, 2048));
  if (!rootData || rootData[0]! < 34 || rootData[32] !== 1 || rootData[33] !== 0 || le32(rootData, 2) !== rootLba) return undefined;

  const uuid = dateUuid(pvd, 830) ?? dateUuid(pvd, 813);
  let label: string | undefined;
  if (joliet) {
    const merged = mergeUtf16Ascii(joliet.subarray(40, 72), pvd.subarray(40, 72), 32);
    label = merged ? utf16Label(merged, 0, merged.length, 'be') : utf16Label(joliet, 40, 32, 'be');
  } else {
    label = rawLabel(pvd, 40, 32);
  }
  return {
    type: 'iso9660',
    ...(label !== undefined ? { label } : {}),
    ...(uuid !== undefined ? { uuid } : {}),
    ...(joliet ? { version: 'Joliet Extension' } : {}),
  };
};
