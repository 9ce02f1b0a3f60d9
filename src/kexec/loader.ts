// Loads a planned kernel into the running kernel, ready for the hand-over. Three loaders behind
// one interface:
// - NativeLoader (native-loader.ts): kexec_load(2) with segments kexec-menu places itself,
//   for arm64 and 32-bit ARM (no kexec-tools).
// - FileLoadLoader: kexec_file_load(2) through the system-call module. The kernel is an open
//   file, or a memfd holding it decompressed; several initrds are concatenated into one memfd
//   (the kernel unpacks concatenated cpio archives, compressed or not).
// - KexecToolsLoader: `kexec -l KERNEL --initrd=… --command-line=… --dtb=…` from PATH, the
//   last resort for what kexec-menu does not load itself (uImage, ELF vmlinux, a device tree
//   on x86_64, compressions node cannot undo). Several initrds and the
//   device tree become temporary files under /run or /tmp (tmpfs in the initramfs), removed
//   once loaded: `kexec -l` copies everything into kernel memory.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openRegularFileOrThrow, regularFileStream } from '../fs/regular-file';
import { decompressedStream } from './image/compression';
import { BootError, errnoFromText, explainBootFailure, type FailureContext } from './errors';
import { MAX_KERNEL_SIZE } from './inspect';
import { type KexecLoadSys, NativeLoader } from './native-loader';
import { type BootPlan, type LoadMethod, paddedSize } from './plan';

export interface KexecLoader {
  readonly method: LoadMethod;
  load(plan: BootPlan): Promise<void>;
  /** Unloads what was loaded (cancel). */
  unload(): Promise<void>;
}

/** The part of the system-call module (src/sys) the loaders use (kexec_load's through KexecLoadSys). */
export interface KexecFileSys extends KexecLoadSys {
  memfdCreate(name: string, flags?: number): number;
  kexecFileLoad(kernelFd: number, initrdFd: number, cmdline: string, flags: number): void;
  readonly KEXEC_FILE_UNLOAD: number;
  readonly KEXEC_FILE_NO_INITRAMFS: number;
  readonly KEXEC_FILE_ON_CRASH: number;
}

function context(plan: BootPlan, method: LoadMethod, extra: Partial<FailureContext> = {}): FailureContext {
  return {
    stage: 'load',
    kernel: plan.kernel.path,
    ...(plan.kernel.architecture ? { arch: plan.kernel.architecture } : {}),
    method,
    loadSize: plan.kernel.size + plan.initrdSize + (plan.dtb?.bytes.length ?? 0),
    cmdlineLength: plan.cmdline.length,
    ...extra,
  };
}

/** Writes a whole buffer to a file descriptor (write(2) may write less than asked). */
function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  // Bounded: each write advances or throws.
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/** Streams a file (or decompressed data) into a file descriptor; returns the bytes written. */
async function copyInto(fd: number, chunks: AsyncIterable<Buffer>, limit: number): Promise<number> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limit) throw new BootError(`The kernel decompresses to more than ${limit} bytes, which is not a kernel.`, 'EFBIG');
    writeAll(fd, chunk);
  }
  return total;
}

/** Copies the initrds into fd, each padded with zeros to a 4-byte boundary. */
async function concatenateInitrds(fd: number, paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const p of paths) {
    const n = await copyInto(fd, regularFileStream(p), Number.MAX_SAFE_INTEGER);
    const pad = paddedSize(n) - n;
    if (pad) writeAll(fd, new Uint8Array(pad));
    total += n + pad;
  }
  return total;
}

/** The kernel's bytes as the loader must see them, written to fd (decompressed if planned). */
async function writeKernel(fd: number, plan: BootPlan): Promise<void> {
  const u = plan.kernel.unpack;
  if (!u) {
    await copyInto(fd, regularFileStream(plan.kernel.path), Number.MAX_SAFE_INTEGER);
    return;
  }
  try {
    await copyInto(fd, decompressedStream(plan.kernel.path, u.method, u.start, u.end), MAX_KERNEL_SIZE);
  } catch (err) {
    if (err instanceof BootError || (err as { code?: string }).code?.startsWith('E')) throw err;
    throw new BootError(`${basename(plan.kernel.path)} could not be decompressed: its ${u.method} data is damaged or truncated.`, 'ENOEXEC');
  }
}

