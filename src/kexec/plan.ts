// Decides how an entry is booted, doing everything short of the system calls: which loader,
// which kernel bytes (decompressed or not), which initrds, which device tree (picked, checked
// and fixed up), which command line. `--dry-run` prints this plan; a real boot hands it to
// a loader (loader.ts).
//
// The order of choice (each plan says which rule chose and why):
// 1. kexec_file_load where it serves: the architecture has it (x86_64, arm64, riscv64…), the
//    running kernel was built with it, it takes this kernel format there (x86: 64-bit
//    bzImage; arm64: Image; riscv: Image or ELF), and the entry has no device tree of its own
//    (arm64's kexec_file_load always passes the running kernel's tree and cannot take another).
// 2. Otherwise, on arm64 and 32-bit ARM, kexec-menu's own kexec_load (native/): an arm64
//    Image or a 32-bit ARM zImage, with the entry's device tree or the running one.
// 3. Otherwise kexec-tools, the last resort for formats kexec-menu does not place itself
//    (uImage, ELF vmlinux, kernels compressed in a way node cannot undo).
// - A kernel compressed as a whole (Image.gz, EFI zboot) is decompressed by kexec-menu
//   first where Node can (gzip; zstd from Node 22.15): the running kernel does not take it.
// - When kexec_file_load turns out to be missing (ENOSYS), the native loader (arm) or
//   kexec-tools (elsewhere, when present) is the fallback.
import { basename } from 'node:path';
import { closeSync } from 'node:fs';
import { describeFailedRead, openRegularFile } from '../fs/regular-file';
import type { BootEntry, ResolvedFiles } from '../entries/model';
import { cmdlineLengthProblem, composeCmdline } from './cmdline';
import { cannotDecompress, type Compression } from './image/compression';
import { checkDeviceTree, fixupDeviceTree } from './dt-fixup';
import { chooseDeviceTree } from './dtb-match';
import { BootError, sentenceFor } from './errors';
import type { Architecture } from '../machine/arch';
import { type KernelHeader, type KernelImageInfo, inspectKernelImage, readDeviceTreeFile } from './inspect';
import { cpuParkingWarning } from './psci';
import type { RunningSystem } from './system';
import { deleteProp, ensureNode, parseFdt, serializeFdt, setProp, stringValue } from './dt/fdt';

export type LoadMethod = 'kexec_file_load' | 'kexec_load' | 'kexec-tools';

/** What the native loader (native/) needs of the kernel image, read from its header. */
export type NativeKernel =
  | { readonly arch: 'arm64'; readonly textOffset: number; readonly imageSize: number; readonly bigEndian: boolean }
  | { readonly arch: 'arm'; readonly format: 'zImage' };

/** What to boot, from an entry or from `boot --kernel`. Paths are host paths. */
export interface BootRequest {
  /** The entry id, or the kernel path for `--kernel`. */
  readonly label: string;
  readonly kernel: string;
  readonly initrds: readonly string[];
  readonly devicetree?: ResolvedFiles['devicetree'];
  readonly overlays: readonly string[];
  /** The entry's own command line. */
  readonly cmdline: string;
  /** Words to add after it. */
  readonly append?: string;
  readonly reuseCmdline: boolean;
}

/** A request from a menu entry; an entry whose files are not all present cannot boot. */
export function requestFromEntry(entry: BootEntry): BootRequest {
  if (!entry.resolution.ok) throw new BootError(`${entry.title} cannot boot: ${entry.resolution.reason}.`, 'ENOENT');
  const f = entry.resolution.files;
  return {
    label: entry.id,
    kernel: f.kernel,
    initrds: f.initrds,
    ...(f.devicetree ? { devicetree: f.devicetree } : {}),
    overlays: f.overlays,
    cmdline: entry.cmdline,
    reuseCmdline: entry.reuseCmdline,
  };
}

export interface PlannedFile {
  readonly path: string;
  readonly size: number;
}

export interface KernelUnpack {
  readonly method: Compression;
  /** Byte range of the compressed data in the file (an EFI zboot payload is inside a PE). */
  readonly start: number;
  readonly end?: number;
  /** Size once decompressed, when the format says (gzip trailer). */
  readonly size?: number;
}

export interface PlannedKernel extends PlannedFile {
  readonly description: string;
  readonly architecture?: Architecture;
  readonly version?: string;
  /** kexec-menu decompresses the kernel before loading it. */
  readonly unpack?: KernelUnpack;
}

