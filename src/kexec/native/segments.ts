// The segment list handed to kexec_load, and the rules it must keep before the kernel sees
// it, so a broken layout fails with a sentence naming the segment instead of a bare errno:
// - `mem` and `memsz` are multiples of the page size (the kernel answers EADDRNOTAVAIL);
// - no two segments overlap, and each lies inside one System RAM range (EINVAL);
// - none touches a reserved range (the kernel would not notice; the firmware would).
import { LayoutError } from './layout-error';
import { type MemoryMap, type Range, alignUp, describeRange, findHole, hex, subtract } from './memory';

export type SegmentName = 'kernel' | 'initrd' | 'dtb' | 'trampoline' | 'elfcorehdr';

export interface Segment {
  readonly name: SegmentName;
  readonly bytes: Uint8Array;
  readonly mem: number;
  /** Bytes reserved at `mem`: `bytes` plus zeroes (the kernel's BSS), page-aligned. */
  readonly memsz: number;
}

export interface Layout {
  /** Where the CPU jumps: the trampoline on arm64, the zImage on arm. */
  readonly entry: number;
  readonly segments: readonly Segment[];
  /** The device tree as loaded, with /chosen filled in. */
  readonly dtb: Uint8Array;
}

export const describeSegment = (s: Segment): string => `${s.name} ${describeRange({ start: s.mem, end: s.mem + s.memsz })} (${s.bytes.length} bytes)`;

/** Checks the rules above; throws a LayoutError naming the first segment that breaks one. */
export function checkSegments(segments: readonly Segment[], memory: MemoryMap, page: number): void {
  for (const s of segments) {
    if (s.mem % page !== 0 || s.memsz % page !== 0) throw new LayoutError(`The ${s.name} segment at ${hex(s.mem)} (${hex(s.memsz)} bytes) is not aligned to the ${page}-byte page (EADDRNOTAVAIL).`, 'EADDRNOTAVAIL');
    if (s.memsz < s.bytes.length) throw new LayoutError(`The ${s.name} segment holds ${s.bytes.length} bytes in ${s.memsz} (EINVAL).`, 'EINVAL');
    const r: Range = { start: s.mem, end: s.mem + s.memsz };
    if (!memory.ram.some((m) => m.start <= r.start && r.end <= m.end)) throw new LayoutError(`The ${s.name} segment ${describeRange(r)} lies outside System RAM (${memory.ram.map(describeRange).join(', ')}) (EINVAL).`, 'EINVAL');
    const hit = memory.reserved.find((x) => x.start < r.end && r.start < x.end);
    if (hit) throw new LayoutError(`The ${s.name} segment ${describeRange(r)} overlaps ${describeRange(hit)}, ${hit.why} (EINVAL).`, 'EINVAL');
  }
  const sorted = [...segments].sort((a, b) => a.mem - b.mem);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b.mem < a.mem + a.memsz) throw new LayoutError(`The ${b.name} segment at ${hex(b.mem)} overlaps the ${a.name} segment ${describeRange({ start: a.mem, end: a.mem + a.memsz })} (EINVAL).`, 'EINVAL');
  }
}

/** Free memory that shrinks as segments are placed in it. */
export class Placer {
  private free: Range[];
  constructor(
    readonly memory: MemoryMap,
    readonly page: number,
  ) {
    this.free = subtract(memory.ram, memory.reserved);
  }

  /**
   * Places `size` bytes (at `offset` past a base aligned to `align`, within [min, max)) and
   * takes the pages it covers out of the free memory. Returns the data's address.
   */
  place(name: SegmentName, size: number, opts: { align?: number; offset?: number; min?: number; max?: number } = {}): number {
    const align = Math.max(opts.align ?? this.page, this.page);
    const base = findHole(this.free, { ...opts, size: alignUp(size, this.page), align });
    if (base === undefined) {
      const where = opts.max !== undefined ? ` below ${hex(opts.max)}` : '';
      throw new LayoutError(`There is no free System RAM for the ${name} (${size} bytes)${where} outside the reserved regions (ENOMEM).`, 'ENOMEM');
    }
    const start = base + (opts.offset ?? 0);
    this.free = subtract(this.free, [{ start, end: start + alignUp(size, this.page) }]);
    return start;
  }

  segment(name: SegmentName, bytes: Uint8Array, mem: number, size = bytes.length): Segment {
    return { name, bytes, mem, memsz: alignUp(size, this.page) };
  }
}
