#!/usr/bin/env node
// Runs every build/test/**/*.test.js (or those under the folders/files given) with node's
// own test runner. Helper modules beside the tests are not test files. The QEMU suite
// (build/test/vm) runs only when named, as `npm run test:vm` does: it needs minutes and images.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walk(p, out = []) {
  if (statSync(p).isDirectory()) {
    for (const name of readdirSync(p).sort()) walk(join(p, name), out);
  } else if (p.endsWith('.test.js')) out.push(p);
  return out;
}
const args = process.argv.slice(2);
const roots = args.length ? args.map((a) => a.replace(/^test\//, 'build/test/').replace(/\.ts$/, '.js')) : ['build/test'];
const files = roots.flatMap((r) => walk(r)).filter((f) => args.length > 0 || !f.startsWith('build/test/vm/'));
if (files.length === 0) {
  console.error('no test files found under ' + roots.join(', '));
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
