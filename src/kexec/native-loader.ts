// The native loader: kexec_load(2) with a segment list kexec-menu builds itself, for arm64
// and 32-bit ARM, where kexec_file_load is missing (Debian's arm64 kernels, every 32-bit ARM
// kernel) or cannot pass the entry's own device tree. No kexec-tools: the kernel, initrd and
// device tree are read into memory here, placed (arm64.ts, arm32.ts) and handed over in one
// system call, whose errno becomes the one sentence (errors.ts).
import { constants as bufferLimits } from 'node:buffer';
import { basename } from 'node:path';
import { readRegularFileOrThrow } from '../fs/regular-file';
import { decompressFile } from './image/compression';
import { BootError, explainBootFailure } from './errors';
import { LayoutError } from './native/layout-error';
import { type Fdt, FdtError, parseFdt } from './dt/fdt';
import { MAX_KERNEL_SIZE } from './inspect';
import type { BootPlan, NativeKernel } from './plan';
import { paddedSize } from './plan';
import type { RandomSource } from '../sys/random';
import { layoutArm64 } from './native/arm64';
import { layoutArm, requireTree } from './native/arm32';
import { type CrashSegments, type CrashSources, crashLayout, readCrashSources } from './native/crash-arm64';
import { type MemoryMap, parseIomem, treeReservations } from './native/memory';
import { type Layout, describeSegment } from './native/segments';

/** The part of the system-call module (src/sys) the native loader uses. */
export interface KexecLoadSys {
  kexecLoad(entry: number, segments: readonly { buf: Uint8Array; mem: number; memsz: number }[], flags: number): void;
  getrandom(length: number): Uint8Array;
  readonly KEXEC_ARCH_AARCH64: number;
  readonly KEXEC_ARCH_ARM: number;
  readonly KEXEC_ON_CRASH: number;
}

export interface NativeDeps {
  readonly sys: KexecLoadSys;
  /** /proc/iomem's text. */
  readonly iomem: () => string;
  /** The running tree (/sys/firmware/fdt), whose reservations are kept. */
  readonly runningFdt: () => Uint8Array | undefined;
  readonly runningFdtSource?: string;
  readonly log?: (line: string) => void;
  /** A crash kernel (KEXEC_ON_CRASH): placed in the crashkernel= region with an ELF core header (crash-arm64.ts). */
  readonly crash?: boolean;
  /** The running kernel's crash_notes, vmcoreinfo and /proc/kcore (default: read from /). */
  readonly crashSources?: () => CrashSources;
}

/** The memory the segments may use: iomem's RAM, minus iomem's and the running tree's reservations. */
export function memoryMap(iomem: string, running?: Uint8Array, source = '/sys/firmware/fdt'): MemoryMap {
  const map = parseIomem(iomem);
  if (!running) return map;
  let tree: Fdt;
  try {
    tree = parseFdt(running, source);
  } catch (err) {
    // The reservations cannot be known from a damaged tree: loading past them could overwrite
    // what the firmware keeps there, so this is a refusal with the reason, not a guess.
    if (err instanceof FdtError) throw new BootError(`The running kernel's device tree cannot be read (${err.message}), so the memory it reserves is unknown and nothing is loaded.`, 'EINVAL');
    throw err;
  }
  return { ram: map.ram, reserved: [...map.reserved, ...treeReservations(tree, source)] };
}

async function kernelBytes(plan: BootPlan): Promise<Uint8Array> {
  const u = plan.kernel.unpack;
  if (!u) return readRegularFileOrThrow(plan.kernel.path, MAX_KERNEL_SIZE);
  try {
    return await decompressFile(plan.kernel.path, u.method, MAX_KERNEL_SIZE, u.start, u.end);
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('E')) throw err;
    throw new BootError(`${basename(plan.kernel.path)} could not be decompressed: its ${u.method} data is damaged or truncated.`, 'ENOEXEC');
  }
}

/** The initrds as one buffer, each padded with zeros to 4 bytes (cpio headers are 4-aligned). */
function initrdBytes(plan: BootPlan): Uint8Array | undefined {
  if (plan.initrds.length === 0) return undefined;
  // Only a regular file, never a FIFO or device; as large as a buffer may be.
  const read = (path: string) => readRegularFileOrThrow(path, bufferLimits.MAX_LENGTH - 1);
  if (plan.initrds.length === 1) return read(plan.initrds[0]!.path);
  const out = new Uint8Array(plan.initrds.reduce((n, f) => n + paddedSize(f.size), 0));
  let off = 0;
  for (const f of plan.initrds) {
    const b = read(f.path);
    out.set(b, off);
    off += paddedSize(b.length);
  }
  return out;
}

