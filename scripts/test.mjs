#!/usr/bin/env node
// Runs every build/test/**/*.test.js (or those under the folders/files given) with node's
// own test runner. Helper modules beside the tests are not test files.
//
// First it makes sure this machine has every Debian package the tests use
// (scripts/test-tools.mjs: installed with apt-get as root, otherwise one message with the
// command to run), so no test can skip or pass for want of a tool. And a test that skips
// anyway (no root for loop devices, no network for Debian's kernels, ...) fails the run: every
// skip is listed with its reason at the end, and the exit status is 1. KEXEC_MENU_ALLOW_SKIPS=1
// accepts them (still listed).
//
// Not part of the default run, only when named:
//   build/test/vm/                          the QEMU suite (`npm run test:vm`: minutes, images)
//   build/test/buildroot/buildroot-tools.test.js
//                                           needs a Buildroot checkout in BUILDROOT_DIR
//                                           (`npm run test:buildroot`), which npm test cannot get
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestTools, skippedTests } from './test-tools.mjs';

export const BUILDROOT_TESTS = 'build/test/buildroot/buildroot-tools.test.js';

function walk(p, out = []) {
  if (statSync(p).isDirectory()) {
    for (const name of readdirSync(p).sort()) walk(join(p, name), out);
  } else if (p.endsWith('.test.js')) out.push(p);
  return out;
}

const args = process.argv.slice(2);
const roots = args.length ? args.map((a) => a.replace(/^test\//, 'build/test/').replace(/\.ts$/, '.js')) : ['build/test'];
const files = roots.flatMap((r) => walk(r)).filter((f) => args.length > 0 || (!f.startsWith('build/test/vm/') && f !== BUILDROOT_TESTS));
if (files.length === 0) {
  console.error('no test files found under ' + roots.join(', '));
  process.exit(1);
}
if (files.includes(BUILDROOT_TESTS) && !process.env.BUILDROOT_DIR) {
  console.error('test:buildroot: BUILDROOT_DIR is not set: point it at a Buildroot checkout (git clone https://gitlab.com/buildroot.org/buildroot.git), as in BUILDROOT_DIR=~/buildroot npm run test:buildroot.');
  process.exit(1);
}
if (!ensureTestTools()) process.exit(1);

const tapDir = mkdtempSync(join(tmpdir(), 'kexec-menu-test-'));
const tapFile = join(tapDir, 'results.tap');
let status;
try {
  const r = spawnSync(
    process.execPath,
    ['--test', '--test-concurrency=2', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files],
    { stdio: 'inherit' },
  );
  status = r.status ?? 1;
  let tap = '';
  try {
    tap = readFileSync(tapFile, 'utf8');
  } catch {
    // the runner died before writing it: its own status says so
  }
  const skipped = skippedTests(tap);
  if (skipped.length > 0) {
    const allowed = process.env.KEXEC_MENU_ALLOW_SKIPS === '1';
    console.error(`\n${skipped.length} test${skipped.length === 1 ? '' : 's'} skipped${allowed ? ' (KEXEC_MENU_ALLOW_SKIPS=1)' : ', which fails the run (KEXEC_MENU_ALLOW_SKIPS=1 accepts them)'}:`);
    for (const s of skipped) console.error(`  - ${s.name}: ${s.reason}`);
    if (!allowed && status === 0) status = 1;
  }
} finally {
  rmSync(tapDir, { recursive: true, force: true });
}
process.exit(status);
