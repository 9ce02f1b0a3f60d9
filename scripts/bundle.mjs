#!/usr/bin/env node
// Bundles the program into one JavaScript file, dist/kexec-menu.js, for the image and the
// release tarball (scripts/release.mjs): Node 20+, CommonJS, no node_modules needed at run
// time except koffi's native binary package (@koromix/koffi-linux-<cpu>), which a bundle
// cannot hold. blessed needs three fixes to survive bundling (see the plugin below), and its
// terminfo files are copied beside the bundle into dist/blessed/usr/.
//
//   node scripts/bundle.mjs [--entry src/cli.ts] [--outfile dist/kexec-menu.js]
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

// blessed/lib/widget.js loads every widget with require('./widgets/' + name): esbuild cannot
// follow that, so the list is made static. tput.js and bigtext.js find their data files at
// __dirname + '/../usr/' (relative to lib/): in the bundle __dirname is the bundle's folder.
const blessedFixes = {
  name: 'blessed-fixes',
  setup(b) {
    b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/]widget\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const names = [...src.matchAll(/^\s+'([A-Za-z]+)',?$/gm)].map((m) => m[1]);
      if (names.length < 20) throw new Error(`blessed widget list not found in ${args.path}`);
      const dynamic = "widget[name] = widget[file] = require('./widgets/' + file);";
      if (!src.includes(dynamic)) throw new Error(`blessed's dynamic widget require changed in ${args.path}`);
      const table = `{${names.map((n) => `'${n.toLowerCase()}': () => require('./widgets/${n.toLowerCase()}')`).join(',\n')}}`;
      return {
        contents: src.replace(dynamic, `widget[name] = widget[file] = (${table})[file]();`),
        loader: 'js',
      };
    });
    b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/](tput|widgets[\\/]bigtext)\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const fixed = src.replace(/__dirname \+ '\/(\.\.\/)+usr\//g, `__dirname + '/${BLESSED_USR}/`);
      if (fixed === src) throw new Error(`no __dirname + '/../usr/' path found in ${args.path}`);
      return { contents: fixed, loader: 'js' };
    });
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
 * Builds the bundle and copies blessed's terminfo beside it. Returns the esbuild metafile's
 * list of inputs (for size reports).
 */
export async function bundle({ entry = join(top, 'src/cli.ts'), outfile = join(top, 'dist/kexec-menu.js') } = {}) {
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
    plugins: [blessedFixes, koffiCjs],
    metafile: true,
    logLevel: 'warning',
  });
  // Run as a command (/usr/bin/kexec-menu links to it): esbuild keeps the entry's #! line.
  const code = readFileSync(outfile, 'utf8');
  if (!code.startsWith('#!')) writeFileSync(outfile, '#!/usr/bin/env node\n' + code);
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
  const meta = await bundle({ entry: opt('--entry'), outfile });
  const bytes = meta.outputs[Object.keys(meta.outputs)[0]].bytes;
  console.log(`${outfile}: ${(bytes / 1024).toFixed(0)} KiB from ${Object.keys(meta.inputs).length} modules`);
}
