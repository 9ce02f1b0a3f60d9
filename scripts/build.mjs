#!/usr/bin/env node
// Transpiles src/, test/ and bench/ to build/ one file per module (no bundling, no type check:
// `npm run typecheck` does that). Fast enough to run before every test run.
// The shipped single-file bundle is made by scripts/bundle.mjs.
import { build } from 'esbuild';
import { readdirSync, statSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir, out = []) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'fixtures') walk(p, out); }
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function walkJs(dir, out = []) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walkJs(p, out);
    else if (p.endsWith('.js')) out.push(p);
  }
  return out;
}

const entryPoints = ['src', 'test', 'bench'].flatMap((d) => walk(d));
// Drop outputs whose source is gone (not the whole folder: a test run may be reading it).
for (const out of walkJs('build')) {
  const src = out.slice('build/'.length).replace(/\.js$/, '.ts');
  if (!existsSync(src)) rmSync(out, { force: true });
}
await build({
  entryPoints,
  outdir: 'build',
  outbase: '.',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Keep `import('./cli/x')` a require(): node's native import() cannot find extensionless CommonJS paths.
  supported: { 'dynamic-import': false },
  sourcemap: 'inline',
  logLevel: 'warning',
});
