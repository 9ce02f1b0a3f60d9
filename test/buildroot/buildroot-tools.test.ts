// buildroot-external/ checked by Buildroot itself: needs a Buildroot checkout in
// BUILDROOT_DIR (a full clone is not part of this repository, and npm test cannot fetch one),
// so it is not part of `npm test`; it runs only as
//   BUILDROOT_DIR=~/buildroot npm run test:buildroot
// and fails (never skips) without BUILDROOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const top = resolve(__dirname, '../../..');
const buildroot = process.env['BUILDROOT_DIR'];
if (!buildroot) throw new Error('BUILDROOT_DIR is not set: these tests need a Buildroot checkout (npm run test:buildroot)');

test('every `depends on` of Buildroot\'s nodejs is repeated by BR2_PACKAGE_KEXEC_MENU', () => {
  const nodejs = readFileSync(join(buildroot!, 'package/nodejs/Config.in'), 'utf8');
  const block = /^config BR2_PACKAGE_NODEJS\n([\s\S]*?)\n(?=\S)/m.exec(nodejs)?.[1];
  assert.ok(block, 'config BR2_PACKAGE_NODEJS found in package/nodejs/Config.in');
  const deps = [...block.matchAll(/^\tdepends on (.+?)\s*(#.*)?$/gm)].map((m) => m[1]!);
  assert.ok(deps.length >= 5, `nodejs has its usual dependencies (${deps.join(', ')})`);
  const ours = readFileSync(join(top, 'buildroot-external/package/kexec-menu/Config.in'), 'utf8');
  for (const dep of deps) assert.match(ours, new RegExp(`^\\tdepends on ${dep.replace(/[!|&()]/g, '\\$&')}(\\s|$)`, 'm'), `missing: depends on ${dep}`);
});

/** The `depends on` lines of `config NAME` in a Kconfig text (comments after # dropped). */
function dependsOf(kconfig: string, name: string): string[] {
  const block = new RegExp(`^config ${name}\\n([\\s\\S]*?)\\n(?=\\S)`, 'm').exec(kconfig)?.[1];
  assert.ok(block, `config ${name} found`);
  return [...block.matchAll(/^\tdepends on (.+?)\s*(#.*)?$/gm)].map((m) => m[1]!);
}

test('BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS repeats every `depends on` of Buildroot\'s kexec, which it selects; the package itself has none of them', () => {
  const kexec = dependsOf(readFileSync(join(buildroot!, 'package/kexec/Config.in'), 'utf8'), 'BR2_PACKAGE_KEXEC');
  assert.ok(kexec.length >= 2, `kexec has its usual dependencies (${kexec.join(', ')})`);
  const ours = readFileSync(join(top, 'buildroot-external/package/kexec-menu/Config.in'), 'utf8');
  const option = dependsOf(ours, 'BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS');
  const pkg = dependsOf(ours, 'BR2_PACKAGE_KEXEC_MENU');
  for (const dep of kexec) {
    assert.ok(option.includes(dep), `BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS lacks: depends on ${dep}`);
    assert.ok(!pkg.includes(dep), `BR2_PACKAGE_KEXEC_MENU still depends on ${dep}, which only kexec-tools needs`);
  }
});

/** `make BR2_EXTERNAL=… defconfig` of a defconfig text, offline; the BR2_ lines of .config. */
function configOf(defconfig: string): Map<string, string> {
  const work = mkdtempSync(join(tmpdir(), 'kexec-menu-defconfig-'));
  try {
    writeFileSync(join(work, 'defconfig'), defconfig);
    const r = spawnSync('make', ['-s', '-C', buildroot!, `O=${join(work, 'out')}`, `BR2_EXTERNAL=${join(top, 'buildroot-external')}`, `BR2_DEFCONFIG=${join(work, 'defconfig')}`, 'defconfig'], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = new Map<string, string>();
    for (const line of readFileSync(join(work, 'out/.config'), 'utf8').split('\n')) {
      const set = /^(BR2_\w+)=(.*)$/.exec(line);
      if (set) out.set(set[1]!, set[2]!);
      const unset = /^# (BR2_\w+) is not set$/.exec(line);
      if (unset) out.set(unset[1]!, 'n');
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

test('.config of the aarch64 defconfig with and without BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS: the option adds kexec-tools and nothing else', { timeout: 600_000 }, () => {
  const defconfig = readFileSync(join(top, 'buildroot-external/configs/kexec_menu_qemu_aarch64_virt_defconfig'), 'utf8');
  const off = configOf(defconfig);
  const on = configOf(defconfig.replace(/^# BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS is not set$/m, 'BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS=y'));
  assert.equal(off.get('BR2_PACKAGE_KEXEC_MENU'), 'y');
  assert.equal(off.get('BR2_PACKAGE_NODEJS'), 'y');
  assert.equal(off.get('BR2_PACKAGE_KEXEC'), 'n', 'no kexec-tools by default');
  assert.equal(on.get('BR2_PACKAGE_KEXEC'), 'y', 'the option selects kexec-tools');
  const changed = [...new Set([...off.keys(), ...on.keys()])].filter((k) => off.get(k) !== on.get(k) && k !== 'BR2_DEFCONFIG').sort();
  assert.deepEqual(changed, ['BR2_PACKAGE_KEXEC', 'BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS', 'BR2_PACKAGE_KEXEC_ZLIB']);
  assert.equal(on.get('BR2_PACKAGE_KEXEC_ZLIB'), 'n', 'kexec-tools\' zlib option stays the board\'s choice');
  assert.equal(off.has('BR2_PACKAGE_KEXEC_ZLIB'), false, 'without kexec, its sub-option is not even shown');
});

test('kexec-menu no longer needs kernel headers >= 3.17 (kexec-tools does): with 3.10 headers the package stays and only the option is dropped', { timeout: 300_000 }, () => {
  // An external toolchain described, not downloaded: make defconfig reads only these symbols.
  const c = configOf([
    'BR2_aarch64=y',
    'BR2_TOOLCHAIN_EXTERNAL=y',
    'BR2_TOOLCHAIN_EXTERNAL_CUSTOM=y',
    'BR2_TOOLCHAIN_EXTERNAL_GCC_10=y',
    'BR2_TOOLCHAIN_EXTERNAL_HEADERS_3_10=y',
    'BR2_TOOLCHAIN_EXTERNAL_CUSTOM_GLIBC=y',
    'BR2_TOOLCHAIN_EXTERNAL_CXX=y',
    'BR2_PACKAGE_KEXEC_MENU=y',
    'BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS=y',
    '',
  ].join('\n'));
  assert.equal(c.get('BR2_TOOLCHAIN_HEADERS_AT_LEAST'), '"3.10"');
  assert.equal(c.get('BR2_PACKAGE_KEXEC_MENU'), 'y', 'the package is kept');
  assert.equal(c.get('BR2_PACKAGE_NODEJS'), 'y');
  assert.notEqual(c.get('BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS'), 'y', 'the option needs headers >= 3.17');
  assert.notEqual(c.get('BR2_PACKAGE_KEXEC'), 'y');
});

test('scripts/check-buildroot.sh: check-package, make <defconfig> keeps every line, show-info lists the packages, make kexec-menu installs the staged tree', { timeout: 900_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'check-buildroot-'));
  try {
    const r = spawnSync(join(top, 'scripts/check-buildroot.sh'), [work], { encoding: 'utf8', env: { ...process.env, BUILDROOT_DIR: buildroot } });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /check-buildroot: all checks passed/);
    assert.equal((r.stdout.match(/^ok: every line of kexec_menu_\w+_defconfig is in \.config$/gm) ?? []).length, 3);
    // kexec-tools is in the x86_64 image only (its defconfig turns the option on).
    assert.equal((r.stdout.match(/^ok: show-info lists kexec \(BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS=y\)$/gm) ?? []).length, 1);
    assert.equal((r.stdout.match(/^ok: show-info has no kexec \(BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS off\)$/gm) ?? []).length, 2);
    assert.equal((r.stdout.match(/^ok: kexec-menu's source is the staged tree .* \(local\)$/gm) ?? []).length, 3);
    assert.equal((r.stdout.match(/^ok: make kexec-menu synced the staged tree and installed/gm) ?? []).length, 3);
    if (process.arch === 'x64') assert.match(r.stdout, /^ok: the installed program \(this machine's node\) lists the sample entries$/m);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
