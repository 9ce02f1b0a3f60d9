// Debian bookworm's bootctl (systemd 252) as a test oracle: the systemd-boot package and
// libsystemd-shared fetched into cache/ (never installed), with whatever libraries this
// machine lacks, so it runs on a fresh Debian too. Shared by the BLS and EFI-variable tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '../../..');

/** libsystemd-shared-252's libraries and their Debian packages, fetched only when missing here. */
const SONAME_PACKAGES: Readonly<Record<string, string>> = {
  'libacl.so.1': 'libacl1',
  'libblkid.so.1': 'libblkid1',
  'libcap.so.2': 'libcap2',
  'libcrypt.so.1': 'libcrypt1',
  'libgcrypt.so.20': 'libgcrypt20',
  'libip4tc.so.2': 'libip4tc2',
  'libkmod.so.2': 'libkmod2',
  'liblz4.so.1': 'liblz4-1',
  'libmount.so.1': 'libmount1',
  'libcrypto.so.3': 'libssl3',
  'libpam.so.0': 'libpam0g',
  'libseccomp.so.2': 'libseccomp2',
  'libselinux.so.1': 'libselinux1',
  'libzstd.so.1': 'libzstd1',
  'liblzma.so.5': 'liblzma5',
  'libgpg-error.so.0': 'libgpg-error0',
  'libaudit.so.1': 'libaudit1',
  'libpcre2-8.so.0': 'libpcre2-8-0',
  'libcap-ng.so.0': 'libcap-ng0',
};

export type Bootctl = { readonly ok: true; readonly bin: string; readonly libPath: string } | { readonly ok: false; readonly reason: string };

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 120_000, cwd: REPO });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/** Folders holding shared objects inside an unpacked package (bounded walk). */
function libDirs(root: string, depth = 0, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return out;
  }
  if (names.some((n) => /\.so(\.|$)/.test(n))) out.push(root);
  if (depth < 5) {
    for (const n of names) {
      const p = join(root, n);
      try {
        if (statSync(p).isDirectory() && !n.startsWith('.')) libDirs(p, depth + 1, out);
      } catch {
        // a dangling link in the package: not a library folder
      }
    }
  }
  return out;
}

function fetchPackages(arch: string, packages: string[]): { dirs: string[] } | { reason: string } {
  const r = run('bash', ['scripts/debian-packages.sh', arch, ...packages]);
  if (r.status !== 0) return { reason: `scripts/debian-packages.sh ${arch} ${packages.join(' ')} failed: ${r.stderr.trim().split('\n').pop() ?? ''}` };
  return { dirs: r.stdout.trim().split('\n').filter(Boolean) };
}

export function findBootctl(): Bootctl {
  if (process.platform !== 'linux') return { ok: false, reason: 'bootctl runs on Linux only' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'mounting a tmpfs for bootctl --esp-path needs root' };
  const arch = run('dpkg', ['--print-architecture']).stdout.trim();
  if (!arch) return { ok: false, reason: 'dpkg is not available to name the Debian architecture' };
  const got = fetchPackages(arch, ['systemd-boot', 'libsystemd-shared']);
  if ('reason' in got) return { ok: false, reason: got.reason };
  const bin = join(got.dirs[0]!, 'usr/bin/bootctl');
  if (!existsSync(bin)) return { ok: false, reason: `${bin} is not in the systemd-boot package` };
  const dirs = got.dirs.flatMap((d) => libDirs(d));
  // Fetch the libraries this machine lacks (a fresh container has no libkmod, libip4tc, …).
  for (let round = 0; round < 3; round++) {
    const env = { ...process.env, LD_LIBRARY_PATH: dirs.join(':') };
    const missing = [...run('ldd', [bin], env).stdout.matchAll(/^\s*(\S+) => not found/gm)].map((m) => m[1]!);
    if (missing.length === 0) break;
    const unknown = missing.filter((so) => SONAME_PACKAGES[so] === undefined);
    if (unknown.length > 0) return { ok: false, reason: `bootctl needs ${unknown.join(', ')}, which this test does not know how to fetch` };
    const more = fetchPackages(arch, [...new Set(missing.map((so) => SONAME_PACKAGES[so]!))]);
    if ('reason' in more) return { ok: false, reason: more.reason };
    dirs.push(...more.dirs.flatMap((d) => libDirs(d)));
  }
  const version = run(bin, ['--version'], { ...process.env, LD_LIBRARY_PATH: dirs.join(':') });
  if (version.status !== 0) return { ok: false, reason: `bootctl --version fails: ${version.stderr.trim()}` };
  if (!/^systemd 252\b/m.test(version.stdout)) return { ok: false, reason: `expected systemd 252's bootctl, got ${version.stdout.split('\n')[0]}` };
  return { ok: true, bin, libPath: dirs.join(':') };
}

