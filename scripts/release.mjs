#!/usr/bin/env node
// `npm run release`: what the Buildroot package installs (buildroot-external/): by default the
// staged tree in this checkout, or the tarball downloaded from a published release.
//
//   dist/kexec-menu-<version>/            the staged tree: what the Buildroot package installs by default
//     kexec-menu.js                       the whole program, one esbuild bundle (scripts/bundle.mjs)
//     blessed/usr/                        blessed's own terminfo files, read beside the bundle
//     package.json                        production manifest (no dependencies left to install)
//     LICENSES.txt                        license texts of kexec-menu and of all it bundles
//     node_modules/@koromix/koffi-linux-{x64,arm64,arm}/   koffi's prebuilt native binaries
//   dist/kexec-menu-<version>.tar.gz      the same tree, reproducible (sorted, mtime 0, uid 0)
//
// koffi's binaries come from the npm registry with `npm pack` (cached in cache/npm/), which
// fetches another architecture's package without installing or building anything; every
// binary is then checked to be an ELF file for its machine, since an install that misses one
// does not fail by itself.
//   node scripts/release.mjs [--update-hash]   (--update-hash rewrites kexec-menu.hash)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundle } from './bundle.mjs';

const top = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(top, 'package.json'), 'utf8'));
const koffiVersion = JSON.parse(readFileSync(join(top, 'node_modules/koffi/package.json'), 'utf8')).version;

/**
 * koffi's native packages we ship, by npm cpu name, with the folders (per C library) holding
 * koffi.node and the ELF e_machine each binary must have.
 */
export const KOFFI_TARGETS = {
  x64: { folders: ['linux_x64', 'musl_x64'], machine: 62, elfClass: 2 },
  arm64: { folders: ['linux_arm64', 'musl_arm64'], machine: 183, elfClass: 2 },
  arm: { folders: ['linux_armhf'], machine: 40, elfClass: 1 },
};