export interface PlannedDtb {
  /** Where it came from: a file path, or the running system's /sys/firmware/fdt. */
  readonly source: string;
  readonly origin: 'entry' | 'running';
  /** Why this file (the DTB choice sentence for a folder). */
  readonly reason: string;
  readonly bytes: Uint8Array;
  /** What the check and the fix-up changed. */
  readonly changes: readonly string[];
}

export interface BootPlan {
  readonly label: string;
  readonly method: LoadMethod;
  /** A crash kernel (`kexec-menu crash load`): the same loaders with their on-crash flag or `kexec -p`. */
  readonly crash?: boolean;
  /** Used when kexec_file_load turns out missing (ENOSYS). */
  readonly fallback?: 'kexec-tools' | 'kexec_load';
  /** For kexec_load (method or fallback): the kernel as the native loader places it. */
  readonly native?: NativeKernel;
  readonly kexecProgram?: string;
  readonly kernel: PlannedKernel;
  readonly initrds: readonly PlannedFile[];
  /** Bytes of the initrds as loaded: one as it is, several concatenated, each padded to 4 bytes. */
  readonly initrdSize: number;
  /** With method kexec_file_load, only the kexec-tools fallback uses it. */
  readonly dtb?: PlannedDtb;
  readonly cmdline: string;
  /** Things that will probably make the boot fail, said before trying. */
  readonly warnings: readonly string[];
  /** Why each decision was taken. */
  readonly notes: readonly string[];
}

/** Architectures whose kernels have kexec_file_load. */
const FILE_LOAD_ARCHES = new Set(['x86_64', 'arm64', 'riscv64', 's390x', 'powerpc64', 'loongarch64']);

/** Initrds are padded to 4 bytes each when concatenated, as GRUB does: cpio headers are 4-aligned. */
export function paddedSize(n: number): number {
  return (n + 3) & ~3;
}

/** The file's size, from a descriptor opened without blocking and checked to be a regular file (fs/regular-file.ts). */
function statFile(path: string, what: string): PlannedFile {
  const opened = openRegularFile(path);
  if (opened.ok) {
    closeSync(opened.fd);
    return { path, size: opened.size };
  }
  const subject = `The ${what} ${path}`;
  if (opened.reason === 'not-regular') throw new BootError(`${describeFailedRead(subject, opened, 0)}.`, 'EINVAL');
  const code = opened.reason === 'missing' ? 'ENOENT' : (opened.code ?? 'EIO');
  throw new BootError(sentenceFor(code, { stage: 'read', file: subject }), code);
}

/** Whether kexec_file_load on `arch` takes an image of this format, and if not, why. */
function fileLoadTakes(h: KernelHeader, arch: Architecture): { ok: true } | { ok: false; why: string } {
  if (arch === 'x86_64') {
    if (h.format !== 'bzImage') return { ok: false, why: `kexec_file_load on x86_64 takes only bzImage kernels, not ${h.format === 'elf' ? 'an ELF vmlinux' : h.format}` };
    if (!h.loadedHigh || !h.kernel64 || !h.canBeLoadedAbove4G) return { ok: false, why: 'kexec_file_load takes only 64-bit bzImage kernels that can be loaded above 4 GiB' };
    return { ok: true };
  }
  if (arch === 'arm64') return h.format === 'arm64-image' ? { ok: true } : { ok: false, why: `kexec_file_load on arm64 takes only an arm64 Image, not ${h.format}` };
  if (arch === 'riscv64') return h.format === 'riscv-image' || h.format === 'elf' ? { ok: true } : { ok: false, why: `kexec_file_load on riscv64 takes only an Image or ELF kernel, not ${h.format}` };
  return { ok: true };
}

/** The image the loader will see: the one inside a wrapper, or the file's own. */
function unwrap(info: KernelImageInfo): { header: KernelHeader | undefined; unpack?: KernelUnpack; cannot?: string } {
  const h = info.header;
  if (h.format === 'compressed') {
    const why = cannotDecompress(h.method);
    if (why || !h.inner) return { header: h.inner, cannot: why ?? h.innerUnavailable ?? 'its contents are unknown' };
    return { header: h.inner, unpack: { method: h.method, start: 0, ...(h.uncompressedSize !== undefined ? { size: h.uncompressedSize } : {}) } };
  }
  if (h.format === 'efi-zboot') {
    const method = h.inner ? (h.compression === 'gzip' ? 'gzip' : h.compression.startsWith('zstd') ? 'zstd' : undefined) : undefined;
    if (!method) return { header: h.inner, cannot: h.innerUnavailable ?? `its ${h.compression} payload cannot be decompressed here` };
    return { header: h.inner, unpack: { method, start: h.payloadOffset, end: h.payloadOffset + h.payloadSize } };
  }
  return { header: h };
}

