// A small flattened-device-tree (DTB) reader and writer: enough to read a board's model and
// compatible list, and to change a DTB before kexec (clear /chosen/kaslr-seed, set bootargs,
// carry /memory over from the running system) and write it back.
//
// Format: Devicetree Specification v0.4, chapter 5. Big-endian header of ten u32s, a memory
// reservation map (u64 address/size pairs ending with 0,0), a structure block of tokens and a
// strings block of NUL-terminated property names. Versions 16 and 17 are read (what dtc and
// every kernel since 2.6.2x write); version 17 is written.
import { be32 as u32 } from '../../fs/bytes';

export const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;
const HEADER_SIZE = 40;
/** Real trees are a dozen levels deep; this bound keeps a crafted file from recursing away. */
const MAX_DEPTH = 64;
/** The kernel's own limit for a DTB it is handed (arm64 MAX_FDT_SIZE is 2 MiB). */
export const MAX_FDT_SIZE = 2 * 1024 * 1024;

/** A DTB that cannot be read; the message names the file and what is wrong. */
export class FdtError extends Error {}

export interface FdtProperty {
  readonly name: string;
  value: Uint8Array;
}

export interface FdtNode {
  /** Node name with unit address (`memory@0`); '' for the root. */
  readonly name: string;
  readonly props: FdtProperty[];
  readonly children: FdtNode[];
}

export interface MemoryReservation {
  readonly address: bigint;
  readonly size: bigint;
}

export interface Fdt {
  readonly bootCpuidPhys: number;
  /** The /memreserve/ entries (not the /reserved-memory node). */
  reservations: MemoryReservation[];
  readonly root: FdtNode;
}

export interface FdtHeader {
  readonly totalSize: number;
  readonly version: number;
  readonly lastCompatibleVersion: number;
}


/** Reads and checks the header only: magic, version, and that every block lies inside the file. */
export function readFdtHeader(bytes: Uint8Array, source = 'device tree'): FdtHeader {
  if (bytes.length < HEADER_SIZE) throw new FdtError(`${source} is ${bytes.length} bytes, too short for a device-tree header`);
  const magic = u32(bytes, 0);
  if (magic !== FDT_MAGIC) throw new FdtError(`${source} is not a device tree blob (magic 0x${magic.toString(16).padStart(8, '0')}, expected 0xd00dfeed)`);
  const totalSize = u32(bytes, 4);
  const offStruct = u32(bytes, 8);
  const offStrings = u32(bytes, 12);
  const offRsv = u32(bytes, 16);
  const version = u32(bytes, 20);
  const lastCompatibleVersion = u32(bytes, 24);
  const sizeStrings = u32(bytes, 32);
  if (totalSize > bytes.length) throw new FdtError(`${source} is truncated: its header says ${totalSize} bytes, the file has ${bytes.length}`);
  if (totalSize > MAX_FDT_SIZE) throw new FdtError(`${source} says it is ${totalSize} bytes, more than the ${MAX_FDT_SIZE} bytes a kernel accepts`);
  if (version < 16 || lastCompatibleVersion > 17) throw new FdtError(`${source} has device-tree format version ${version} (compatible with ${lastCompatibleVersion}); only versions 16 and 17 are read`);
  const sizeStruct = version >= 17 ? u32(bytes, 36) : totalSize - offStruct;
  const inside = (off: number, len: number) => off >= HEADER_SIZE && off + len <= totalSize;
  if (!inside(offRsv, 16) || !inside(offStruct, sizeStruct) || !inside(offStrings, sizeStrings)) {
    throw new FdtError(`${source} has a corrupt header: a block lies outside its ${totalSize} bytes`);
  }
  return { totalSize, version, lastCompatibleVersion };
}