/** Throws unless `file` is an ELF shared object for the expected machine and class. */
export function checkElf(file, { machine, elfClass }) {
  const b = readFileSync(file);
  if (b.length < 20 || b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file}: not an ELF file`);
  if (b[4] !== elfClass) throw new Error(`${file}: ELF class ${b[4]}, expected ${elfClass}`);
  const m = b.readUInt16LE(18);
  if (m !== machine) throw new Error(`${file}: ELF machine ${m}, expected ${machine}`);
}

/** Unpacks @koromix/koffi-linux-<cpu> (npm pack, cached) into `dest`; returns its folder. */
function koffiPackage(cpu, dest) {
  const name = `@koromix/koffi-linux-${cpu}`;
  const cache = join(top, 'cache/npm');
  mkdirSync(cache, { recursive: true });
  const tgz = join(cache, `koromix-koffi-linux-${cpu}-${koffiVersion}.tgz`);
  if (!existsSync(tgz)) {
    execFileSync('npm', ['pack', `${name}@${koffiVersion}`, '--pack-destination', cache, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!existsSync(tgz)) throw new Error(`npm pack did not produce ${tgz}`);
  const dir = join(dest, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', tgz, '-C', dir, '--strip-components=1', '--no-same-owner']);
  const t = KOFFI_TARGETS[cpu];
  const present = t.folders.filter((f) => existsSync(join(dir, f, 'koffi.node')));
  if (!present.includes(t.folders[0])) throw new Error(`${name}@${koffiVersion}: ${t.folders[0]}/koffi.node missing`);
  for (const f of present) checkElf(join(dir, f, 'koffi.node'), t);
  return dir;
}

/** A reproducible ustar archive of `root` (files sorted, uid/gid 0, mtime 0) under `prefix/`. */
function tarTree(root, prefix) {
  const blocks = [];
  const header = (name, size, mode, type) => {
    const h = Buffer.alloc(512);
    let nm = name;
    let pre = '';
    if (Buffer.byteLength(nm) > 100) {
      const cut = nm.lastIndexOf('/', 154);
      pre = nm.slice(0, cut);
      nm = nm.slice(cut + 1);
      if (Buffer.byteLength(nm) > 100 || Buffer.byteLength(pre) > 155) throw new Error(`path too long for ustar: ${name}`);
    }
    h.write(nm, 0);
    h.write(mode.toString(8).padStart(7, '0'), 100);
    h.write('0000000', 108);
    h.write('0000000', 116);
    h.write(size.toString(8).padStart(11, '0'), 124);
    h.write('00000000000', 136);
    h.write('        ', 148);
    h.write(type, 156);
    h.write('ustar\u000000', 257);
    h.write('root', 265);
    h.write('root', 297);
    h.write(pre, 345);
    let sum = 0;
    for (const byte of h) sum += byte;
    h.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148);
    return h;
  };
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const rel = `${prefix}/${relative(root, p)}`;
      const st = statSync(p);
      if (st.isDirectory()) {
        blocks.push(header(rel + '/', 0, 0o755, '5'));
        walk(p);
      } else {
        const data = readFileSync(p);
        blocks.push(header(rel, data.length, st.mode & 0o111 ? 0o755 : 0o644, '0'), data);
        if (data.length % 512) blocks.push(Buffer.alloc(512 - (data.length % 512)));
      }
    }
  };
  blocks.push(header(prefix + '/', 0, 0o755, '5'));
  walk(root);
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/**
 * The license texts of everything inside the tarball: the packages bundled into
 * kexec-menu.js (from esbuild's list of inputs) and koffi, whose native packages carry none.
 */
function licenses(metafile) {
  const dirs = new Set([join(top, 'node_modules/koffi')]);
  for (const input of Object.keys(metafile.inputs)) {
    const m = [...input.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].pop();
    if (m) dirs.add(join(top, input.slice(0, m.index + m[0].length - 1)));
  }
  const own = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'COPYING'].map((f) => join(top, f)).find(existsSync);
  const parts = [`kexec-menu ${pkg.version} (${pkg.license})${own ? '\n\n' + readFileSync(own, 'utf8').trim() : ''}`];
  for (const dir of [...dirs].sort()) {
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    if (!meta.license) throw new Error(`${relative(top, dir)}: no license declared`);
    // A few small packages ship no license text: say what their package.json declares.
    const text = file
      ? readFileSync(join(dir, file), 'utf8').trim()
      : `(The package ships no license text; its package.json declares the ${meta.license} license${meta.author ? `, author ${typeof meta.author === 'string' ? meta.author : meta.author.name}` : ''}.)`;
    parts.push(`${meta.name} ${meta.version} (${meta.license})\n\n${text}`);
  }
  return parts.join('\n\n' + '='.repeat(78) + '\n\n') + '\n';
}

/**
 * Stages the release in `outDir` (dist/ of the checkout; the Buildroot package's default
 * source is dist/kexec-menu-<version>/) and writes its tarball there.
 */
export async function release({ updateHash = false, entry = undefined, outDir = join(top, 'dist') } = {}) {
  const name = `kexec-menu-${pkg.version}`;
  const final = join(outDir, name);
  // Built beside the previous tree and swapped in at the end: a failed bundle leaves the last
  // good release in place (scripts/image.sh and KEXEC_MENU_OVERRIDE_SRCDIR use it).
  const stage = `${final}.tmp`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const metafile = await bundle({ entry, outfile: join(stage, 'kexec-menu.js') });
  writeFileSync(join(stage, 'LICENSES.txt'), licenses(metafile));
  for (const cpu of Object.keys(KOFFI_TARGETS)) koffiPackage(cpu, stage);
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    main: 'kexec-menu.js',
    bin: { 'kexec-menu': 'kexec-menu.js' },
    engines: pkg.engines,
    // Everything else is inside kexec-menu.js; koffi's native binary is resolved from here.
    koffi: { version: koffiVersion, cpus: Object.keys(KOFFI_TARGETS) },
  };
  writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  const tarball = join(outDir, `${name}.tar.gz`);
  // gzip header mtime is 0 and OS byte fixed by zlib: same tree, same bytes.
  const gz = gzipSync(tarTree(stage, name), { level: 9 });
  rmSync(final, { recursive: true, force: true });
  renameSync(stage, final);
  writeFileSync(tarball, gz);
  const sha256 = createHash('sha256').update(gz).digest('hex');
  const hashText = hashFile(final, sha256);
  if (updateHash) writeFileSync(HASH_FILE, hashText);
  return { stage: final, tarball, sha256, bytes: gz.length, hashText };
}

export const HASH_FILE = join(top, 'buildroot-external/package/kexec-menu/kexec-menu.hash');

/** kexec-menu.hash as it must be for the tarball (sha256) of the staged tree `stage`. */
export function hashFile(stage, sha256) {
  const licenseHash = createHash('sha256').update(readFileSync(join(stage, 'LICENSES.txt'))).digest('hex');
  return `# Locally computed by \`npm run release -- --update-hash\`\nsha256  ${sha256}  kexec-menu-${pkg.version}.tar.gz\nsha256  ${licenseHash}  LICENSES.txt\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await release({ updateHash: process.argv.includes('--update-hash') });
  console.log(`${relative(top, r.tarball)}  ${(r.bytes / 1024).toFixed(0)} KiB  sha256 ${r.sha256}`);
  console.log(`staged tree: ${relative(top, r.stage)}`);
}
