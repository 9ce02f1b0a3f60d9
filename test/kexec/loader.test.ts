// The loaders, without ever loading a kernel into this machine: kexec_file_load is replaced by
// a recorder that reads back the file descriptors it is given, and kexec-tools by a script
// named `kexec` that records its arguments and copies the files they name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BootError } from '../../src/kexec/errors';
import { FileLoadLoader, KexecToolsLoader, type KexecFileSys, loadPlan } from '../../src/kexec/loader';
import { executePlan } from '../../src/kexec/execute';
import { type BootPlan, planBoot } from '../../src/kexec/plan';
import { urandom } from '../../src/sys/random';
import type { RunningSystem } from '../../src/kexec/system';
import { debianKernel, dtc } from './debian';

let dir: string;
let fake: string;
let record: string;
let tmp: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kexec-loader-'));
  record = join(dir, 'record');
  tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  fake = join(dir, 'kexec');
  // Records argv and copies every file it is handed; prints and exits as told by FAKE_*.
  writeFileSync(
    fake,
    `#!/bin/sh
mkdir -p "$REC"
n=0
for a in "$@"; do
  n=$((n+1)); printf '%s\\n' "$a" >> "$REC/args"
  case "$a" in --initrd=*) cp "\${a#--initrd=}" "$REC/initrd";; --dtb=*) cp "\${a#--dtb=}" "$REC/dtb";; esac
  [ "$prev" = "-l" ] && cp "$a" "$REC/kernel"
  prev=$a
done
[ -n "$FAKE_STDERR" ] && printf '%b' "$FAKE_STDERR" >&2
exit \${FAKE_EXIT:-0}
`,
  );
  chmodSync(fake, 0o755);
  process.env.REC = record;
});
after(() => rmSync(dir, { recursive: true, force: true }));

function reset(): void {
  rmSync(record, { recursive: true, force: true });
  delete process.env.FAKE_EXIT;
  delete process.env.FAKE_STDERR;
}

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const pad4 = (b: Buffer) => Buffer.concat([b, Buffer.alloc(((b.length + 3) & ~3) - b.length)]);

/** kexec_file_load replaced by a recorder; memfds by unlinked temp files (same fd semantics). */
function recordingSys(result?: () => void): KexecFileSys & { calls: Array<{ kernel: Buffer; initrd?: Buffer; cmdline: string; flags: number }> } {
  const calls: Array<{ kernel: Buffer; initrd?: Buffer; cmdline: string; flags: number }> = [];
  let n = 0;
  return {
    KEXEC_FILE_UNLOAD: 1,
    KEXEC_FILE_NO_INITRAMFS: 4,
    KEXEC_FILE_ON_CRASH: 2,
    KEXEC_ARCH_AARCH64: 183 << 16,
    KEXEC_ARCH_ARM: 40 << 16,
    KEXEC_ON_CRASH: 1,
    kexecLoad: () => assert.fail('the file loader tests make no kexec_load'),
    getrandom: (length) => new Uint8Array(length),
    calls,
    memfdCreate: () => {
      const p = join(tmp, `memfd-${n++}`);
      const fd = openSync(p, 'w+');
      rmSync(p);
      return fd;
    },
    kexecFileLoad: (kernelFd, initrdFd, cmdline, flags) => {
      const read = (fd: number) => readFileSync(`/proc/self/fd/${fd}`);
      calls.push({ kernel: kernelFd >= 0 ? read(kernelFd) : Buffer.alloc(0), ...(initrdFd >= 0 ? { initrd: read(initrdFd) } : {}), cmdline, flags });
      result?.();
    },
  };
}

function sysError(code: string): Error {
  return Object.assign(new Error(`kexec_file_load failed: ${code}`), { code, syscall: 'kexec_file_load' });
}

const system = (over: Partial<RunningSystem>): RunningSystem => ({
  arch: 'x86_64',
  procCmdline: '',
  runningFdt: () => undefined,
  runningFdtSource: '/sys/firmware/fdt',
  kexecProgram: fake,
  random: urandom,
  isRoot: true,
  tmpDir: tmp,
  ...over,
});

