// /chosen as the next kernel reads it, written by the native loader once the segments are
// placed: kexec_file_load's arm64 code does the same in the kernel (of_kexec_alloc_and_setup_fdt).
// - bootargs: the planned command line.
// - linux,initrd-start / linux,initrd-end: where the initrd segment went (64-bit cells; the
//   kernel reads either width), removed without an initrd so the old one is not found.
// - kaslr-seed (8 bytes) and rng-seed: fresh from getrandom(), since a seed that was used
//   (or zeroed) gives the next kernel no randomness; the arm64 kernel wipes both once read.
// - linux,elfcorehdr and linux,usable-memory-range: for a crash kernel (crash-arm64.ts), the
//   ELF core header's segment and the reservation, in the root's #address-cells/#size-cells
//   as kexec-tools' setup_2nd_dtb writes them; for any other kernel dropped, since they would
//   confine it to a crash region.
import { LayoutError } from './layout-error';
import { type Fdt, FdtError, deleteProp, encodeReg, ensureNode, getProp, setProp, stringValue, u32Cells } from '../dt/fdt';
import type { RandomSource } from '../../sys/random';
import { type Range, describeRange } from './memory';

/** Bytes of /chosen/rng-seed: what the kernel's own kexec_file_load writes (RNG_SEED_SIZE 128). */
export const RNG_SEED_SIZE = 128;

export interface ChosenValues {
  readonly bootargs: string;
  readonly initrd?: { readonly start: number; readonly end: number };
  readonly random: RandomSource;
  /** Write kaslr-seed (arm64 only; 32-bit ARM has no KASLR). */
  readonly kaslrSeed: boolean;
  /** A crash kernel's core header segment and usable memory. */
  readonly crash?: { readonly elfcorehdr: Range; readonly usable: readonly Range[] };
}

/**
 * The root's cell counts as the kernel reads them for /chosen (dt_root_addr_cells): without
 * the properties it assumes 1 and 1 (OF_ROOT_NODE_*_CELLS_DEFAULT), as kexec-tools does.
 */
function rootCells(fdt: Fdt): { address: number; size: number } {
  return { address: u32Cells(getProp(fdt.root, '#address-cells'))[0] ?? 1, size: u32Cells(getProp(fdt.root, '#size-cells'))[0] ?? 1 };
}

function rangesValue(fdt: Fdt, name: string, ranges: readonly Range[]): Uint8Array {
  const cells = rootCells(fdt);
  try {
    return encodeReg(ranges.map((r) => ({ address: BigInt(r.start), size: BigInt(r.end - r.start) })), cells);
  } catch (err) {
    if (!(err instanceof FdtError)) throw err;
    throw new LayoutError(`The crash kernel's /chosen/${name} (${ranges.map(describeRange).join(', ')}) does not fit the device tree's #address-cells = ${cells.address} and #size-cells = ${cells.size}.`, 'EINVAL');
  }
}

export function u64Value(v: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(v));
  return out;
}

/** Writes /chosen (creating it); returns one line per change, for the log. */
export function writeChosen(fdt: Fdt, v: ChosenValues): string[] {
  const chosen = ensureNode(fdt, '/chosen');
  const changes: string[] = [];
  setProp(chosen, 'bootargs', stringValue(v.bootargs));
  changes.push('/chosen/bootargs set to the command line.');
  if (v.initrd) {
    setProp(chosen, 'linux,initrd-start', u64Value(v.initrd.start));
    setProp(chosen, 'linux,initrd-end', u64Value(v.initrd.end));
    changes.push(`/chosen/linux,initrd-start and -end set to 0x${v.initrd.start.toString(16)}-0x${v.initrd.end.toString(16)}.`);
  } else {
    for (const p of ['linux,initrd-start', 'linux,initrd-end']) if (deleteProp(chosen, p)) changes.push(`/chosen/${p} removed: no initrd.`);
  }
  if (v.crash) {
    setProp(chosen, 'linux,elfcorehdr', rangesValue(fdt, 'linux,elfcorehdr', [v.crash.elfcorehdr]));
    setProp(chosen, 'linux,usable-memory-range', rangesValue(fdt, 'linux,usable-memory-range', v.crash.usable));
    changes.push(`/chosen/linux,elfcorehdr set to ${describeRange(v.crash.elfcorehdr)}, linux,usable-memory-range to ${v.crash.usable.map(describeRange).join(', ')}.`);
  } else {
    for (const p of ['linux,elfcorehdr', 'linux,usable-memory-range']) if (deleteProp(chosen, p)) changes.push(`/chosen/${p} removed (a crash kernel's).`);
  }
  if (v.kaslrSeed) {
    setProp(chosen, 'kaslr-seed', v.random(8));
    changes.push('/chosen/kaslr-seed filled with 8 fresh random bytes.');
  }
  setProp(chosen, 'rng-seed', v.random(RNG_SEED_SIZE));
  changes.push(`/chosen/rng-seed filled with ${RNG_SEED_SIZE} fresh random bytes.`);
  return changes;
}
