// Every way a boot can fail, as one sentence a person can act on. The menu shows it on the
// entry and the log records it; the menu stays usable.
//
// Errnos come from the system-call layer (SysError: code, errno, syscall), from node's fs
// (ErrnoException: code, path) or from kexec-tools' stderr, which prints strerror() text
// ("kexec_load failed: Device or resource busy"): that text is mapped back to the code. A
// file that is no regular file (fs/regular-file.ts FileReadError) has its own sentence.
import { FileReadError } from '../fs/regular-file';

/** A boot failure already put into one sentence. */
export class BootError extends Error {
  readonly sentence: string;
  /** The errno name behind it (EBUSY, ENOENT…), when there was one. */
  readonly code: string | undefined;
  constructor(sentence: string, code?: string) {
    super(sentence);
    this.name = 'BootError';
    this.sentence = sentence;
    this.code = code;
  }
}

/** What was being done when it failed: the sentence names it. */
export interface FailureContext {
  /** `load` (kexec_file_load / kexec -l), `exec` (reboot into it), `read` (reading a file), `unload`. */
  readonly stage?: 'load' | 'exec' | 'read' | 'unload';
  /** The kernel being booted (file name shown). */
  readonly kernel?: string;
  /** The file being read when stage is `read`. */
  readonly file?: string;
  /** Running architecture in kernel naming: x86_64, arm64, arm, riscv64. */
  readonly arch?: string;
  readonly method?: 'kexec_file_load' | 'kexec_load' | 'kexec-tools';
  /** The native loader's segments as placed ("dtb 0x48000000-0x4800ffff (5123 bytes)"). */
  readonly segments?: readonly string[];
  /** Bytes to be loaded (kernel + initrds + dtb), for the ENOMEM sentence. */
  readonly loadSize?: number;
  readonly cmdlineLength?: number;
  /** Whether the process runs as root (EPERM means something else when it does not). */
  readonly isRoot?: boolean;
  /** Text kexec-tools printed, kept for the log. */
  readonly output?: string;
}

/** strerror() texts (glibc and musl agree on these) → errno names. */
const STRERROR: ReadonlyArray<readonly [RegExp, string]> = [
  [/CPUs are stuck/i, 'EBUSY'],
  [/Device or resource busy|Resource busy/i, 'EBUSY'],
  [/Operation not permitted/i, 'EPERM'],
  [/Key was rejected by service/i, 'EKEYREJECTED'],
  [/Required key not available/i, 'ENOKEY'],
  [/Bad message/i, 'EBADMSG'],
  [/Exec format error/i, 'ENOEXEC'],
  [/Cannot allocate memory|Out of memory/i, 'ENOMEM'],
  [/Invalid argument/i, 'EINVAL'],
  [/Function not implemented|Not implemented|kexec_load.*not supported/i, 'ENOSYS'],
  [/No such file or directory/i, 'ENOENT'],
  [/Permission denied/i, 'EACCES'],
  [/No such device/i, 'ENODEV'],
  [/Input\/output error|I\/O error/i, 'EIO'],
];

/** The errno name hidden in kexec-tools' output, if any. */
export function errnoFromText(text: string): string | undefined {
  for (const [re, code] of STRERROR) if (re.test(text)) return code;
  return undefined;
}

function codeOf(err: unknown): string | undefined {
  if (err instanceof BootError) return err.code;
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') return (err as { code: string }).code;
  return undefined;
}

function baseName(p: string | undefined): string {
  if (!p) return 'the kernel';
  const i = p.lastIndexOf('/');
  return i === -1 ? p : p.slice(i + 1);
}

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

const isArm = (arch: string | undefined) => arch === 'arm64' || arch === 'arm' || arch === 'aarch64';