/**
 * The running system's tree made fit for the next kernel: checked, kaslr-seed removed, the
 * old initrd's location dropped and bootargs set. kexec-tools reads /sys/firmware/fdt when
 * given no --dtb; it is given this copy instead.
 */
function runningTreeForKexec(bytes: Uint8Array, source: string, cmdline: string): PlannedDtb {
  const checked = checkDeviceTree(bytes, source);
  const fdt = parseFdt(checked.bytes, source);
  const changes = [...checked.changes];
  const chosen = ensureNode(fdt, '/chosen');
  for (const p of ['linux,initrd-start', 'linux,initrd-end']) if (deleteProp(chosen, p)) changes.push(`/chosen/${p} removed (the loader places the initrd).`);
  setProp(chosen, 'bootargs', stringValue(cmdline));
  changes.push('/chosen/bootargs set to the entry\'s command line.');
  return { source, origin: 'running', reason: 'The entry has no device tree of its own, so the running system\'s is passed on.', bytes: serializeFdt(fdt), changes };
}

/** The kernel as kexec-menu's own kexec_load takes it on `arch`, or why it cannot. */
function nativeKernel(inner: ReturnType<typeof unwrap>, arch: Architecture): { ok: true; kernel: NativeKernel } | { ok: false; why: string } {
  if (arch !== 'arm64' && arch !== 'arm') return { ok: false, why: `kexec-menu's own kexec_load serves arm64 and 32-bit ARM, not ${arch}` };
  if (inner.cannot || !inner.header) return { ok: false, why: `kexec-menu cannot look inside the kernel (${inner.cannot ?? 'its contents are unknown'})` };
  const h = inner.header;
  if (arch === 'arm64' && h.format === 'arm64-image') {
    if (h.bigEndian) return { ok: false, why: 'it is a big-endian arm64 Image, which kexec-menu\'s own kexec_load does not start' };
    return { ok: true, kernel: { arch, textOffset: h.textOffset, imageSize: h.imageSize, bigEndian: h.bigEndian } };
  }
  if (arch === 'arm' && h.format === 'arm-zimage' && !h.bigEndian) return { ok: true, kernel: { arch, format: 'zImage' } };
  return { ok: false, why: `kexec-menu's own kexec_load takes an arm64 Image or a 32-bit ARM zImage, not ${h.format === 'elf' ? 'an ELF vmlinux' : h.format}` };
}

function needTools(system: RunningSystem, kernel: string, why: string): string {
  if (system.kexecProgram) return system.kexecProgram;
  throw new BootError(`Booting ${basename(kernel)} needs the kexec program from kexec-tools, which is not on PATH: ${why}.`, 'ENOENT');
}

