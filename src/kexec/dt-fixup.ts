// Makes a device tree fit to be handed to the next kernel.
//
// A DTB file from disk describes the board as its vendor wrote it; the firmware (or U-Boot,
// or QEMU) fixes it up before the first kernel sees it: the real RAM size in /memory, the
// command line and seeds in /chosen, regions it keeps for itself in /reserved-memory and
// /memreserve/. A kexec'd kernel gets none of that unless we do it: on a Raspberry Pi 3 the
// file's /memory@0 covers the peripherals at 0x3f000000 and the second kernel panics
// ("unable to map IC registers"). So the running system's tree (/sys/firmware/fdt, the one
// the firmware handed over) is the source for those parts.
//
// Every change is listed as a sentence for the log.
import { BootError } from './errors';
import {
  FdtError,
  MAX_FDT_SIZE,
  cellSizes,
  cloneNode,
  decodeReg,
  deleteProp,
  encodeReg,
  ensureNode,
  findNode,
  getProp,
  parseFdt,
  serializeFdt,
  setProp,
  stringList,
  stringValue,
  type Fdt,
  type FdtNode,
  type MemoryReservation,
} from './dt/fdt';
import type { RandomSource } from '../sys/random';

export interface FixedDeviceTree {
  readonly bytes: Uint8Array;
  /** What was changed, one sentence each, for the log and `--dry-run`. */
  readonly changes: readonly string[];
}

export interface FixupInput {
  /** The DTB to hand over, and where it came from (for messages). */
  readonly dtb: Uint8Array;
  readonly source: string;
  /** The running system's tree (/sys/firmware/fdt), when readable. */
  readonly running?: Uint8Array;
  readonly runningSource?: string;
  /** The next kernel's command line, written to /chosen/bootargs. */
  readonly cmdline?: string;
  readonly random: RandomSource;
}

/**
 * /chosen properties never carried over from the running tree: the loader sets the initrd
 * and command line anew, the seeds are the running kernel's (used up), and the crash-kernel
 * and IMA hand-over buffers belong to the kexec that made the running system.
 */
const CHOSEN_NOT_CARRIED = new Set([
  'bootargs',
  'linux,initrd-start',
  'linux,initrd-end',
  'kaslr-seed',
  'rng-seed',
  'linux,elfcorehdr',
  'linux,usable-memory-range',
  'linux,ima-kexec-buffer',
  'linux,tpm-kexec-buffer',
]);

function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

function ranges(rs: readonly MemoryReservation[]): string {
  return rs.map((r) => `${hex(r.address)}+${hex(r.size)}`).join(', ') || 'nothing';
}

function isMemoryNode(n: FdtNode): boolean {
  return n.name === 'memory' || n.name.startsWith('memory@') || stringList(getProp(n, 'device_type'))[0] === 'memory';
}

function parseOrThrow(bytes: Uint8Array, source: string): Fdt {
  try {
    return parseFdt(bytes, source);
  } catch (err) {
    if (err instanceof FdtError) throw new BootError(`${err.message}.`, 'EINVAL');
    throw err;
  }
}

/** `reg` re-encoded from one parent's cell sizes to another's. */
function recodeReg(value: Uint8Array, from: { address: number; size: number }, to: { address: number; size: number }): Uint8Array {
  if (from.address === to.address && from.size === to.size) return value;
  return encodeReg(decodeReg(value, from), to);
}

function regText(node: FdtNode, cells: { address: number; size: number }): string {
  const reg = getProp(node, 'reg');
  if (!reg) return 'no reg';
  try {
    return ranges(decodeReg(reg, cells));
  } catch {
    return `${reg.length} bytes of reg`;
  }
}

