#!/usr/bin/env node
// Bundles the program into one JavaScript file, dist/kexec-menu.js, for the image and the
// release tarball (scripts/release.mjs): Node 20+, CommonJS, no node_modules needed at run
// time except koffi's native binary package (@koromix/koffi-linux-<cpu>), which a bundle
// cannot hold. blessed needs three fixes to survive bundling (see the plugin below), and its
// terminfo files are copied beside the bundle into dist/blessed/usr/.
//
//   node scripts/bundle.mjs [--entry src/cli.ts] [--outfile dist/kexec-menu.js] [--no-code-cache]
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const top = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The terminfo/termcap files blessed falls back to when the system has none. */
export const BLESSED_TERMINFO = ['xterm', 'xterm-256color', 'linux', 'windows-ansi', 'xterm.termcap'];

/**
 * Compiled terminfo entries blessed lacks, taken from the build host's ncurses database: on
 * an image without one, blessed looks for $TERM in its own folder before falling back to
 * xterm, so TERM=vt100 on a serial console gets vt100's sequences.
 */
export const HOST_TERMINFO = ['vt100', 'vt102', 'vt220'];
const HOST_TERMINFO_DIRS = ['/lib/terminfo', '/usr/share/terminfo', '/etc/terminfo'];

/** Folder, relative to the bundle, that holds blessed's own terminfo files. */
export const BLESSED_USR = 'blessed/usr';

