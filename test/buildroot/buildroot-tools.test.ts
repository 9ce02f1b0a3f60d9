// buildroot-external/ checked by Buildroot itself: needs a Buildroot checkout in
// BUILDROOT_DIR (a full clone is not part of this repository, and npm test cannot fetch one),
// so it is not part of `npm test`; it runs only as
//   BUILDROOT_DIR=~/buildroot npm run test:buildroot
// and fails (never skips) without BUILDROOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

test('scripts/check-buildroot.sh: check-package, make <defconfig> keeps every line, show-info lists the packages, make kexec-menu installs the staged tree', { timeout: 900_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'check-buildroot-'));
  try {
    const r = spawnSync(join(top, 'scripts/check-buildroot.sh'), [work], { encoding: 'utf8', env: { ...process.env, BUILDROOT_DIR: buildroot } });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /check-buildroot: all checks passed/);
    assert.equal((r.stdout.match(/^ok: every line of kexec_menu_\w+_defconfig is in \.config$/gm) ?? []).length, 3);
    assert.equal((r.stdout.match(/^ok: kexec-menu's source is the staged tree .* \(local\)$/gm) ?? []).length, 3);
    assert.equal((r.stdout.match(/^ok: make kexec-menu synced the staged tree and installed/gm) ?? []).length, 3);
    if (process.arch === 'x64') assert.match(r.stdout, /^ok: the installed program \(this machine's node\) lists the sample entries$/m);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