export class FileLoadLoader implements KexecLoader {
  readonly method = 'kexec_file_load' as const;
  /** `crash`: into the crashkernel= reservation (KEXEC_FILE_ON_CRASH), started by a panic. */
  constructor(
    private readonly sys: KexecFileSys,
    private readonly crash = false,
  ) {}

  private get crashFlag(): number {
    return this.crash ? this.sys.KEXEC_FILE_ON_CRASH : 0;
  }

  async load(plan: BootPlan): Promise<void> {
    const fds: number[] = [];
    const open = (fd: number) => (fds.push(fd), fd);
    try {
      let kernelFd: number;
      if (plan.kernel.unpack) {
        kernelFd = open(this.sys.memfdCreate('kexec-menu-kernel'));
        await writeKernel(kernelFd, plan);
      } else {
        kernelFd = open(openRegularFileOrThrow(plan.kernel.path).fd);
      }
      let initrdFd = -1;
      let flags = this.crashFlag;
      if (plan.initrds.length === 0) flags |= this.sys.KEXEC_FILE_NO_INITRAMFS;
      else if (plan.initrds.length === 1) initrdFd = open(openRegularFileOrThrow(plan.initrds[0]!.path).fd);
      else {
        initrdFd = open(this.sys.memfdCreate('kexec-menu-initrd'));
        await concatenateInitrds(initrdFd, plan.initrds.map((f) => f.path));
      }
      this.sys.kexecFileLoad(kernelFd, initrdFd, plan.cmdline, flags);
    } catch (err) {
      throw new BootError(explainBootFailure(err, context(plan, this.method)), (err as { code?: string }).code);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  }

  async unload(): Promise<void> {
    try {
      this.sys.kexecFileLoad(-1, -1, '', this.sys.KEXEC_FILE_UNLOAD | this.crashFlag);
    } catch (err) {
      throw new BootError(explainBootFailure(err, { stage: 'unload' }), (err as { code?: string }).code);
    }
  }
}

export interface ProgramResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly output: string;
}

