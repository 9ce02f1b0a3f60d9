// Real Debian kernel packages for the kexec tests, fetched by scripts/debian-packages.sh
// (cached in cache/debian/, nothing installed). A machine without network skips with the reason.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../..');

export interface DebianKernel {
  /** The unpacked package. */
  readonly root: string;
  /** The package's version (dpkg's Version field), e.g. 6.1.192-2. */
  readonly version: string;
  /** The kernel release, from /lib/modules/<release>. */
  readonly release: string;
  /** boot/vmlinuz-<release>. */
  readonly image: string;
  /** usr/lib/linux-image-<release> (DTBs), when the package ships them. */
  readonly dtbDir?: string;
}

const cache = new Map<string, DebianKernel | string>();

/** The unpacked kernel package for an architecture, or a string saying why it is not there. */
export function debianKernel(arch: 'amd64' | 'arm64' | 'armhf'): DebianKernel | string {
  const hit = cache.get(arch);
  if (hit) return hit;
  const pkg = arch === 'armhf' ? 'linux-image-armmp' : `linux-image-${arch}`;
  const r = spawnSync(join(REPO, 'scripts/debian-packages.sh'), [arch, pkg], { cwd: REPO, encoding: 'utf8', timeout: 600_000 });
  let result: DebianKernel | string;
  if (r.status !== 0) {
    result = `scripts/debian-packages.sh ${arch} ${pkg} failed (no network?): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  } else {
    const root = r.stdout.trim().split('\n').pop()!;
    const release = readdirSync(join(root, 'lib/modules'))[0]!;
    const dtbDir = join(root, 'usr/lib', `linux-image-${release}`);
    result = {
      root,
      version: readFileSync(join(root, '.version'), 'utf8').trim(),
      release,
      image: join(root, 'boot', `vmlinuz-${release}`),
      ...(existsSync(dtbDir) ? { dtbDir } : {}),
    };
  }
  cache.set(arch, result);
  return result;
}

/** A command's stdout, or throws with its stderr. */
export function run(cmd: string, args: readonly string[], input?: Uint8Array): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, ...(input ? { input } : {}) });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** Compiles DTS source with dtc. */
export function dtc(source: string): Buffer {
  const r = spawnSync('dtc', ['-I', 'dts', '-O', 'dtb', '-o', '-', '-'], { input: source, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`dtc: ${r.stderr.toString()}`);
  return r.stdout;
}

/** The device tree QEMU hands a guest (`-machine dumpdtb=`), or a string saying why not. */
export function qemuDtb(args: readonly string[]): Buffer | string {
  const out = join(tmpdir(), `kexec-menu-qemu-${process.pid}-${Math.random().toString(36).slice(2)}.dtb`);
  const r = spawnSync('qemu-system-aarch64', [...args, '-display', 'none', '-machine', `dumpdtb=${out}`], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || !existsSync(out)) return `qemu-system-aarch64 could not dump a device tree: ${r.error?.message ?? r.stderr.trim()}`;
  const bytes = readFileSync(out);
  rmSync(out);
  return bytes;
}