/** One sentence for an errno in a context. Exported for the tests and the menu. */
export function sentenceFor(code: string | undefined, ctx: FailureContext = {}): string {
  const kernel = baseName(ctx.kernel);
  const file = ctx.file ?? ctx.kernel ?? 'a file';
  switch (code) {
    case 'EPERM':
      if (ctx.isRoot === false) return `Loading ${kernel} needs root: kexec is only allowed with the CAP_SYS_BOOT capability.`;
      if (ctx.method === 'kexec_load' || ctx.method === 'kexec-tools') return `The running kernel refused kexec_load for ${kernel} (EPERM): kernel lockdown forbids loading unsigned segments, so only a signed kernel through kexec_file_load can be booted.`;
      return `The running kernel refused to load ${kernel} (EPERM): kernel lockdown or Secure Boot is on, so the kernel must be signed with a key the running kernel trusts.`;
    case 'EKEYREJECTED':
    case 'ENOKEY':
    case 'EBADMSG':
    case 'ENODATA':
      return `The running kernel rejected the signature of ${kernel} (${code}): it enforces signed kernels, so ${kernel} must be signed with a key the running kernel trusts.`;
    case 'ENOEXEC':
      return `${kernel} is not a kernel this machine can start (ENOEXEC): it is for another architecture or in a format the running kernel's loader does not take.`;
    case 'EBUSY':
      if (isArm(ctx.arch)) {
        return 'Cannot kexec: CPUs are stuck in the kernel (EBUSY), because without PSCI firmware the secondary CPUs cannot be parked; add nr_cpus=1 to the running kernel\'s command line.';
      }
      return `The running kernel is busy with another kexec (EBUSY): a kernel is being loaded or executed already; try again.`;
    case 'ENOMEM':
      return `Not enough memory to load ${kernel}${ctx.loadSize ? ` with its initrd (${mib(ctx.loadSize)})` : ''} (ENOMEM): the kernel, initrd and device tree must fit in free RAM below the limits the running kernel allows.`;
    case 'EADDRNOTAVAIL':
      return `The running kernel refused where ${kernel}'s segments go (EADDRNOTAVAIL): a segment is not page-aligned or lies above the memory kexec may load to${ctx.segments ? ` (${ctx.segments.join('; ')})` : ''}.`;
    case 'EINVAL':
      if (ctx.method === 'kexec_load' && ctx.segments) {
        return `The running kernel rejected the segments of ${kernel} (EINVAL): one of ${ctx.segments.join('; ')} lies outside the RAM it manages or overlaps another${ctx.arch === 'arm' ? ', or this SMP board cannot take its CPUs offline' : ''}.`;
      }
      return `The running kernel rejected ${kernel} or its arguments as invalid (EINVAL)${ctx.cmdlineLength !== undefined ? `; the command line is ${ctx.cmdlineLength} bytes, check it is within the kernel's limit (2048 on many architectures)` : ''}.`;
    case 'ENOSYS':
      return `The running kernel cannot load another kernel (ENOSYS): it was built without ${ctx.method === 'kexec-tools' || ctx.method === 'kexec_load' ? 'CONFIG_KEXEC' : 'CONFIG_KEXEC_FILE (and kexec-tools is not there to try kexec_load)'}.`;
    case 'ENOENT':
      return `${file} is missing (ENOENT).`;
    case 'EACCES':
      return `${file} cannot be read (EACCES: permission denied).`;
    case 'EISDIR':
      return `${file} is a folder, not a file (EISDIR).`;
    case 'EIO':
    case 'ENODEV':
    case 'ENXIO':
    case 'ESTALE':
      return `The device holding ${file} has gone away or fails to read (${code}); reconnect it and rescan.`;
    case 'E2BIG':
      return `The command line for ${kernel} is too long for the running kernel (E2BIG).`;
    case 'EFBIG':
      return `${kernel} or its initrd is too large to load (EFBIG).`;
    default:
      return `Loading ${kernel} failed${code ? ` (${code})` : ''}.`;
  }
}

/**
 * One sentence for any failure of the boot path. A BootError keeps its own sentence; a
 * system-call or file error is explained by its errno in the given context.
 */
export function explainBootFailure(err: unknown, context: FailureContext = {}): string {
  if (err instanceof BootError) return err.sentence;
  // A FIFO, device, folder or oversized file: the reader's own sentence; missing or unreadable: by errno.
  if (err instanceof FileReadError && (err.code === 'EINVAL' || err.code === 'EFBIG')) return `${err.message}.`;
  let code = codeOf(err);
  if (!code && context.output) code = errnoFromText(context.output);
  const path = err && typeof err === 'object' && 'path' in err && typeof (err as { path: unknown }).path === 'string' ? (err as { path: string }).path : undefined;
  const ctx = path ? { ...context, file: path } : context;
  if (code) return sentenceFor(code, ctx);
  const detail = err instanceof Error ? err.message : String(err);
  return `Loading ${baseName(context.kernel)} failed: ${detail.split('\n')[0]}.`;
}

/** Wraps any failure into a BootError with its sentence (for throwing up to the menu). */
export function toBootError(err: unknown, context: FailureContext = {}): BootError {
  if (err instanceof BootError) return err;
  return new BootError(explainBootFailure(err, context), codeOf(err) ?? (context.output ? errnoFromText(context.output) : undefined));
}