/** Parses a whole DTB. Throws FdtError naming `source` on any inconsistency. */
export function parseFdt(bytes: Uint8Array, source = 'device tree'): Fdt {
  const header = readFdtHeader(bytes, source);
  const end = header.totalSize;
  const offStruct = u32(bytes, 8);
  const offStrings = u32(bytes, 12);
  const offRsv = u32(bytes, 16);
  const sizeStrings = u32(bytes, 32);
  const structEnd = header.version >= 17 ? offStruct + u32(bytes, 36) : end;
  const bad = (what: string): never => {
    throw new FdtError(`${source} is corrupt: ${what}`);
  };

  const reservations: MemoryReservation[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let off = offRsv; ; off += 16) {
    if (off + 16 > end) bad('the memory reservation map has no end');
    const address = view.getBigUint64(off);
    const size = view.getBigUint64(off + 8);
    if (address === 0n && size === 0n) break;
    reservations.push({ address, size });
  }

  const decoder = new TextDecoder('latin1');
  const cString = (from: number, limit: number, what: string): string => {
    const nul = bytes.indexOf(0, from);
    if (nul === -1 || nul >= limit) bad(`${what} is not NUL-terminated`);
    return decoder.decode(bytes.subarray(from, nul));
  };

  let pos = offStruct;
  const token = (): number => {
    if (pos + 4 > structEnd) bad('the structure block ends early');
    const t = u32(bytes, pos);
    pos += 4;
    return t;
  };
  const align = () => {
    pos = (pos + 3) & ~3;
  };

  // An explicit stack instead of recursion: depth is bounded and a deep file cannot blow it.
  let root: FdtNode | undefined;
  const stack: FdtNode[] = [];
  for (;;) {
    const t = token();
    if (t === FDT_NOP) continue;
    if (t === FDT_BEGIN_NODE) {
      const name = cString(pos, structEnd, 'a node name');
      pos += name.length + 1;
      align();
      const node: FdtNode = { name, props: [], children: [] };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(node);
      else if (root) bad('there is more than one root node');
      else root = node;
      stack.push(node);
      if (stack.length > MAX_DEPTH) bad(`nodes are nested deeper than ${MAX_DEPTH} levels`);
    } else if (t === FDT_PROP) {
      const node = stack[stack.length - 1] ?? bad('a property lies outside every node');
      const len = token();
      const nameOff = token();
      if (pos + len > structEnd) bad('a property value runs past the structure block');
      if (nameOff >= sizeStrings) bad('a property name lies outside the strings block');
      const name = cString(offStrings + nameOff, offStrings + sizeStrings, 'a property name');
      node.props.push({ name, value: bytes.slice(pos, pos + len) });
      pos += len;
      align();
    } else if (t === FDT_END_NODE) {
      if (!stack.pop()) bad('a node ends that never began');
    } else if (t === FDT_END) {
      break;
    } else {
      bad(`unknown token 0x${t.toString(16)} at offset ${pos - 4}`);
    }
  }
  if (stack.length > 0) bad('the structure block ends inside a node');
  if (!root) bad('there is no root node');
  return { bootCpuidPhys: u32(bytes, 28), reservations, root: root! };
}

/**
 * Only the root node's properties (model, compatible…), without building the tree: picking
 * a DTB out of a folder of hundreds reads just this much of each.
 */