/** Replaces the file's /memory nodes by the running system's. */
function carryMemory(fdt: Fdt, running: Fdt, changes: string[]): void {
  const mine = cellSizes(fdt.root);
  const theirs = cellSizes(running.root);
  const fresh = running.root.children.filter(isMemoryNode);
  if (fresh.length === 0) {
    changes.push('The running system\'s device tree has no /memory node (memory comes from the EFI memory map there), so the file\'s /memory is kept.');
    return;
  }
  const children = fdt.root.children;
  const old = children.filter(isMemoryNode);
  // The copies go where the file's first memory node was (nothing before it is memory).
  const firstOld = children.findIndex(isMemoryNode);
  const insertAt = firstOld === -1 ? children.length - old.length : firstOld;
  const before = old.map((n) => `/${n.name} ${regText(n, mine)}`).join('; ') || 'no /memory node';
  const copies = fresh.map((n) => {
    const c = cloneNode(n);
    const reg = getProp(c, 'reg');
    if (reg) setProp(c, 'reg', recodeReg(reg, theirs, mine));
    return c;
  });
  const kept = children.filter((n) => !isMemoryNode(n));
  children.splice(0, children.length, ...kept.slice(0, insertAt), ...copies, ...kept.slice(insertAt));
  const after = copies.map((n) => `/${n.name} ${regText(n, mine)}`).join('; ');
  changes.push(`Memory taken from the running system: ${before} replaced by ${after}.`);
}

/** /chosen: the firmware's properties carried over, bootargs set, seeds handled. */
function fixChosen(fdt: Fdt, running: Fdt | undefined, input: FixupInput, changes: string[]): void {
  const chosen = ensureNode(fdt, '/chosen');
  const theirs = running ? findNode(running, '/chosen') : undefined;
  if (theirs) {
    const carried: string[] = [];
    for (const p of theirs.props) {
      if (CHOSEN_NOT_CARRIED.has(p.name)) continue;
      const cur = getProp(chosen, p.name);
      if (cur && cur.length === p.value.length && cur.every((b, i) => b === p.value[i])) continue;
      setProp(chosen, p.name, p.value.slice());
      carried.push(p.name);
    }
    if (carried.length > 0) changes.push(`/chosen properties the firmware set carried over from the running system: ${carried.join(', ')}.`);
  }
  for (const p of ['linux,initrd-start', 'linux,initrd-end']) {
    if (deleteProp(chosen, p)) changes.push(`/chosen/${p} removed (the loader places the initrd).`);
  }
  if (input.cmdline !== undefined) {
    const had = stringList(getProp(chosen, 'bootargs'))[0];
    setProp(chosen, 'bootargs', stringValue(input.cmdline));
    if (had !== input.cmdline) changes.push(`/chosen/bootargs set to the entry's command line${had !== undefined ? ` (was "${had}")` : ''}.`);
  }
  if (deleteProp(chosen, 'kaslr-seed')) changes.push('/chosen/kaslr-seed removed (an arm64 kernel refuses to kexec with a used seed left in).');
  const seed = getProp(chosen, 'rng-seed') ?? (theirs ? getProp(theirs, 'rng-seed') : undefined);
  if (seed) {
    const length = Math.max(seed.length, 32);
    setProp(chosen, 'rng-seed', input.random(length));
    changes.push(`/chosen/rng-seed refreshed with ${length} random bytes.`);
  }
}

/** Merges the running system's /reserved-memory children into the file's. */
function carryReservedMemory(fdt: Fdt, running: Fdt, changes: string[]): void {
  const theirs = findNode(running, '/reserved-memory');
  if (!theirs || theirs.children.length === 0) return;
  const theirCells = cellSizes(theirs);
  let mine = findNode(fdt, '/reserved-memory');
  if (!mine) {
    mine = ensureNode(fdt, '/reserved-memory');
    for (const p of theirs.props) setProp(mine, p.name, p.value.slice());
  }
  const myCells = cellSizes(mine);
  const added: string[] = [];
  const updated: string[] = [];
  for (const child of theirs.children) {
    const copy = cloneNode(child);
    const reg = getProp(copy, 'reg');
    if (reg) setProp(copy, 'reg', recodeReg(reg, theirCells, myCells));
    const same = mine.children.find((c) => c.name === child.name);
    if (same) {
      // Keep the file's phandle: other nodes of the file point at this region by it.
      let changed = false;
      for (const p of copy.props) {
        if (p.name === 'phandle' || p.name === 'linux,phandle') continue;
        const cur = getProp(same, p.name);
        if (cur && cur.length === p.value.length && cur.every((b, i) => b === p.value[i])) continue;
        setProp(same, p.name, p.value);
        changed = true;
      }
      if (changed) updated.push(child.name);
    } else {
      // Nothing in the file refers to a region only the firmware added: drop its phandle,
      // which could collide with one of the file's.
      deleteProp(copy, 'phandle');
      deleteProp(copy, 'linux,phandle');
      mine.children.push(copy);
      added.push(`${child.name} (${regText(copy, myCells)})`);
    }
  }
  if (added.length > 0) changes.push(`/reserved-memory regions the firmware set added: ${added.join(', ')}.`);
  if (updated.length > 0) changes.push(`/reserved-memory regions updated from the running system: ${updated.join(', ')}.`);
}

