// The one place kexec-menu loads koffi (FFI). Nothing else in the code base imports koffi:
// every system call goes through here, by number, with libc's variadic syscall(2):
// `long syscall(long number, ...)`, each argument passed with its C type.
// koffi is loaded on the first call, so commands that make no system call (list on sample
// trees, inspect) do not pay for it.
import type { RawSyscall, SyscallArg } from './calls';

interface KoffiFunction {
  (...args: unknown[]): unknown;
}

interface Loaded {
  readonly syscall: KoffiFunction;
  readonly errno: () => number;
}

/** `struct kexec_segment` as koffi lays it out for this ABI (32 bytes on LP64, 16 on arm). */
const KEXEC_SEGMENT = 'kexec_segment';

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const koffi = require('koffi') as typeof import('koffi');
  // dlopen(NULL): the symbols node itself is linked with, libc among them (glibc or musl).
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(null);
    lib.func('long syscall(long number, ...)');
  } catch {
    lib = koffi.load('libc.so.6');
  }
  const syscall = lib.func('long syscall(long number, ...)') as unknown as KoffiFunction;
  // koffi passes a Buffer in a `void *` member as the address of its bytes, for the call.
  koffi.struct(KEXEC_SEGMENT, { buf: 'void *', bufsz: 'size_t', mem: 'uintptr_t', memsz: 'size_t' });
  loaded = { syscall, errno: () => koffi.errno() };
  return loaded;
}

const C_TYPE: Record<SyscallArg['type'], string> = {
  long: 'long',
  ulong: 'unsigned long',
  str: 'str',
  'int*': 'int *',
  bytes: 'uint8_t *',
  segments: `${KEXEC_SEGMENT} *`,
};

/** The value koffi is given for an argument: kexec segments become objects of the struct. */
function cValue(a: SyscallArg): unknown {
  if (a.type !== 'segments') return a.value;
  return a.value.map((s) => ({ buf: s.buf, bufsz: s.buf.length, mem: s.mem, memsz: s.memsz }));
}

/** syscall(2) through koffi: the raw return value and errno right after it. */
export const koffiSyscall: RawSyscall = (number, args) => {
  const { syscall, errno } = load();
  const typed: unknown[] = [number];
  for (const a of args) typed.push(C_TYPE[a.type], cValue(a));
  const ret = Number(syscall(...typed));
  return { ret, errno: ret === -1 ? errno() : 0 };
};