/** Plans the boot of `req` on `system`. Throws BootError with one sentence when it cannot. */
export async function planBoot(req: BootRequest, system: RunningSystem): Promise<BootPlan> {
  const notes: string[] = [];
  const warnings: string[] = [];
  const kernelFile = statFile(req.kernel, 'kernel');
  const initrds = req.initrds.map((p) => statFile(p, 'initrd'));
  const info = await inspectKernelImage(req.kernel, system.arch);
  if (!info.canKexecHere.ok) throw new BootError(`${basename(req.kernel)} cannot be started on this machine: ${info.canKexecHere.reason}.`, 'ENOEXEC');
  const inner = unwrap(info);
  if (inner.unpack) notes.push(`The kernel is ${inner.unpack.method}-compressed as a whole (${info.description}); kexec-menu decompresses it before loading, since the running kernel does not take it so.`);

  const cmdline = composeCmdline({ own: req.cmdline, ...(req.append ? { append: req.append } : {}), reuse: req.reuseCmdline, running: system.procCmdline });
  const tooLong = cmdlineLengthProblem(cmdline, info.architecture ?? system.arch);
  if (tooLong) throw new BootError(tooLong, 'E2BIG');
  if (req.reuseCmdline) notes.push('The running kernel\'s command line is reused (without BOOT_IMAGE= and initrd=), followed by the entry\'s.');

  // Device tree: the entry's own (a file, or one picked from a folder), fixed up.
  let dtb: PlannedDtb | undefined;
  if (req.devicetree) {
    let path: string;
    let reason: string;
    if (req.devicetree.kind === 'dir') {
      const choice = chooseDeviceTree(req.devicetree.path, system.compatible, req.devicetree.preferred);
      path = choice.path;
      reason = choice.reason;
    } else {
      path = req.devicetree.path;
      reason = 'The entry names this device tree.';
    }
    const fixed = fixupDeviceTree({
      dtb: readDeviceTreeFile(path),
      source: path,
      ...(() => {
        const running = system.runningFdt();
        return running ? { running, runningSource: system.runningFdtSource } : {};
      })(),
      cmdline,
      random: system.random,
    });
    dtb = { source: path, origin: 'entry', reason, bytes: fixed.bytes, changes: fixed.changes };
  }
  if (req.overlays.length > 0) {
    warnings.push(`The entry's ${req.overlays.length} device-tree overlay(s) (${req.overlays.map((o) => basename(o)).join(', ')}) are not applied: kexec-menu does not apply overlays yet.`);
  }

  // The loader, in the order of choice (see the top of this file).
  let method: LoadMethod;
  let fallback: 'kexec-tools' | 'kexec_load' | undefined;
  let kexecProgram: string | undefined;
  const take = inner.header && !inner.cannot ? fileLoadTakes(inner.header, system.arch) : { ok: false as const, why: `kexec-menu cannot look inside it (${inner.cannot})` };
  const native = nativeKernel(inner, system.arch);
  // Why kexec_file_load does not serve, or undefined when it does.
  const noFileLoad = dtb
    ? 'the entry has its own device tree, which kexec_file_load cannot pass (it passes only the running kernel\'s)'
    : !FILE_LOAD_ARCHES.has(system.arch)
      ? `${system.arch} kernels have no kexec_file_load`
      : system.kexecFile === false
        ? 'the running kernel was built without kexec_file_load (CONFIG_KEXEC_FILE)'
        : !take.ok
          ? take.why
          : undefined;
  if (noFileLoad === undefined) {
    method = 'kexec_file_load';
    notes.push(`Loaded with kexec_file_load: the running kernel takes this ${inner.header?.format ?? 'kernel'} itself.`);
    if (native.ok) {
      fallback = 'kexec_load';
      if (system.kexecFile === undefined) notes.push('If the running kernel lacks kexec_file_load (ENOSYS), kexec-menu\'s own kexec_load loads it instead.');
    } else if (system.kexecProgram) {
      fallback = 'kexec-tools';
      kexecProgram = system.kexecProgram;
      if (system.kexecFile === undefined) notes.push(`If the running kernel lacks kexec_file_load (ENOSYS), ${system.kexecProgram} loads it instead.`);
    } else if (system.kexecFile === undefined) {
      notes.push('If the running kernel lacks kexec_file_load, there is no kexec-tools to fall back on.');
    }
  } else if (native.ok) {
    method = 'kexec_load';
    notes.push(`Loaded with kexec-menu's own kexec_load (no kexec-tools): ${noFileLoad}.`);
  } else {
    method = 'kexec-tools';
    kexecProgram = needTools(system, req.kernel, `${noFileLoad}, and ${native.why}`);
    notes.push(`Loaded with kexec-tools: ${noFileLoad}, and ${native.why}.`);
  }

  if (inner.cannot && method === 'kexec-tools') notes.push(`kexec-menu cannot decompress the kernel (${inner.cannot}); kexec-tools gets it as it is.`);

  // Without the entry's own tree, kexec_load (native or kexec-tools) passes the running
  // one: a checked copy (kaslr-seed removed, bootargs set; the native loader writes the rest).
  if (!dtb && (method !== 'kexec_file_load' || fallback) && (system.arch === 'arm64' || system.arch === 'arm')) {
    const running = system.runningFdt();
    if (running) dtb = runningTreeForKexec(running, system.runningFdtSource, cmdline);
  }

  const warning = cpuParkingWarning(system.cpuParking, system.arch);
  if (warning) warnings.push(warning);

  return {
    label: req.label,
    method,
    ...(fallback ? { fallback } : {}),
    ...(kexecProgram ? { kexecProgram } : {}),
    ...(native.ok && (method === 'kexec_load' || fallback === 'kexec_load') ? { native: native.kernel } : {}),
    kernel: {
      ...kernelFile,
      description: info.description,
      ...(info.architecture ? { architecture: info.architecture } : {}),
      ...(info.version ? { version: info.version } : {}),
      ...(inner.unpack ? { unpack: inner.unpack } : {}),
    },
    initrds,
    initrdSize: initrds.length === 1 ? initrds[0]!.size : initrds.reduce((n, f) => n + paddedSize(f.size), 0),
    ...(dtb ? { dtb } : {}),
    cmdline,
    warnings,
    notes,
  };
}
