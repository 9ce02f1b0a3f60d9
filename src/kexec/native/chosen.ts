// /chosen as the next kernel reads it, written by the native loader once the segments are
// placed: kexec_file_load's arm64 code does the same in the kernel (of_kexec_alloc_and_setup_fdt).
// - bootargs: the planned command line.
// - linux,initrd-start / linux,initrd-end: where the initrd segment went (64-bit cells; the
//   kernel reads either width), removed without an initrd so the old one is not found.
// - kaslr-seed (8 bytes) and rng-seed: fresh from getrandom(), since a seed that was used
//   (or zeroed) gives the next kernel no randomness; the arm64 kernel wipes both once read.
// - linux,elfcorehdr and linux,usable-memory-range: crash-kernel properties that would
//   confine a normal kernel to a crash region; dropped.
import { type Fdt, deleteProp, ensureNode, setProp, stringValue } from '../fdt';
import type { RandomSource } from '../random';

/** Bytes of /chosen/rng-seed: what the kernel's own kexec_file_load writes (RNG_SEED_SIZE 128). */
export const RNG_SEED_SIZE = 128;

export interface ChosenValues {
  readonly bootargs: string;
  readonly initrd?: { readonly start: number; readonly end: number };
  readonly random: RandomSource;
  /** Write kaslr-seed (arm64 only; 32-bit ARM has no KASLR). */
  readonly kaslrSeed: boolean;
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
  for (const p of ['linux,elfcorehdr', 'linux,usable-memory-range']) if (deleteProp(chosen, p)) changes.push(`/chosen/${p} removed (a crash kernel's).`);
  if (v.kaslrSeed) {
    setProp(chosen, 'kaslr-seed', v.random(8));
    changes.push('/chosen/kaslr-seed filled with 8 fresh random bytes.');
  }
  setProp(chosen, 'rng-seed', v.random(RNG_SEED_SIZE));
  changes.push(`/chosen/rng-seed filled with ${RNG_SEED_SIZE} fresh random bytes.`);
  return changes;
}