test('kexec_file_load: the kernel file as is, two initrds concatenated (4-byte padded) in a memfd, the cmdline', async (t) => {
  const k = debianKernel('amd64');
  if (typeof k === 'string') return t.skip(k);
  const a = Buffer.from('070701 first cpio archive');
  const b = Buffer.from('second');
  const plan = await planBoot({ label: 'x', kernel: k.image, initrds: [file('a.cpio', a), file('b.cpio', b)], overlays: [], cmdline: 'console=ttyS0', reuseCmdline: false }, system({}));
  const sys = recordingSys();
  const loader = new FileLoadLoader(sys);
  await loader.load(plan);
  assert.equal(sys.calls.length, 1);
  const call = sys.calls[0]!;
  assert.ok(call.kernel.equals(readFileSync(k.image)));
  assert.ok(call.initrd!.equals(Buffer.concat([pad4(a), pad4(b)])));
  assert.equal(call.cmdline, 'console=ttyS0');
  assert.equal(call.flags, 0);
  await loader.unload();
  assert.deepEqual(sys.calls[1]!.flags, 1, 'unload is KEXEC_FILE_UNLOAD');
  assert.deepEqual(readdirSync(tmp), [], 'nothing left behind');

  const bare = await planBoot({ label: 'x', kernel: k.image, initrds: [], overlays: [], cmdline: '', reuseCmdline: false }, system({}));
  const sys2 = recordingSys();
  await new FileLoadLoader(sys2).load(bare);
  assert.equal(sys2.calls[0]!.flags, 4, 'KEXEC_FILE_NO_INITRAMFS');
  assert.equal(sys2.calls[0]!.initrd, undefined);
});

test('kexec_file_load: a gzip\'d arm64 Image goes in decompressed; EPERM becomes the signing sentence', async (t) => {
  const k = debianKernel('arm64');
  if (typeof k === 'string') return t.skip(k);
  const raw = readFileSync(k.image);
  const gz = file('Image.gz', gzipSync(raw, { level: 1 }));
  const plan = await planBoot({ label: 'x', kernel: gz, initrds: [], overlays: [], cmdline: '', reuseCmdline: false }, system({ arch: 'arm64', kexecFile: true }));
  const sys = recordingSys();
  await new FileLoadLoader(sys).load(plan);
  assert.ok(sys.calls[0]!.kernel.equals(raw));

  const refusing = recordingSys(() => {
    throw sysError('EPERM');
  });
  await assert.rejects(new FileLoadLoader(refusing).load(plan), (e: unknown) => e instanceof BootError && e.code === 'EPERM' && /must be signed/.test(e.sentence));
  // A damaged gzip body is found while decompressing, before the system call.
  const broken = Buffer.from(readFileSync(gz));
  for (let i = 1000; i < 3000; i++) broken[i] = 0x55;
  writeFileSync(gz, broken);
  await assert.rejects(new FileLoadLoader(recordingSys()).load(plan), (e: unknown) => e instanceof BootError && /could not be decompressed: its gzip data is damaged or truncated/.test(e.sentence));
});

test('ENOSYS from kexec_file_load falls back to kexec-tools', async (t) => {
  reset();
  const k = debianKernel('amd64');
  if (typeof k === 'string') return t.skip(k);
  const plan = await planBoot({ label: 'x', kernel: k.image, initrds: [], overlays: [], cmdline: 'quiet', reuseCmdline: false }, system({}));
  assert.equal(plan.fallback, 'kexec-tools');
  const loader = await loadPlan(plan, {
    sys: () =>
      recordingSys(() => {
        throw sysError('ENOSYS');
      }),
    tmpDir: tmp,
  });
  assert.equal(loader.method, 'kexec-tools');
  assert.deepEqual(readFileSync(join(record, 'args'), 'utf8').trim().split('\n'), ['-l', k.image, '--command-line=quiet']);
  // Without a fallback, ENOSYS is the sentence.
  const alone: BootPlan = { ...plan, fallback: undefined, kexecProgram: undefined } as unknown as BootPlan;
  await assert.rejects(
    loadPlan(alone, { sys: () => recordingSys(() => { throw sysError('ENOSYS'); }), tmpDir: tmp }),
    (e: unknown) => e instanceof BootError && /cannot load another kernel \(ENOSYS\)/.test(e.sentence),
  );
});

