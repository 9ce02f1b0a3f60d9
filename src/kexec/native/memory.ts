// Where the native loader may put segments: System RAM as the running kernel lists it in
// /proc/iomem, minus what must survive the hand-over: the iomem "reserved" regions inside RAM
// (memblock reservations the kernel marks for kexec, firmware tables, the spin-table page),
// the running tree's /memreserve/ entries and its /reserved-memory nodes (which firmware such
// as the Pi's VideoCore or OP-TEE owns even when they are not no-map).
// Addresses are plain numbers: every physical address on the boards this serves is below
// 2^53, and the parser refuses one that is not.
import { LayoutError } from './layout-error';
import { type Fdt, type FdtNode, cellSizes, decodeReg, findNode, getProp } from '../dt/fdt';

/** A half-open physical range [start, end). */
export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface MemoryMap {
  /** Top-level "System RAM" ranges, sorted. */
  readonly ram: readonly Range[];
  /** Ranges inside RAM that no segment may touch, each with where it came from. */
  readonly reserved: readonly (Range & { readonly why: string })[];
}

export const hex = (n: number): string => `0x${n.toString(16)}`;
export const describeRange = (r: Range): string => `${hex(r.start)}-${hex(r.end - 1)}`;

function toNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new LayoutError(`${what} lies above 2^53, beyond what kexec-menu's native loader places.`, 'ERANGE');
  return Number(v);
}

/** One line of /proc/iomem: its range, its name, and whether it is nested in another. */
export interface IomemEntry extends Range {
  readonly name: string;
  readonly nested: boolean;
}

/** /proc/iomem's lines as entries; the map and the crash reservation are both read from them. */
export function iomemEntries(text: string): IomemEntry[] {
  const out: IomemEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\s*)([0-9a-f]+)-([0-9a-f]+) : (.*)$/.exec(line);
    if (!m) continue;
    const start = toNumber(BigInt(`0x${m[2]}`), `/proc/iomem's ${m[4]}`);
    out.push({ start, end: toNumber(BigInt(`0x${m[3]}`), `/proc/iomem's ${m[4]}`) + 1, name: m[4]!, nested: m[1]!.length > 0 });
  }
  return out;
}

/**
 * /proc/iomem's System RAM and the "reserved" entries nested in it. Read without root, the
 * kernel prints every address as 0: that is refused with its own sentence.
 */
export function parseIomem(text: string): MemoryMap {
  const ram: Range[] = [];
  const reserved: (Range & { why: string })[] = [];
  let nonZero = false;
  for (const { start, end, name, nested } of iomemEntries(text)) {
    if (start !== 0 || end !== 1) nonZero = true;
    if (!nested && name === 'System RAM') ram.push({ start, end });
    else if (nested && name === 'reserved') reserved.push({ start, end, why: 'reserved in /proc/iomem' });
  }
  if (!nonZero && text.trim() !== '') throw new LayoutError('/proc/iomem shows every address as 0, as it does without root: the native kexec_load needs root to read the memory map.', 'EPERM');
  if (ram.length === 0) throw new LayoutError('/proc/iomem lists no System RAM, so the native kexec_load has nowhere to place the kernel.', 'ENOMEM');
  ram.sort((a, b) => a.start - b.start);
  return { ram, reserved };
}

/** The running tree's /memreserve/ entries and /reserved-memory children (their reg). */
export function treeReservations(fdt: Fdt, source: string): (Range & { why: string })[] {
  const out: (Range & { why: string })[] = [];
  for (const r of fdt.reservations) {
    const start = toNumber(r.address, `a /memreserve/ of ${source}`);
    out.push({ start, end: start + toNumber(r.size, `a /memreserve/ of ${source}`), why: `/memreserve/ of ${source}` });
  }
  const node: FdtNode | undefined = findNode(fdt, '/reserved-memory');
  if (node) {
    const cells = cellSizes(node);
    for (const child of node.children) {
      const reg = getProp(child, 'reg');
      if (!reg) continue; // dynamically placed (size/alloc-ranges): the kernel reports it in iomem
      for (const r of decodeReg(reg, cells)) {
        const start = toNumber(r.address, `/reserved-memory/${child.name}`);
        out.push({ start, end: start + toNumber(r.size, `/reserved-memory/${child.name}`), why: `/reserved-memory/${child.name} of ${source}` });
      }
    }
  }
  return out;
}

/** `ranges` with every range of `cut` removed, sorted, empty pieces dropped. */
export function subtract(ranges: readonly Range[], cut: readonly Range[]): Range[] {
  let pieces: Range[] = [...ranges];
  for (const c of cut) {
    const next: Range[] = [];
    for (const p of pieces) {
      if (c.end <= p.start || c.start >= p.end) {
        next.push(p);
        continue;
      }
      if (c.start > p.start) next.push({ start: p.start, end: c.start });
      if (c.end < p.end) next.push({ start: c.end, end: p.end });
    }
    pieces = next;
  }
  return pieces.sort((a, b) => a.start - b.start);
}

export const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export interface HoleRequest {
  readonly size: number;
  /** The returned base is a multiple of this. */
  readonly align: number;
  /** The data starts this far past the aligned base (arm64 text_offset). */
  readonly offset?: number;
  /** Lowest and highest (exclusive) address the data may occupy. */
  readonly min?: number;
  readonly max?: number;
}

/**
 * The lowest aligned base whose [base + offset, base + offset + size) lies inside one free
 * range and within [min, max); undefined when there is none. Lowest first, as kexec-tools'
 * locate_hole does by default: the kernel keeps the top of RAM for its own allocations.
 */
export function findHole(free: readonly Range[], req: HoleRequest): number | undefined {
  const offset = req.offset ?? 0;
  const min = req.min ?? 0;
  const max = req.max ?? Number.MAX_SAFE_INTEGER;
  for (const r of free) {
    const lo = Math.max(r.start, min);
    const base = alignUp(Math.max(lo - offset, 0), req.align);
    const start = base + offset < lo ? base + req.align + offset : base + offset;
    if (start + req.size <= Math.min(r.end, max)) return start - offset;
  }
  return undefined;
}