/** Adds the running tree's /memreserve/ entries (firmware's spin tables and the like). */
function carryMemreserve(fdt: Fdt, running: Fdt, changes: string[]): void {
  const chosen = findNode(running, '/chosen');
  const initrd = chosen ? [getProp(chosen, 'linux,initrd-start'), getProp(chosen, 'linux,initrd-end')] : [];
  const num = (v: Uint8Array | undefined) => (v ? v.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n) : undefined);
  const initrdStart = num(initrd[0]);
  const initrdEnd = num(initrd[1]);
  const added: MemoryReservation[] = [];
  for (const r of running.reservations) {
    // The running kernel's initrd was reserved for it by its boot loader; it is freed now.
    if (initrdStart !== undefined && initrdEnd !== undefined && r.address === initrdStart && r.size === initrdEnd - initrdStart) continue;
    if (fdt.reservations.some((m) => m.address === r.address && m.size === r.size)) continue;
    fdt.reservations.push(r);
    added.push(r);
  }
  if (added.length > 0) changes.push(`/memreserve/ entries of the running system added: ${ranges(added)}.`);
}

function finish(fdt: Fdt, source: string): Uint8Array {
  const bytes = serializeFdt(fdt);
  if (bytes.length > MAX_FDT_SIZE) throw new BootError(`The device tree made from ${source} is ${bytes.length} bytes, more than the ${MAX_FDT_SIZE} a kernel accepts.`, 'EFBIG');
  return bytes;
}

/**
 * The fix-up before a kexec that passes a DTB from disk: /memory, /chosen, /reserved-memory
 * and /memreserve/ from the running system; bootargs set; kaslr-seed removed; rng-seed
 * refreshed. Without a running tree only /chosen is fixed (and the log says so).
 */
export function fixupDeviceTree(input: FixupInput): FixedDeviceTree {
  const fdt = parseOrThrow(input.dtb, input.source);
  const changes: string[] = [];
  let running: Fdt | undefined;
  if (input.running) {
    try {
      running = parseFdt(input.running, input.runningSource ?? 'the running system\'s device tree');
    } catch (err) {
      changes.push(`The running system's device tree could not be read (${err instanceof Error ? err.message : String(err)}), so memory and reserved regions are the file's own.`);
    }
  } else {
    changes.push('The running system\'s device tree is not available, so memory and reserved regions are the file\'s own.');
  }
  try {
    if (running) {
      carryMemory(fdt, running, changes);
      carryMemreserve(fdt, running, changes);
      carryReservedMemory(fdt, running, changes);
    }
    fixChosen(fdt, running, input, changes);
  } catch (err) {
    // A region of the running system that the file's #address-cells/#size-cells cannot hold.
    if (err instanceof FdtError) throw new BootError(`The running system's device tree cannot be carried into ${input.source}: ${err.message}.`, 'EINVAL');
    throw err;
  }
  return { bytes: finish(fdt, input.source), changes };
}

/**
 * The check every DTB gets before use, whatever its source (/sys/firmware/fdt included):
 * valid header and size, and a non-zero /chosen/kaslr-seed removed. Returns the original
 * bytes when nothing needed changing.
 */
export function checkDeviceTree(bytes: Uint8Array, source: string): FixedDeviceTree {
  const fdt = parseOrThrow(bytes, source);
  const chosen = findNode(fdt, '/chosen');
  const seed = chosen ? getProp(chosen, 'kaslr-seed') : undefined;
  if (!chosen || !seed || seed.every((b) => b === 0)) return { bytes, changes: [] };
  deleteProp(chosen, 'kaslr-seed');
  return { bytes: finish(fdt, source), changes: ['/chosen/kaslr-seed was set; removed (an arm64 kernel refuses to kexec with it).'] };
}