/** Runs a program, collecting stdout+stderr (bounded) and killing it after `timeoutMs`. */
export function runProgram(program: string, args: readonly string[], timeoutMs: number): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (b: Buffer) => {
      if (output.length < 64 * 1024) output += b.toString('utf8');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, output: `${output}${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

export interface KexecToolsOptions {
  /** Folder for temporary files (the system's /run or /tmp). */
  readonly tmpDir: string;
  /** `-i`: skip purgatory's SHA-256 check of every segment (slow under emulation). */
  readonly noChecks?: boolean;
  /** How long `kexec -l` may take; purgatory hashing in QEMU takes up to half a minute. */
  readonly timeoutMs?: number;
  /** `kexec -p`: a crash kernel, into the crashkernel= reservation. */
  readonly crash?: boolean;
}

/** `kexec -l …` arguments for a plan, with the temporary files it names. */
export function kexecToolsArgs(plan: BootPlan, files: { kernel: string; initrd?: string; dtb?: string }, noChecks = false, crash = false): string[] {
  return [
    crash ? '-p' : '-l',
    files.kernel,
    ...(files.initrd ? [`--initrd=${files.initrd}`] : []),
    `--command-line=${plan.cmdline}`,
    ...(files.dtb ? [`--dtb=${files.dtb}`] : []),
    ...(noChecks ? ['-i'] : []),
  ];
}

export class KexecToolsLoader implements KexecLoader {
  readonly method = 'kexec-tools' as const;
  constructor(
    private readonly program: string,
    private readonly options: KexecToolsOptions,
  ) {}

  async load(plan: BootPlan): Promise<void> {
    const dir = mkdtempSync(join(this.options.tmpDir, 'kexec-menu-'));
    try {
      const files: { kernel: string; initrd?: string; dtb?: string } = { kernel: plan.kernel.path };
      if (plan.kernel.unpack) {
        files.kernel = join(dir, 'kernel');
        const fd = openSync(files.kernel, 'w', 0o600);
        try {
          await writeKernel(fd, plan);
        } finally {
          closeSync(fd);
        }
      }
      if (plan.initrds.length === 1) files.initrd = plan.initrds[0]!.path;
      else if (plan.initrds.length > 1) {
        files.initrd = join(dir, 'initrd');
        const fd = openSync(files.initrd, 'w', 0o600);
        try {
          await concatenateInitrds(fd, plan.initrds.map((f) => f.path));
        } finally {
          closeSync(fd);
        }
      }
      if (plan.dtb) {
        files.dtb = join(dir, 'devicetree.dtb');
        writeFileSync(files.dtb, plan.dtb.bytes, { mode: 0o600 });
      }
      const r = await runProgram(this.program, kexecToolsArgs(plan, files, this.options.noChecks, this.options.crash), this.options.timeoutMs ?? 120_000);
      if (r.code !== 0) throw this.failure(plan, r);
    } catch (err) {
      if (err instanceof BootError) throw err;
      throw new BootError(explainBootFailure(err, context(plan, this.method)), (err as { code?: string }).code);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private failure(plan: BootPlan, r: ProgramResult): BootError {
    const last = r.output.trim().split('\n').pop() ?? '';
    const code = errnoFromText(r.output);
    if (code) return new BootError(explainBootFailure(Object.assign(new Error(last), { code }), context(plan, this.method, { output: r.output })), code);
    const how = r.signal ? `was killed by ${r.signal}${r.signal === 'SIGKILL' ? ' (it took too long)' : ''}` : r.code === null ? 'could not be started' : `exited with status ${r.code}`;
    return new BootError(`${this.program} -l ${how} loading ${basename(plan.kernel.path)}${last ? `: ${last}` : ''}.`);
  }

  async unload(): Promise<void> {
    const r = await runProgram(this.program, this.options.crash ? ['-p', '-u'] : ['-u'], 30_000);
    if (r.code !== 0) throw new BootError(`${this.program} -u failed to unload the kernel: ${r.output.trim().split('\n').pop() ?? `status ${r.code}`}.`, errnoFromText(r.output));
  }
}

export interface LoaderDeps {
  /** The system-call module; loaded only when a system call is made. */
  readonly sys: () => KexecFileSys;
  readonly tmpDir: string;
  readonly noChecks?: boolean;
  /** For the native loader: /proc/iomem and the running tree (tests hand in captured ones). */
  readonly iomem?: () => string;
  readonly runningFdt?: () => Uint8Array | undefined;
  readonly log?: (line: string) => void;
  /** Load a crash kernel (crash.ts): started by a panic, not by the hand-over. */
  readonly crash?: boolean;
}

function readOrUndefined(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function loaderFor(method: LoadMethod, plan: BootPlan, deps: LoaderDeps): KexecLoader {
  const crash = deps.crash === true;
  if (method === 'kexec-tools') return new KexecToolsLoader(plan.kexecProgram!, { tmpDir: deps.tmpDir, ...(deps.noChecks ? { noChecks: true } : {}), crash });
  if (method === 'kexec_file_load') return new FileLoadLoader(deps.sys(), crash);
  return new NativeLoader({
    sys: deps.sys(),
    iomem: deps.iomem ?? (() => readFileSync('/proc/iomem', 'latin1')),
    runningFdt: deps.runningFdt ?? (() => readOrUndefined('/sys/firmware/fdt')),
    ...(deps.log ? { log: deps.log } : {}),
    crash,
  });
}

/**
 * Loads a plan with its method, falling back (native kexec_load, or kexec-tools) when
 * kexec_file_load is missing (ENOSYS). Returns the loader that succeeded, for unloading on cancel.
 */
export async function loadPlan(plan: BootPlan, deps: LoaderDeps): Promise<KexecLoader> {
  const loader = loaderFor(plan.method, plan, deps);
  try {
    await loader.load(plan);
    return loader;
  } catch (err) {
    const canFallBack = plan.method === 'kexec_file_load' && err instanceof BootError && err.code === 'ENOSYS' && (plan.fallback === 'kexec_load' || (plan.fallback === 'kexec-tools' && plan.kexecProgram));
    if (!canFallBack) throw err;
    const fallback = loaderFor(plan.fallback!, plan, deps);
    await fallback.load(plan);
    return fallback;
  }
}