export function readRootProperties(bytes: Uint8Array, source = 'device tree'): Map<string, Uint8Array> {
  const header = readFdtHeader(bytes, source);
  const offStruct = u32(bytes, 8);
  const offStrings = u32(bytes, 12);
  const sizeStrings = u32(bytes, 32);
  const structEnd = header.version >= 17 ? offStruct + u32(bytes, 36) : header.totalSize;
  const props = new Map<string, Uint8Array>();
  const bad = (what: string): never => {
    throw new FdtError(`${source} is corrupt: ${what}`);
  };
  let pos = offStruct;
  const word = () => (pos + 4 <= structEnd ? ((pos += 4), u32(bytes, pos - 4)) : bad('the structure block ends early'));
  while (word() === FDT_NOP);
  if (u32(bytes, pos - 4) !== FDT_BEGIN_NODE) bad('it does not start with a node');
  const nul = bytes.indexOf(0, pos);
  if (nul === -1 || nul >= structEnd) bad('the root node name is not NUL-terminated');
  pos = (nul + 1 + 3) & ~3;
  // Bounded by the structure block: every token moves `pos` forward.
  for (;;) {
    const t = word();
    if (t === FDT_NOP) continue;
    if (t !== FDT_PROP) break; // the first child or the end of the root: no more root properties
    const len = word();
    const nameOff = word();
    if (pos + len > structEnd || nameOff >= sizeStrings) bad('a root property lies outside its block');
    const end = bytes.indexOf(0, offStrings + nameOff);
    if (end === -1 || end >= offStrings + sizeStrings) bad('a property name is not NUL-terminated');
    props.set(new TextDecoder('latin1').decode(bytes.subarray(offStrings + nameOff, end)), bytes.subarray(pos, pos + len));
    pos = (pos + len + 3) & ~3;
  }
  return props;
}

/** Writes a tree as a version-17 DTB (blocks in the order dtc uses: rsvmap, struct, strings). */
export function serializeFdt(fdt: Fdt): Uint8Array {
  const names = new Map<string, number>();
  const strings: number[] = [];
  const nameOffset = (name: string): number => {
    let off = names.get(name);
    if (off === undefined) {
      off = strings.length;
      names.set(name, off);
      for (let i = 0; i < name.length; i++) strings.push(name.charCodeAt(i) & 0xff);
      strings.push(0);
    }
    return off;
  };

  const struct: number[] = [];
  const put32 = (v: number) => struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  const pad = () => {
    while (struct.length % 4) struct.push(0);
  };
  const writeNode = (node: FdtNode, depth: number) => {
    if (depth > MAX_DEPTH) throw new FdtError(`device tree nodes are nested deeper than ${MAX_DEPTH} levels`);
    put32(FDT_BEGIN_NODE);
    for (let i = 0; i < node.name.length; i++) struct.push(node.name.charCodeAt(i) & 0xff);
    struct.push(0);
    pad();
    for (const p of node.props) {
      put32(FDT_PROP);
      put32(p.value.length);
      put32(nameOffset(p.name));
      for (const b of p.value) struct.push(b);
      pad();
    }
    for (const c of node.children) writeNode(c, depth + 1);
    put32(FDT_END_NODE);
  };
  writeNode(fdt.root, 0);
  put32(FDT_END);

  const offRsv = HEADER_SIZE; // already 8-aligned
  const rsvSize = (fdt.reservations.length + 1) * 16;
  const offStruct = offRsv + rsvSize;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  [FDT_MAGIC, total, offStruct, offStrings, offRsv, 17, 16, fdt.bootCpuidPhys, strings.length, struct.length].forEach((v, i) => view.setUint32(i * 4, v));
  fdt.reservations.forEach((r, i) => {
    view.setBigUint64(offRsv + i * 16, r.address);
    view.setBigUint64(offRsv + i * 16 + 8, r.size);
  });
  out.set(struct, offStruct);
  out.set(strings, offStrings);
  return out;
}

// ---- navigation and editing ----

/** The node at an absolute path (`/`, `/chosen`, `/soc/serial@7e201000`), or undefined. */
export function findNode(fdt: Fdt, path: string): FdtNode | undefined {
  let node: FdtNode | undefined = fdt.root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    // A path may leave out the unit address when it is unambiguous (`/memory` for `/memory@0`).
    const kids: FdtNode[] = node!.children;
    node = kids.find((c) => c.name === part) ?? kids.find((c) => c.name.split('@')[0] === part);
    if (!node) return undefined;
  }
  return node;
}

/** The node at `path`, created (with any missing parents) when absent. */
export function ensureNode(fdt: Fdt, path: string): FdtNode {
  let node = fdt.root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    let next = node.children.find((c) => c.name === part);
    if (!next) {
      next = { name: part, props: [], children: [] };
      node.children.push(next);
    }
    node = next;
  }
  return node;
}

