// The BR2_EXTERNAL tree (buildroot-external/) checked without Buildroot: Kconfig syntax with
// kconfiglib (Debian's python3-kconfiglib), the defconfigs' own symbols, the .mk and .hash
// against the release script, the overlay's inittab as post-build.sh rewrites it, and the
// kernel fragments. What needs Buildroot's own tree is in buildroot-tools.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const top = resolve(__dirname, '../../..');
const ext = join(top, 'buildroot-external');
const board = join(ext, 'board/kexec-menu');
const overlay = join(board, 'rootfs-overlay');
const read = (p: string): string => readFileSync(join(ext, p), 'utf8');
const defconfigs = readdirSync(join(ext, 'configs')).filter((f) => f.endsWith('_defconfig'));
const project = JSON.parse(readFileSync(join(top, 'package.json'), 'utf8')) as { version: string };

/** `SYM=value` lines of a defconfig (and `# SYM is not set` as SYM=n). */
function defconfigLines(name: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of read(`configs/${name}`).split('\n')) {
    const unset = /^# (BR2_\w+) is not set$/.exec(line);
    if (unset) out.set(unset[1]!, 'n');
    const m = /^(BR2_\w+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Expands $(BR2_EXTERNAL_KEXEC_MENU_PATH) the way Buildroot does for string options. */
const expand = (value: string): string => value.replace(/^"|"$/g, '').replaceAll('$(BR2_EXTERNAL_KEXEC_MENU_PATH)', ext);

test('external.desc names the tree KEXEC_MENU, the name every $(BR2_EXTERNAL_KEXEC_MENU_PATH) relies on', () => {
  assert.match(read('external.desc'), /^name: KEXEC_MENU$/m);
  assert.match(read('Config.in'), /source "\$BR2_EXTERNAL_KEXEC_MENU_PATH\/package\/kexec-menu\/Config.in"/);
  assert.match(read('external.mk'), /\$\(BR2_EXTERNAL_KEXEC_MENU_PATH\)\/package\/\*\/\*\.mk/);
  assert.deepEqual(defconfigs.sort(), [
    'kexec_menu_qemu_aarch64_virt_defconfig',
    'kexec_menu_qemu_x86_64_defconfig',
    'kexec_menu_raspberrypi3_64_defconfig',
  ]);
});

// kconfiglib parses our Kconfig files and reports the symbols they define and their types;
// symbols Buildroot defines (BR2_x86_64, BR2_PACKAGE_NODEJS, ...) are undefined here, which
// kconfiglib accepts (their existence is checked against Buildroot in buildroot-tools.test.ts).
const KCONFIG_DUMP = `
import json, os, sys, kconfiglib
os.environ["BR2_EXTERNAL_KEXEC_MENU_PATH"] = sys.argv[1]
k = kconfiglib.Kconfig(os.path.join(sys.argv[1], "Config.in"), warn_to_stderr=False)
out = {}
for s in k.unique_defined_syms:
    out[s.name] = {
        "type": kconfiglib.TYPE_TO_STR[s.orig_type],
        "prompt": s.nodes[0].prompt[0] if s.nodes[0].prompt else None,
        "depends": kconfiglib.expr_str(s.direct_dep),
        "selects": [kconfiglib.expr_str(sel) for sel, cond in s.selects],
        "defaults": [kconfiglib.expr_str(val) for val, cond in s.defaults],
        "help": s.nodes[0].help,
    }
print(json.dumps({"syms": out, "undefined": sorted(n for n, s in k.syms.items() if not s.nodes)}))
`;

interface KSym {
  type: string;
  prompt: string | null;
  depends: string;
  selects: string[];
  defaults: string[];
  help: string | null;
}

function kconfig(dir: string): { syms: Record<string, KSym>; undefined: string[] } {
  const r = spawnSync('/usr/bin/python3', ['-c', KCONFIG_DUMP, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `kconfiglib failed on ${dir}/Config.in:\n${r.stderr}`);
  return JSON.parse(r.stdout) as { syms: Record<string, KSym>; undefined: string[] };
}

test('kconfiglib parses the Kconfig files; the package selects nodejs (repeating its dependencies), and kexec-tools only through its option', () => {
  const { syms } = kconfig(ext);
  const pkg = syms['BR2_PACKAGE_KEXEC_MENU'];
  assert.ok(pkg, 'BR2_PACKAGE_KEXEC_MENU is defined');
  assert.equal(pkg.type, 'bool');
  assert.deepEqual(pkg.selects, ['BR2_PACKAGE_NODEJS'], 'kexec-tools is not selected by the package itself');
  // nodejs's own `depends on` lines (package/nodejs/Config.in); a select ignores them.
  for (const dep of ['BR2_TOOLCHAIN_HAS_THREADS_NPTL', 'BR2_INSTALL_LIBSTDCPP', 'BR2_HOST_GCC_AT_LEAST_10', 'BR2_TOOLCHAIN_GCC_AT_LEAST_10', 'BR2_USE_WCHAR', 'BR2_USE_MMU', '!BR2_STATIC_LIBS']) {
    assert.ok(pkg.depends.includes(dep), `BR2_PACKAGE_KEXEC_MENU depends on ${dep} (has: ${pkg.depends})`);
  }
  // kexec-tools' own dependencies (memfd_create at build time, its architectures) are not the
  // program's: it makes its system calls by number through koffi, kexec_load exists since 2.6.13.
  for (const sym of ['BR2_PACKAGE_KEXEC_MENU', 'BR2_PACKAGE_KEXEC_MENU_ARCH_SUPPORTS']) {
    assert.doesNotMatch(syms[sym]!.depends, /BR2_TOOLCHAIN_HEADERS_AT_LEAST_3_17|BR2_PACKAGE_KEXEC_ARCH_SUPPORTS/, `${sym} no longer has kexec-tools' dependencies`);
  }
  const tools = syms['BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS'];
  assert.ok(tools, 'BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS is defined');
  assert.equal(tools.type, 'bool');
  assert.ok(tools.prompt, 'it is a visible option');
  assert.deepEqual(tools.selects, ['BR2_PACKAGE_KEXEC']);
  // package/kexec/Config.in's `depends on` lines, repeated because select does not follow them.
  for (const dep of ['BR2_PACKAGE_KEXEC_MENU', 'BR2_PACKAGE_KEXEC_ARCH_SUPPORTS', 'BR2_TOOLCHAIN_HEADERS_AT_LEAST_3_17']) {
    assert.ok(tools.depends.split(/\s*&&\s*/).includes(dep), `BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS depends on ${dep} (has: ${tools.depends})`);
  }
  assert.deepEqual(tools.defaults, [], 'off unless asked for (no default line)');
  // The help says which kernels need it: the formats docs/kexec.md leaves to kexec-tools.
  for (const format of ['uImage', 'ELF vmlinux', 'uncompressed Image', 'zImage', 'xz', 'lz4', 'CONFIG_KEXEC_FILE', 'kexec-menu boot --exec-loaded']) {
    assert.ok(tools.help?.includes(format), `the option's help mentions ${format}`);
  }
  const docs = readFileSync(join(top, 'docs/kexec.md'), 'utf8');
  for (const format of ['uImage', 'ELF vmlinux', 'xz/lz4/bzip2/lzma/lzo']) assert.ok(docs.includes(format), `docs/kexec.md still leaves ${format} to kexec-tools`);
  for (const [name, type] of [
    ['BR2_PACKAGE_KEXEC_MENU_CONSOLES', 'string'],
    ['BR2_PACKAGE_KEXEC_MENU_TERM', 'string'],
    ['BR2_PACKAGE_KEXEC_MENU_SETTINGS', 'string'],
  ] as const) {
    assert.equal(syms[name]?.type, type, `${name} is a ${type} option`);
    assert.ok(syms[name]?.depends.includes('BR2_PACKAGE_KEXEC_MENU'), `${name} shows only with the package`);
    assert.ok(syms[name]?.help, `${name} has help text`);
  }
});

test('kconfiglib reports a Kconfig syntax error (so the parse above is a real check)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kconfig-'));
  try {
    cpSync(ext, dir, { recursive: true });
    writeFileSync(join(dir, 'package/kexec-menu/Config.in'), 'config BR2_PACKAGE_KEXEC_MENU\n\tbool "x"\n\tdepends on (BR2_USE_MMU\n');
    const r = spawnSync('/usr/bin/python3', ['-c', KCONFIG_DUMP, dir], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /Config\.in:3/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every BR2_PACKAGE_KEXEC_MENU* line of the defconfigs names a symbol of our tree, with a value of its type', () => {
  const { syms } = kconfig(ext);
  for (const name of defconfigs) {
    const lines = defconfigLines(name);
    assert.equal(lines.get('BR2_PACKAGE_KEXEC_MENU'), 'y', `${name} enables the package`);
    for (const [sym, value] of lines) {
      if (!sym.startsWith('BR2_PACKAGE_KEXEC_MENU')) continue;
      const s = syms[sym];
      assert.ok(s, `${name}: ${sym} is not defined by buildroot-external/`);
      if (s.type === 'string') assert.match(value, /^".*"$/, `${name}: ${sym} is a quoted string`);
      if (s.type === 'bool') assert.match(value, /^[yn]$/, `${name}: ${sym} is y or n`);
    }
  }
});

test('each defconfig has what nodejs needs (C++ glibc toolchain), a gzip cpio initramfs, no login getty, the overlay and post-build script', () => {
  for (const name of defconfigs) {
    const l = defconfigLines(name);
    const cxx = l.get('BR2_TOOLCHAIN_BUILDROOT_CXX') === 'y' || l.get('BR2_TOOLCHAIN_EXTERNAL_BOOTLIN_AARCH64_GLIBC_STABLE') === 'y';
    assert.ok(cxx, `${name}: a toolchain with C++ (the qemu defconfigs have it off, and nodejs is then dropped)`);
    if (l.get('BR2_TOOLCHAIN_EXTERNAL') !== 'y') assert.equal(l.get('BR2_TOOLCHAIN_BUILDROOT_GLIBC'), 'y', `${name}: glibc (koffi's binaries)`);
    assert.equal(l.get('BR2_TARGET_ROOTFS_CPIO'), 'y', name);
    assert.equal(l.get('BR2_TARGET_ROOTFS_CPIO_GZIP'), 'y', name);
    assert.equal(l.get('BR2_TARGET_GENERIC_GETTY'), 'n', `${name}: no login getty`);
    assert.equal(expand(l.get('BR2_ROOTFS_OVERLAY') ?? ''), overlay, name);
    assert.equal(expand(l.get('BR2_ROOTFS_POST_BUILD_SCRIPT') ?? ''), join(board, 'post-build.sh'), name);
    for (const key of ['BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES', 'BR2_ROOTFS_POST_IMAGE_SCRIPT', 'BR2_PACKAGE_RPI_FIRMWARE_CONFIG_FILE', 'BR2_PACKAGE_RPI_FIRMWARE_CMDLINE_FILE']) {
      const v = l.get(key);
      if (v === undefined) continue;
      for (const file of expand(v).split(/\s+/)) {
        if (file.startsWith(ext)) assert.ok(existsSync(file), `${name}: ${key} names ${file}, which exists`);
      }
    }
    const fragments = expand(l.get('BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES') ?? '');
    assert.ok(fragments.includes(join(board, 'linux.fragment')), `${name} merges board/kexec-menu/linux.fragment`);
  }
});

test('the Raspberry Pi 3 defconfig boots its menu kernel with nr_cpus=1 and says why', () => {
  const l = defconfigLines('kexec_menu_raspberrypi3_64_defconfig');
  const cmdline = readFileSync(expand(l.get('BR2_PACKAGE_RPI_FIRMWARE_CMDLINE_FILE')!), 'utf8');
  assert.equal(cmdline.trim().split('\n').length, 1, 'cmdline.txt is one line');
  assert.match(cmdline, /(^|\s)nr_cpus=1(\s|$)/);
  assert.match(cmdline, /console=ttyAMA0/);
  assert.match(read('configs/kexec_menu_raspberrypi3_64_defconfig'), /^# .*PSCI.*$/m, 'the defconfig explains nr_cpus=1');
  const config = readFileSync(expand(l.get('BR2_PACKAGE_RPI_FIRMWARE_CONFIG_FILE')!), 'utf8');
  assert.match(config, /^initramfs rootfs\.cpio\.gz followkernel$/m, 'config.txt loads the initramfs');
  assert.match(config, /^arm_64bit=1$/m);
});

test('the kernel fragment enables kexec, inotify and every filesystem the menu reads, built in', () => {
  const fragment = readFileSync(join(board, 'linux.fragment'), 'utf8');
  const on = new Set([...fragment.matchAll(/^(CONFIG_\w+)=y$/gm)].map((m) => m[1]));
  for (const opt of ['KEXEC', 'KEXEC_FILE', 'INOTIFY_USER', 'DEVTMPFS', 'BLK_DEV_INITRD', 'RD_GZIP', 'EXT4_FS', 'VFAT_FS', 'NLS_CODEPAGE_437', 'NLS_ISO8859_1', 'EXFAT_FS', 'ISO9660_FS', 'BTRFS_FS', 'XFS_FS', 'F2FS_FS', 'SQUASHFS', 'NTFS3_FS', 'MSDOS_PARTITION', 'EFI_PARTITION']) {
    assert.ok(on.has(`CONFIG_${opt}`), `CONFIG_${opt}=y`);
  }
  assert.doesNotMatch(fragment, /^CONFIG_\w+=m$/m, 'nothing as a module: the menu must not depend on finding one');
  const mk = read('package/kexec-menu/kexec-menu.mk');
  for (const opt of ['CONFIG_KEXEC', 'CONFIG_INOTIFY_USER', 'CONFIG_DEVTMPFS']) assert.match(mk, new RegExp(`KCONFIG_ENABLE_OPT,${opt}\\)`), `the package enables ${opt}`);
  assert.match(mk, /\$\(if \$\(BR2_ARCH_IS_64\),\$\(call KCONFIG_ENABLE_OPT,CONFIG_KEXEC_FILE\)\)/, 'KEXEC_FILE only on 64-bit');
});

test('kexec-menu.mk follows the release: same version as package.json, one koffi binary per architecture from the tarball, hashes of tarball and licenses', () => {
  const mk = read('package/kexec-menu/kexec-menu.mk');
  const version = /^KEXEC_MENU_VERSION = (\S+)$/m.exec(mk)?.[1];
  const pkg = JSON.parse(readFileSync(join(top, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version, pkg.version);
  assert.match(mk, /^\$\(eval \$\(generic-package\)\)$/m);
  assert.match(mk, /^KEXEC_MENU_LICENSE_FILES = LICENSES\.txt$/m);
  // (The message that tells a user to run `npm run release` in the checkout is no npm run.)
  const code = mk.split('\n').filter((l) => !l.startsWith('#') && !/^\t+echo /.test(l)).join('\n');
  assert.doesNotMatch(code, /\$\(NPM\)|\bnpm\b|node-gyp/, 'no npm at build time');
  const hash = read('package/kexec-menu/kexec-menu.hash');
  assert.match(hash, new RegExp(`^sha256  [0-9a-f]{64}  kexec-menu-${version!.replaceAll('.', '\\.')}\\.tar\\.gz$`, 'm'));
  assert.match(hash, /^sha256  [0-9a-f]{64}  LICENSES\.txt$/m);

  // The architectures the .mk maps must be the ones the release ships, with the same folders.
  // (A child node reads the ES module: this test file is compiled to CommonJS.)
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { KOFFI_TARGETS } from ${JSON.stringify(pathToFileURL(join(top, 'scripts/release.mjs')).href)}; console.log(JSON.stringify(KOFFI_TARGETS));`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const release = { KOFFI_TARGETS: JSON.parse(r.stdout) as Record<string, { folders: string[] }> };
  const cpus = [...mk.matchAll(/^KEXEC_MENU_KOFFI_CPU = (\S+)$/gm)].map((m) => m[1]!);
  const abis = [...mk.matchAll(/^KEXEC_MENU_KOFFI_ABI = (\S+)$/gm)].map((m) => m[1]!);
  assert.deepEqual([...cpus].sort(), Object.keys(release.KOFFI_TARGETS).sort());
  cpus.forEach((cpu, i) => {
    const folders = release.KOFFI_TARGETS[cpu]!.folders;
    assert.ok(folders.includes(`linux_${abis[i]}`), `glibc folder linux_${abis[i]} is shipped for ${cpu}`);
  });
  const armMusl = release.KOFFI_TARGETS['arm']!.folders.some((f) => f.startsWith('musl_'));
  assert.equal(armMusl, false, 'no musl armhf binary: Config.in must keep arm to glibc');
  assert.match(read('package/kexec-menu/Config.in'), /BR2_TOOLCHAIN_USES_MUSL && !BR2_arm/);
});

interface PostBuildTarget {
  /** Puts an executable /usr/sbin/kexec into the target, as kexec-tools' package does. */
  readonly kexecTools?: boolean;
  /** Rewrites the overlay's /etc/inittab before the script runs. */
  readonly inittab?: (text: string) => string;
}

function runPostBuild(config: string, target: PostBuildTarget = {}): { status: number | null; stderr: string; inittab: string } {
  const dir = mkdtempSync(join(tmpdir(), 'post-build-'));
  try {
    cpSync(overlay, join(dir, 'target'), { recursive: true });
    if (target.kexecTools) {
      mkdirSync(join(dir, 'target/usr/sbin'), { recursive: true });
      writeFileSync(join(dir, 'target/usr/sbin/kexec'), '#!/bin/sh\n', { mode: 0o755 });
    }
    if (target.inittab) {
      const file = join(dir, 'target/etc/inittab');
      writeFileSync(file, target.inittab(readFileSync(file, 'utf8')));
    }
    writeFileSync(join(dir, '.config'), config);
    const r = spawnSync(join(board, 'post-build.sh'), [join(dir, 'target')], { encoding: 'utf8', env: { ...process.env, BR2_CONFIG: join(dir, '.config') } });
    return { status: r.status, stderr: r.stderr, inittab: readFileSync(join(dir, 'target/etc/inittab'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The process fields of inittab's non-comment restart actions. */
const restartLines = (inittab: string): string[] => inittab.split('\n').filter((l) => !l.startsWith('#') && l.split(':')[2] === 'restart');

test('post-build.sh writes one respawning menu per console port, with the TERM option, and nothing else there', () => {
  const r = runPostBuild('BR2_PACKAGE_KEXEC_MENU_CONSOLES="ttyS0:115200 tty1"\nBR2_PACKAGE_KEXEC_MENU_TERM="linux"\n');
  assert.equal(r.status, 0, r.stderr);
  const gettys = r.inittab.split('\n').filter((l) => /^[^#].*getty/.test(l));
  assert.deepEqual(gettys, [
    'ttyS0::respawn:/sbin/getty -n -l /usr/sbin/kexec-menu-console -L ttyS0 115200 linux',
    'tty1::respawn:/sbin/getty -n -l /usr/sbin/kexec-menu-console -L tty1 0 linux',
  ]);
  assert.deepEqual(restartLines(r.inittab), ['null::restart:/usr/bin/kexec-menu boot --exec-loaded'], 'the init hand-over line, without kexec-tools in the target');
  assert.match(r.inittab, /^::sysinit:\/usr\/libexec\/kexec-menu\/sysinit$/m);
});

test('post-build.sh defaults to the kernel console and vt100, and refuses a malformed port', () => {
  const d = runPostBuild('BR2_PACKAGE_KEXEC_MENU=y\n');
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.inittab, /^console::respawn:\/sbin\/getty -n -l \/usr\/sbin\/kexec-menu-console -L console 0 vt100$/m);
  const bad = runPostBuild('BR2_PACKAGE_KEXEC_MENU_CONSOLES="ttyS0:fast"\n');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /bad baud rate in 'ttyS0:fast'/);
});

test('post-build.sh keeps kexec-tools\' restart line when /usr/sbin/kexec is in the target, and gives kexec-menu\'s own otherwise', () => {
  // The overlay is written for kexec-tools; the script fits it to the target.
  assert.deepEqual(restartLines(readFileSync(join(overlay, 'etc/inittab'), 'utf8')), ['null::restart:/usr/sbin/kexec -f -e']);
  const withTools = runPostBuild('BR2_PACKAGE_KEXEC_MENU=y\nBR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS=y\nBR2_PACKAGE_KEXEC=y\n', { kexecTools: true });
  assert.equal(withTools.status, 0, withTools.stderr);
  assert.deepEqual(restartLines(withTools.inittab), ['null::restart:/usr/sbin/kexec -f -e']);
  const without = runPostBuild('BR2_PACKAGE_KEXEC_MENU=y\n');
  assert.equal(without.status, 0, without.stderr);
  assert.deepEqual(restartLines(without.inittab), ['null::restart:/usr/bin/kexec-menu boot --exec-loaded']);
  assert.doesNotMatch(without.inittab.split('\n').filter((l) => !l.startsWith('#')).join('\n'), /\/usr\/sbin\/kexec(\s|$)/m, 'nothing but comments names the missing program');
  // The line src/cli/boot.ts takes: `boot --exec-loaded`, the link kexec-menu.mk installs.
  assert.match(read('package/kexec-menu/kexec-menu.mk'), /ln -sf \.\.\/lib\/kexec-menu\/kexec-menu\.js \$\(TARGET_DIR\)\/usr\/bin\/kexec-menu$/m);
  assert.match(readFileSync(join(top, 'src/cli/boot.ts'), 'utf8'), /'exec-loaded': \{\}/);
  // Another kexec-tools restart line of a board's own overlay is rewritten the same way.
  const own = runPostBuild('BR2_PACKAGE_KEXEC_MENU=y\n', { inittab: (t) => t.replace(/^null::restart:.*$/m, '::restart:/usr/sbin/kexec -e') });
  assert.equal(own.status, 0, own.stderr);
  assert.deepEqual(restartLines(own.inittab), ['::restart:/usr/bin/kexec-menu boot --exec-loaded']);
});

test('post-build.sh refuses an inittab whose restart action would run a kexec the target lacks, or that has no restart action', () => {
  const other = runPostBuild('BR2_PACKAGE_KEXEC_MENU=y\n', { inittab: (t) => t.replace(/^null::restart:.*$/m, '::restart:/sbin/kexec -e') });
  assert.notEqual(other.status, 0);
  assert.match(other.stderr, /restart action runs kexec, which .* lacks \(kexec-tools: BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS\)/);
  const none = runPostBuild('BR2_PACKAGE_KEXEC_MENU=y\n', { kexecTools: true, inittab: (t) => t.replace(/^null::restart:.*\n/m, '') });
  assert.notEqual(none.status, 0);
  assert.match(none.stderr, /has no restart action to start the loaded kernel/);
});

test('the defconfigs choose kexec-tools per board: off on arm64 (the native kexec_load), on for x86_64 (no kexec_load of kexec-menu\'s own)', () => {
  for (const name of ['kexec_menu_qemu_aarch64_virt_defconfig', 'kexec_menu_raspberrypi3_64_defconfig']) {
    const l = defconfigLines(name);
    assert.equal(l.get('BR2_aarch64'), 'y', name);
    assert.equal(l.get('BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS'), 'n', `${name}: no kexec-tools`);
    const kexec = [...l.keys()].filter((k) => k === 'BR2_PACKAGE_KEXEC' || k.startsWith('BR2_PACKAGE_KEXEC_') && !k.startsWith('BR2_PACKAGE_KEXEC_MENU'));
    assert.deepEqual(kexec, [], `${name}: no kexec-tools option (it would be dropped without kexec)`);
  }
  const x86 = defconfigLines('kexec_menu_qemu_x86_64_defconfig');
  assert.equal(x86.get('BR2_x86_64'), 'y');
  assert.equal(x86.get('BR2_PACKAGE_KEXEC_MENU_KEXEC_TOOLS'), 'y');
  assert.equal(x86.get('BR2_PACKAGE_KEXEC_ZLIB'), 'y');
});

test('the overlay marks the image (the guard of the kexec/reboot system calls) and its scripts are executable', () => {
  assert.ok(statSync(join(overlay, 'etc/kexec-menu/image')).isFile());
  for (const script of ['usr/sbin/kexec-menu-console', 'usr/libexec/kexec-menu/sysinit']) {
    assert.ok(statSync(join(overlay, script)).mode & 0o111, `${script} is executable`);
  }
  for (const script of ['post-build.sh', 'raspberrypi3-64/post-image.sh']) assert.ok(statSync(join(board, script)).mode & 0o111, script);
  assert.match(readFileSync(join(overlay, 'usr/sbin/kexec-menu-console'), 'utf8'), /kexec-menu menu --config \/etc\/kexec-menu\/config\.yaml --consoles \/run\/kexec-menu\/consoles$/m);
});

test('the shell scripts pass shellcheck', () => {
  const scripts = [
    join(board, 'post-build.sh'),
    join(board, 'raspberrypi3-64/post-image.sh'),
    join(overlay, 'usr/sbin/kexec-menu-console'),
    join(overlay, 'usr/libexec/kexec-menu/sysinit'),
    join(top, 'scripts/check-buildroot.sh'),
  ];
  const r = spawnSync('shellcheck', ['-s', 'sh', ...scripts.filter((s) => !s.endsWith('check-buildroot.sh'))], { encoding: 'utf8' });
  assert.equal(r.error, undefined, 'shellcheck is installed (.ci/apt-packages)');
  assert.equal(r.status, 0, r.stdout);
  const b = spawnSync('shellcheck', ['-s', 'bash', join(top, 'scripts/check-buildroot.sh')], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stdout);
});

test('node gets no V8 flags, neither from the console launcher nor where the code cache is written: any V8 flag makes node reject its built-in code cache, and ours', () => {
  // The launcher's environment, as its export lines leave it for the menu.
  const launcher = join(overlay, 'usr/sbin/kexec-menu-console');
  const exports = readFileSync(launcher, 'utf8').split('\n').filter((l) => l.startsWith('export '));
  const launched = spawnSync('sh', ['-c', `unset NODE_OPTIONS MALLOC_ARENA_MAX; ${exports.join('; ')}; printf '%s|%s' "\${NODE_OPTIONS-unset}" "$MALLOC_ARENA_MAX"`], { encoding: 'utf8' });
  assert.equal(launched.stdout, 'unset|1', 'NODE_OPTIONS unset, one malloc arena');
  // The menu is started as the command itself, not through node with options.
  assert.match(readFileSync(launcher, 'utf8'), /^\/usr\/bin\/kexec-menu menu /m);
  // kexec-menu.mk's hook as make reads it (printed, not run; the rest of the .mk needs Buildroot).
  const mk = spawnSync('make', ['-s', '-f', join(ext, 'package/kexec-menu/kexec-menu.mk'), '-f', '-', 'print', `BR2_EXTERNAL_KEXEC_MENU_PATH=${ext}`], {
    input: '$(info $(value KEXEC_MENU_WRITE_CODE_CACHE))\nprint:\n\t@:\n',
    encoding: 'utf8',
  });
  assert.equal(mk.status, 0, mk.stderr);
  assert.match(mk.stdout, /NODE_OPTIONS= .*\/usr\/bin\/node .*\/kexec-menu\.js code-cache$/m, 'kexec-menu.mk runs code-cache with NODE_OPTIONS empty');
  // image.sh: every code-cache run clears NODE_OPTIONS.
  const runs = readFileSync(join(top, 'scripts/image.sh'), 'utf8').split('\n').filter((l) => l.includes('kexec-menu.js" code-cache'));
  assert.equal(runs.length, 2, 'image.sh writes the cache with this machine\'s node or under qemu-<cpu>');
  for (const line of runs) assert.match(line, /^\s*env -u NODE_OPTIONS /, line);
});

/** Variables of kexec-menu.mk as make reads it outside Buildroot (generic-package is undefined here). */
function mkVars(names: string[], vars: string[] = []): Record<string, string> {
  const r = spawnSync('make', ['-s', '-f', join(ext, 'package/kexec-menu/kexec-menu.mk'), '-f', '-', 'print', `BR2_EXTERNAL_KEXEC_MENU_PATH=${ext}`, 'qstrip=$(strip $(subst ",,$(1)))', ...vars], {
    input: names.map((n) => `$(info ${n}=$(${n}))`).join('\n') + '\nprint:\n\t@:\n',
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

test('the package builds from this checkout by default: its source is the staged dist/kexec-menu-<version>/ (local, no download); BR2_PACKAGE_KEXEC_MENU_SITE downloads a published release instead', () => {
  const names = ['KEXEC_MENU_SITE', 'KEXEC_MENU_SITE_METHOD', 'KEXEC_MENU_SOURCE'];
  assert.deepEqual(mkVars(names), { KEXEC_MENU_SITE: join(top, `dist/kexec-menu-${project.version}`), KEXEC_MENU_SITE_METHOD: 'local', KEXEC_MENU_SOURCE: '' });
  const url = `https://example.org/kexec-menu/releases/download/v${project.version}`;
  assert.deepEqual(mkVars(names, [`BR2_PACKAGE_KEXEC_MENU_SITE="${url}"`]), { KEXEC_MENU_SITE: url, KEXEC_MENU_SITE_METHOD: '', KEXEC_MENU_SOURCE: '' });
  // Buildroot's default name for the download, <pkg>-<version>.tar.gz, is what release.mjs writes.
  assert.match(read('package/kexec-menu/kexec-menu.hash'), new RegExp(`  kexec-menu-${project.version.replaceAll('.', '\\.')}\\.tar\\.gz$`, 'm'));
  const { syms } = kconfig(ext);
  assert.equal(syms['BR2_PACKAGE_KEXEC_MENU_SITE']?.type, 'string');
  assert.ok(syms['BR2_PACKAGE_KEXEC_MENU_SITE']?.depends.includes('BR2_PACKAGE_KEXEC_MENU'));
  for (const name of defconfigs) assert.equal(defconfigLines(name).has('BR2_PACKAGE_KEXEC_MENU_SITE'), false, `${name} keeps the default (the staged tree)`);
});

test('without a staged tree, the rsync step stops with the command to run (the check kexec-menu.mk runs before rsync)', () => {
  const missing = join(tmpdir(), `no-such-kexec-menu-${process.pid}`);
  const r = spawnSync('make', ['-s', '-f', join(ext, 'package/kexec-menu/kexec-menu.mk'), '-f', '-', 'check', `BR2_EXTERNAL_KEXEC_MENU_PATH=${ext}`, 'qstrip=$(strip $(subst ",,$(1)))', `KEXEC_MENU_SITE=${missing}`], {
    input: 'check:\n\t$(KEXEC_MENU_CHECK_STAGED_TREE)\n',
    encoding: 'utf8',
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, new RegExp(`kexec-menu: ${missing} is missing: run 'npm ci && npm run release' in kexec-menu's checkout, or set BR2_PACKAGE_KEXEC_MENU_SITE to a published release`));
  assert.match(read('package/kexec-menu/kexec-menu.mk'), /^KEXEC_MENU_PRE_RSYNC_HOOKS \+= KEXEC_MENU_CHECK_STAGED_TREE$/m);
  const dir = mkdtempSync(join(tmpdir(), 'staged-'));
  try {
    writeFileSync(join(dir, 'kexec-menu.js'), '');
    const ok = spawnSync('make', ['-s', '-f', join(ext, 'package/kexec-menu/kexec-menu.mk'), '-f', '-', 'check', `BR2_EXTERNAL_KEXEC_MENU_PATH=${ext}`, `KEXEC_MENU_SITE=${dir}`], { input: 'check:\n\t$(KEXEC_MENU_CHECK_STAGED_TREE)\n', encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kexec-menu.hash is what `npm run release -- --update-hash` writes for this checkout: the release is rebuilt here and its tarball and LICENSES.txt hashed', () => {
  const out = mkdtempSync(join(tmpdir(), 'release-'));
  try {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { release } from ${JSON.stringify(pathToFileURL(join(top, 'scripts/release.mjs')).href)}; const r = await release({ outDir: ${JSON.stringify(out)} }); console.log(JSON.stringify(r));`], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const rebuilt = JSON.parse(r.stdout) as { tarball: string; sha256: string; hashText: string };
    assert.equal(rebuilt.tarball, join(out, `kexec-menu-${project.version}.tar.gz`));
    assert.ok(existsSync(rebuilt.tarball));
    assert.equal(read('package/kexec-menu/kexec-menu.hash'), rebuilt.hashText, 'the release changed since kexec-menu.hash was written: run `npm run release -- --update-hash`');
    assert.match(rebuilt.hashText, new RegExp(`^sha256  ${rebuilt.sha256}  kexec-menu-`, 'm'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('scripts/check-buildroot.sh without BUILDROOT_DIR fails with one sentence (exit 2), never a skip', () => {
  const env = { ...process.env };
  delete env['BUILDROOT_DIR'];
  const r = spawnSync(join(top, 'scripts/check-buildroot.sh'), [], { encoding: 'utf8', env });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'check-buildroot: BUILDROOT_DIR is not set: point it at a Buildroot checkout (git clone https://gitlab.com/buildroot.org/buildroot.git)\n');
});
