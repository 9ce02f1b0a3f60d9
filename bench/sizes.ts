// Sizes: the release bundle as scripts/bundle.mjs makes it (written to a folder of the
// benchmark's own, so dist/ is left alone), and what each part of an initramfs that
// scripts/image.sh has already built (cache/image/ARCH/) contributes to it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

export interface SizeRow {
  readonly part: string;
  readonly bytes: number;
  /** gzip -6 of this part alone (an estimate of what it adds to a compressed archive). */
  readonly gzipBytes?: number;
  readonly files?: number;
}

export interface BundleSizes {
  readonly rows: readonly SizeRow[];
  /** What the image installs of it for one architecture: bundle + terminfo + one koffi binary. */
  readonly installedBytes: number;
  readonly modules: number;
}

function folderBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      const sub = folderBytes(p);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += st.size;
      files++;
    }
  }
  return { bytes, files };
}

/**
 * Runs scripts/bundle.mjs with `args` (--entry, --outfile) and returns what it said; undefined
 * where the script is not there (a tree without it has nothing to bundle).
 */
export function runBundler(top: string, args: readonly string[]): string | undefined {
  const script = join(top, 'scripts/bundle.mjs');
  if (!existsSync(script)) return undefined;
  return execFileSync(process.execPath, [script, ...args], { cwd: top, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Runs scripts/bundle.mjs into `outDir` and measures what it wrote; undefined without the script. */
export function bundleSizes(top: string, outDir: string): BundleSizes | undefined {
  const outfile = join(outDir, 'kexec-menu.js');
  const said = runBundler(top, ['--outfile', outfile]);
  if (said === undefined) return undefined;
  const modules = Number(/from (\d+) modules/.exec(said)?.[1] ?? NaN);
  const js = readFileSync(outfile);
  const terminfo = folderBytes(join(outDir, 'blessed'));
  const rows: SizeRow[] = [
    { part: 'kexec-menu.js (esbuild bundle, minified)', bytes: js.length, gzipBytes: gzipSync(js, { level: 6 }).length, files: 1 },
    { part: 'blessed/usr/ (terminfo beside the bundle)', ...terminfo },
  ];
  let koffi = 0;
  const koffiDir = join(top, 'node_modules/@koromix', `koffi-linux-${process.arch}`);
  const native = join(koffiDir, `linux_${process.arch}`, 'koffi.node');
  if (existsSync(native)) {
    const b = readFileSync(native);
    koffi = b.length;
    rows.push({ part: `koffi.node (linux_${process.arch}: the native FFI binary, one per architecture)`, bytes: b.length, gzipBytes: gzipSync(b, { level: 6 }).length, files: 1 });
  }
  return { rows, installedBytes: js.length + terminfo.bytes + koffi, modules };
}

interface CpioFile {
  readonly path: string;
  readonly data: Buffer;
}

/** The regular files of a newc cpio archive. */
export function cpioFiles(archive: Buffer): CpioFile[] {
  const files: CpioFile[] = [];
  let at = 0;
  const align4 = (n: number) => (n + 3) & ~3;
  for (let guard = 0; at + 110 <= archive.length && guard < 1_000_000; guard++) {
    const magic = archive.toString('latin1', at, at + 6);
    if (magic !== '070701' && magic !== '070702') throw new Error(`cpio: bad header magic '${magic}' at byte ${at}`);
    const field = (i: number) => parseInt(archive.toString('latin1', at + 6 + i * 8, at + 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const name = archive.toString('utf8', at + 110, at + 110 + nameSize - 1);
    const dataAt = align4(at + 110 + nameSize);
    if (name === 'TRAILER!!!') break;
    if ((mode & 0o170000) === 0o100000) files.push({ path: name.replace(/^\.?\//, ''), data: archive.subarray(dataAt, dataAt + size) });
    at = align4(dataAt + size);
  }
  return files;
}

/** Which part of the image a file belongs to. */
function partOf(path: string): string {
  if (/(^|\/)bin\/node$/.test(path)) return 'Node.js (node binary)';
  if (path.includes('kexec-menu/node_modules/@koromix/')) return 'kexec-menu: koffi native binary';
  if (path.endsWith('.v8cache')) return "kexec-menu: V8 code cache (written by the image's node)";
  if (path.includes('kexec-menu')) return 'kexec-menu: bundle, terminfo, settings, scripts';
  if (path.startsWith('lib/modules/')) return 'kernel modules';
  if (/(^|\/)(busybox)$/.test(path)) return 'BusyBox';
  if (/(^|\/)kexec$/.test(path)) return 'kexec-tools';
  if (/^(usr\/)?lib(64|32)?\/.*\.so(\.|$)/.test(path) || /^(usr\/)?lib(64|32)?\/.*ld-linux/.test(path)) return 'shared libraries (libc, libstdc++, kexec-tools\'s)';
  return 'other (etc/, scripts, terminfo, marker files)';
}

export interface ImageSizes {
  readonly arch: string;
  readonly file: string;
  readonly compressedBytes: number;
  readonly rows: readonly SizeRow[];
}

/** The initramfs of cache/image/ARCH, part by part; undefined if it has not been built. */
export function imageSizes(top: string, arch: string, compress: boolean): ImageSizes | undefined {
  const file = join(top, 'cache/image', arch, 'initramfs.cpio.gz');
  if (!existsSync(file)) return undefined;
  const gz = readFileSync(file);
  const files = cpioFiles(gunzipSync(gz));
  const groups = new Map<string, CpioFile[]>();
  for (const f of files) {
    const part = partOf(f.path);
    groups.set(part, [...(groups.get(part) ?? []), f]);
  }
  const rows = [...groups].map(([part, fs]) => {
    const data = Buffer.concat(fs.map((f) => f.data));
    return { part, bytes: data.length, files: fs.length, ...(compress ? { gzipBytes: gzipSync(data, { level: 6 }).length } : {}) };
  });
  rows.sort((a, b) => b.bytes - a.bytes);
  return { arch, file: relative(top, file), compressedBytes: gz.length, rows };
}