/** The native pieces' own error as the kexec layer's: the same sentence and errno name. */
function asBootError(err: unknown): unknown {
  return err instanceof LayoutError ? new BootError(err.sentence, err.code) : err;
}

/** Lays out a plan's segments for its native kernel (pure but for the reads). */
export async function layoutPlan(plan: BootPlan, native: NativeKernel, memory: MemoryMap, random: RandomSource, crash?: CrashSegments): Promise<Layout & { changes: string[] }> {
  try {
    return await layoutFor(plan, native, memory, random, crash);
  } catch (err) {
    throw asBootError(err);
  }
}

/** The one rule for crash kernels and the native loader: arm64 only (its core header and /chosen). */
export function nativeCrashRefusal(): BootError {
  return new BootError('kexec-menu\'s own kexec_load loads crash kernels on arm64 only; a 32-bit ARM crash kernel needs kexec-tools (kexec -p).', 'ENOEXEC');
}

async function layoutFor(plan: BootPlan, native: NativeKernel, memory: MemoryMap, random: RandomSource, crash?: CrashSegments): Promise<Layout & { changes: string[] }> {
  const bytes = await kernelBytes(plan);
  const initrd = initrdBytes(plan);
  const fdt: Fdt | undefined = plan.dtb ? parseFdt(plan.dtb.bytes, plan.dtb.source) : undefined;
  const base = { ...(initrd ? { initrd } : {}), cmdline: plan.cmdline, memory, random };
  if (native.arch === 'arm64') {
    if (!fdt) throw new BootError('The native arm64 loader needs a device tree, and there is neither the entry\'s nor /sys/firmware/fdt (an ACPI-only machine boots with kexec_file_load).', 'ENOEXEC');
    return layoutArm64({ ...base, fdt, ...(crash ? { crash } : {}), kernel: { bytes, textOffset: native.textOffset, imageSize: native.imageSize, bigEndian: native.bigEndian } });
  }
  if (crash) throw nativeCrashRefusal();
  return layoutArm({ ...base, fdt: requireTree(fdt), kernel: { bytes } });
}

export class NativeLoader {
  readonly method = 'kexec_load' as const;
  private loadedArch: number | undefined;
  constructor(private readonly deps: NativeDeps) {}

  private flags(native: NativeKernel): number {
    return (native.arch === 'arm64' ? this.deps.sys.KEXEC_ARCH_AARCH64 : this.deps.sys.KEXEC_ARCH_ARM) | this.crashFlag;
  }

  private get crashFlag(): number {
    return this.deps.crash ? this.deps.sys.KEXEC_ON_CRASH : 0;
  }

  async load(plan: BootPlan): Promise<void> {
    const native = plan.native;
    if (!native) throw new BootError(`${basename(plan.kernel.path)} is not a kernel kexec-menu loads natively.`, 'ENOEXEC');
    let layout: Layout | undefined;
    try {
      const iomem = this.deps.iomem();
      let memory = memoryMap(iomem, this.deps.runningFdt(), this.deps.runningFdtSource);
      let crash: CrashSegments | undefined;
      if (this.deps.crash) {
        // The reservation replaces the map; the running kernel's records give the core header.
        const c = crashLayout(iomem, memory, (this.deps.crashSources ?? readCrashSources)());
        for (const line of c.summary) this.deps.log?.(line);
        memory = c.memory;
        crash = c.segments;
      }
      layout = await layoutPlan(plan, native, memory, (n) => this.deps.sys.getrandom(n), crash);
      for (const s of layout.segments) this.deps.log?.(`segment ${describeSegment(s)}`);
      this.deps.sys.kexecLoad(layout.entry, layout.segments.map((s) => ({ buf: s.bytes, mem: s.mem, memsz: s.memsz })), this.flags(native));
      this.loadedArch = this.flags(native);
    } catch (thrown) {
      const err = asBootError(thrown);
      if (err instanceof BootError) throw err;
      const code = (err as { code?: string }).code;
      const ctx = {
        stage: 'load' as const,
        kernel: plan.kernel.path,
        arch: native.arch,
        method: this.method,
        loadSize: plan.kernel.size + plan.initrdSize + (plan.dtb?.bytes.length ?? 0),
        cmdlineLength: plan.cmdline.length,
        ...(layout ? { segments: layout.segments.map(describeSegment) } : {}),
      };
      throw new BootError(explainBootFailure(err, ctx), code);
    }
  }

  async unload(): Promise<void> {
    try {
      // No segments: the kernel drops what was loaded.
      this.deps.sys.kexecLoad(0, [], this.loadedArch ?? this.crashFlag);
      this.loadedArch = undefined;
    } catch (err) {
      throw new BootError(explainBootFailure(err, { stage: 'unload' }), (err as { code?: string }).code);
    }
  }
}