// blessed's index (lib/blessed.js) loads every widget module, with a require() esbuild
// cannot follow: it must stay out of the bundle (checked after the build). unicode.js
// requires the index for one thing, screen.global, when it measures a tab: it gets the
// screen module instead. tput.js finds its terminfo files at __dirname + '/../usr/'
// (relative to lib/): in the bundle __dirname is the bundle's folder.
const blessedFixes = {
  name: 'blessed-fixes',
  setup(b) {
    b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/]unicode\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const index = "exports.blessed = require('../');";
      if (!src.includes(index)) throw new Error(`unicode.js no longer requires blessed's index as expected: ${args.path}`);
      return { contents: src.replace(index, "exports.blessed = { screen: require('./widgets/screen') };"), loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/]tput\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const fixed = src.replace(/__dirname \+ '\/(\.\.\/)+usr\//g, `__dirname + '/${BLESSED_USR}/`);
      if (fixed === src) throw new Error(`no __dirname + '/../usr/' path found in ${args.path}`);
      return { contents: fixed, loader: 'js' };
    });
  },
};

// The two blessed-contrib widgets the menu opens (log, gauge) and the canvas under the gauge
// require blessed's index, which brings all 40 widget modules (terminal, images with a PNG
// decoder, video...) into the bundle, and drawille's canvas requires all of gl-matrix for
// its 2-D transforms. Neither runs at start-up, but V8 parses the whole bundle at every
// start: they get the blessed widgets they name (Node, Box, List) and gl-matrix's mat2d and
// vec2 modules. The check below fails the bundle if they start naming anything else.
const CONTRIB_BLESSED = ['Node', 'Box', 'List'];
const contribSubset = {
  name: 'blessed-contrib-subset',
  setup(b) {
    b.onResolve({ filter: /^blessed$/ }, (args) => (/[\\/]blessed-contrib[\\/]lib[\\/]widget[\\/]/.test(args.importer) ? { path: 'blessed', namespace: 'contrib-blessed' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'contrib-blessed' }, () => ({
      contents: `module.exports = {${CONTRIB_BLESSED.map((n) => `${n}: require('blessed/lib/widgets/${n.toLowerCase()}')`).join(', ')}};`,
      resolveDir: top,
      loader: 'js',
    }));
    b.onLoad({ filter: /[\\/]blessed-contrib[\\/]lib[\\/]widget[\\/](log|gauge|canvas)\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const used = [...src.matchAll(/\bblessed\.([A-Za-z]+)/g)].map((m) => m[1]);
      const missing = used.filter((n) => !CONTRIB_BLESSED.includes(n));
      if (missing.length) throw new Error(`${args.path} uses blessed.${missing.join(', blessed.')}: add to CONTRIB_BLESSED`);
      return { contents: src, loader: 'js' };
    });
    b.onResolve({ filter: /^gl-matrix$/ }, () => ({ path: 'gl-matrix', namespace: 'gl-matrix-2d' }));
    b.onLoad({ filter: /.*/, namespace: 'gl-matrix-2d' }, () => ({
      contents: "export * as mat2d from 'gl-matrix/lib/gl-matrix/mat2d.js';\nexport * as vec2 from 'gl-matrix/lib/gl-matrix/vec2.js';",
      resolveDir: top,
      loader: 'js',
    }));
  },
};

// koffi's ESM entry (picked for `import` statements) uses import.meta, which is empty in a
// CommonJS bundle; its CommonJS entry finds the native package with require().
const koffiCjs = {
  name: 'koffi-cjs',
  setup(b) {
    b.onResolve({ filter: /^koffi$/ }, () => ({ path: join(top, 'node_modules/koffi/index.cjs') }));
  },
};

/** The host's compiled entry for `name`, in the legacy format blessed parses (magic 0432). */
function hostTerminfo(name) {
  for (const dir of HOST_TERMINFO_DIRS) {
    const file = join(dir, name[0], name);
    if (!existsSync(file)) continue;
    const magic = readFileSync(file).readUInt16LE(0);
    if (magic !== 0o432) throw new Error(`${file}: terminfo magic ${magic.toString(8)}, blessed reads only 432`);
    return file;
  }
  throw new Error(`no terminfo entry for ${name} in ${HOST_TERMINFO_DIRS.join(', ')} (Debian: ncurses-base)`);
}

/**
 * The bundle's first lines: the program (esbuild's output) is a string that they compile with
 * node:vm, giving V8 the code cache saved beside the bundle for this node version and
 * architecture; src/cli/code-cache-state.ts is what the program sees of it, `kexec-menu code-cache`
 * writes the file. Without a cache, or with one V8 rejects (another node, other V8 flags),
 * the program is compiled from source as before. The program runs with this module's
 * exports, require, module, __filename and __dirname, as if it were this file.
 */
function withCodeCache(program) {
  // The program is stored already wrapped as a CommonJS module (what Module.wrap would make
  // of it), so V8 compiles this very string: no copy of 600 KiB made at start. Nothing the
  // program keeps refers to these lines (src/cli/code-cache-state.ts writes the cache from the
  // vm.Script), so this file's own text, which holds a second copy, can be collected.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${program}\n});`;
  return `var PROGRAM = ${JSON.stringify(wrapped)};
(function () {
  'use strict';
  var fs = require('fs');
  var vm = require('vm');
  var file = __filename + '.' + process.version + '-' + process.arch + '.v8cache';
  var cachedData;
  try { cachedData = fs.readFileSync(file); } catch (e) { cachedData = undefined; }
  var script = new vm.Script(PROGRAM, { filename: __filename, cachedData: cachedData });
  globalThis[Symbol.for('kexec-menu.code-cache')] = {
    file: file,
    state: cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used',
    script: script,
  };
  script.runInThisContext()(exports, require, module, __filename, __dirname);
})();
`;
}

/**
 * Builds the bundle and copies blessed's terminfo beside it. Returns the esbuild metafile's
 * list of inputs (for size reports). `codeCache: false` leaves out withCodeCache's first lines (bench/snapshot.ts: a V8 snapshot
 * builder runs the file without a module around it).
 */
export async function bundle({ entry = join(top, 'src/cli.ts'), outfile = join(top, 'dist/kexec-menu.js'), codeCache = true } = {}) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    absWorkingDir: top,
    nodePaths: [join(top, 'node_modules')],
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // keepNames: blessed and our error messages read constructor/function names.
    minify: true,
    keepNames: true,
    legalComments: 'eof',
    // term.js and pty.js are optional dependencies of blessed's Terminal widget (unused);
    // koffi's native binary packages are resolved at run time from node_modules beside the
    // bundle (release tarball) or above it (this checkout).
    external: ['term.js', 'pty.js', '@koromix/*'],
    plugins: [blessedFixes, contribSubset, koffiCjs],
    metafile: true,
    logLevel: 'warning',
  });
  const index = Object.entries(result.metafile.inputs).filter(([, v]) => v.imports.some((i) => /blessed[\\/]lib[\\/]blessed\.js$/.test(i.path)));
  if (index.length) throw new Error(`blessed's index is in the bundle, imported by ${index.map(([p]) => p).join(', ')}: require the widget modules themselves`);
  // Run as a command (/usr/bin/kexec-menu links to it).
  const code = readFileSync(outfile, 'utf8').replace(/^#!.*\n/, '');
  writeFileSync(outfile, '#!/usr/bin/env node\n' + (codeCache ? withCodeCache(code) : code));
  chmodSync(outfile, 0o755);
  const usr = join(dirname(outfile), BLESSED_USR);
  mkdirSync(usr, { recursive: true });
  for (const name of BLESSED_TERMINFO) copyFileSync(join(top, 'node_modules/blessed/usr', name), join(usr, name));
  for (const name of HOST_TERMINFO) copyFileSync(hostTerminfo(name), join(usr, name));
  return result.metafile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : resolve(args[i + 1]);
  };
  const outfile = opt('--outfile') ?? join(top, 'dist/kexec-menu.js');
  const meta = await bundle({ entry: opt('--entry'), outfile, codeCache: !args.includes('--no-code-cache') });
  const bytes = meta.outputs[Object.keys(meta.outputs)[0]].bytes;
  console.log(`${outfile}: ${(bytes / 1024).toFixed(0)} KiB from ${Object.keys(meta.inputs).length} modules`);
}