test('kexec-tools: the arm64 Pi entry with two initrds and a DTB — decompressed kernel, one initrd file, the fixed-up DTB, temp files removed', async (t) => {
  reset();
  const k = debianKernel('arm64');
  if (typeof k === 'string' || !k.dtbDir) return t.skip(typeof k === 'string' ? k : 'no DTBs');
  const raw = readFileSync(k.image);
  const gz = file('vmlinuz.gz', gzipSync(raw, { level: 1 }));
  const a = Buffer.from('abcde');
  const b = Buffer.from('0123456789');
  const plan = await planBoot(
    {
      label: 'pi',
      kernel: gz,
      initrds: [file('i1', a), file('i2', b)],
      devicetree: { kind: 'file', path: join(k.dtbDir, 'broadcom/bcm2837-rpi-3-b-plus.dtb') },
      overlays: [],
      cmdline: 'console=serial0,115200 root=/dev/mmcblk0p2',
      reuseCmdline: false,
    },
    system({ arch: 'arm64', kexecFile: false }),
  );
  const loader = new KexecToolsLoader(fake, { tmpDir: tmp, noChecks: true });
  await loader.load(plan);
  const args = readFileSync(join(record, 'args'), 'utf8').trim().split('\n');
  assert.equal(args[0], '-l');
  assert.match(args[1]!, new RegExp(`^${tmp}/kexec-menu-[^/]+/kernel$`));
  assert.match(args[2]!, /^--initrd=.*\/initrd$/);
  assert.equal(args[3], '--command-line=console=serial0,115200 root=/dev/mmcblk0p2');
  assert.match(args[4]!, /^--dtb=.*\/devicetree\.dtb$/);
  assert.equal(args[5], '-i');
  assert.ok(readFileSync(join(record, 'kernel')).equals(raw), 'kexec-tools gets the plain Image');
  assert.ok(readFileSync(join(record, 'initrd')).equals(Buffer.concat([pad4(a), pad4(b)])));
  assert.ok(readFileSync(join(record, 'dtb')).equals(Buffer.from(plan.dtb!.bytes)));
  assert.deepEqual(readdirSync(tmp), [], 'temporary files removed after loading');

  // The write-up's failure, as kexec-tools prints it, becomes the sentence.
  reset();
  process.env.FAKE_EXIT = '255';
  process.env.FAKE_STDERR = "Can't kexec: CPUs are stuck in the kernel.\\nkexec_load failed: Device or resource busy\\n";
  await assert.rejects(loader.load(plan), (e: unknown) => e instanceof BootError && e.code === 'EBUSY' && /^Cannot kexec: CPUs are stuck in the kernel \(EBUSY\).*nr_cpus=1/.test(e.sentence));
  process.env.FAKE_STDERR = 'Cannot determine the file type of x\\n';
  await assert.rejects(loader.load(plan), (e: unknown) => e instanceof BootError && new RegExp(`${fake} -l exited with status 255 loading vmlinuz\\.gz: Cannot determine the file type of x\\.`).test(e.sentence));
  assert.deepEqual(readdirSync(tmp), [], 'removed after a failure too');

  reset();
  await loader.unload();
  assert.deepEqual(readFileSync(join(record, 'args'), 'utf8').trim().split('\n'), ['-u']);
});

test('a missing kexec program is a sentence, not a crash', async () => {
  const loader = new KexecToolsLoader(join(dir, 'no-such-kexec'), { tmpDir: tmp });
  const kernel = file('k', Buffer.alloc(1024));
  const plan = { label: 'x', method: 'kexec-tools', kernel: { path: kernel, size: 1024, description: '' }, initrds: [], initrdSize: 0, cmdline: '', warnings: [], notes: [] } as BootPlan;
  await assert.rejects(loader.load(plan), (e: unknown) => e instanceof BootError && /no-such-kexec -l could not be started loading k: .*ENOENT/.test(e.sentence));
  assert.deepEqual(readdirSync(tmp), []);
});

test('executePlan: load, unmount, reboot; a failed hand-over unloads again and explains', async (t) => {
  const k = debianKernel('amd64');
  if (typeof k === 'string') return t.skip(k);
  const plan = await planBoot({ label: 'x', kernel: k.image, initrds: [], overlays: [], cmdline: 'quiet', reuseCmdline: false }, system({}));
  const sys = recordingSys();
  const steps: string[] = [];
  const handSys = {
    ...sys,
    sync: () => void steps.push('sync'),
    reboot: () => {
      steps.push('reboot');
      throw Object.assign(new Error('reboot failed'), { code: 'EINVAL', syscall: 'reboot' });
    },
  };
  await assert.rejects(
    executePlan(plan, { sys: handSys, handoff: 'direct', unmountAll: async () => (steps.push('unmount'), []), tmpDir: tmp }),
    (e: unknown) => e instanceof BootError && e.code === 'EINVAL',
  );
  assert.deepEqual(steps, ['sync', 'unmount', 'sync', 'reboot']);
  assert.deepEqual(sys.calls.map((c) => c.flags), [4, 1], 'loaded (no initrd), then KEXEC_FILE_UNLOAD');
});