export function getProp(node: FdtNode, name: string): Uint8Array | undefined {
  return node.props.find((p) => p.name === name)?.value;
}

/** Sets (replacing in place, or appending) a property's raw value. */
export function setProp(node: FdtNode, name: string, value: Uint8Array): void {
  const p = node.props.find((x) => x.name === name);
  if (p) p.value = value;
  else node.props.push({ name, value });
}

/** Deletes a property; returns whether it was there. */
export function deleteProp(node: FdtNode, name: string): boolean {
  const i = node.props.findIndex((p) => p.name === name);
  if (i === -1) return false;
  node.props.splice(i, 1);
  return true;
}

export function stringValue(s: string): Uint8Array {
  const out = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** A string-list property (`compatible`): NUL-separated, NUL-terminated. */
export function stringList(value: Uint8Array | undefined): string[] {
  if (!value) return [];
  return new TextDecoder('latin1')
    .decode(value)
    .split('\0')
    .filter((s) => s.length > 0);
}

export function u32Cells(value: Uint8Array | undefined): number[] {
  if (!value) return [];
  const out: number[] = [];
  for (let i = 0; i + 4 <= value.length; i += 4) out.push(u32(value, i));
  return out;
}

export function u32Value(v: number): Uint8Array {
  return new Uint8Array([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

/** The /model and root /compatible a DTB declares. */
export function boardIdentity(fdt: Fdt): { model?: string; compatible: string[] } {
  const model = stringList(getProp(fdt.root, 'model'))[0];
  return { ...(model !== undefined ? { model } : {}), compatible: stringList(getProp(fdt.root, 'compatible')) };
}

/** A node's #address-cells/#size-cells (spec defaults 2 and 1 when absent). */
export function cellSizes(node: FdtNode): { address: number; size: number } {
  return { address: u32Cells(getProp(node, '#address-cells'))[0] ?? 2, size: u32Cells(getProp(node, '#size-cells'))[0] ?? 1 };
}

/** Decodes a `reg` value into (address, size) pairs for the given cell counts. */
export function decodeReg(value: Uint8Array, cells: { address: number; size: number }): MemoryReservation[] {
  const cellsPerEntry = cells.address + cells.size;
  const words = u32Cells(value);
  if (cellsPerEntry === 0 || words.length % cellsPerEntry !== 0) throw new FdtError(`a reg property of ${value.length} bytes does not fit ${cells.address} address and ${cells.size} size cells`);
  const out: MemoryReservation[] = [];
  const num = (ws: number[]) => ws.reduce((acc, w) => (acc << 32n) | BigInt(w), 0n);
  for (let i = 0; i < words.length; i += cellsPerEntry) {
    out.push({ address: num(words.slice(i, i + cells.address)), size: num(words.slice(i + cells.address, i + cellsPerEntry)) });
  }
  return out;
}

/** Encodes (address, size) pairs; throws when a value does not fit the cell counts. */
export function encodeReg(ranges: readonly MemoryReservation[], cells: { address: number; size: number }): Uint8Array {
  const words: number[] = [];
  const put = (v: bigint, n: number, what: string) => {
    if (v >> BigInt(32 * n) !== 0n) throw new FdtError(`${what} 0x${v.toString(16)} does not fit in ${n} cell(s)`);
    for (let i = n - 1; i >= 0; i--) words.push(Number((v >> BigInt(32 * i)) & 0xffffffffn));
  };
  for (const r of ranges) {
    put(r.address, cells.address, 'address');
    put(r.size, cells.size, 'size');
  }
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w));
  return out;
}

/** A deep copy of a node, so one tree's node can be grafted into another without sharing. */
export function cloneNode(node: FdtNode): FdtNode {
  return { name: node.name, props: node.props.map((p) => ({ name: p.name, value: p.value.slice() })), children: node.children.map(cloneNode) };
}
