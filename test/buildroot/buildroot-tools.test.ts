// buildroot-external/ checked by Buildroot itself: needs a Buildroot checkout in
// BUILDROOT_DIR (a full clone is not part of this repository), and skips without one.
//   BUILDROOT_DIR=~/buildroot npm test
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const top = resolve(__dirname, '../../..');
const buildroot = process.env['BUILDROOT_DIR'];
const skip = buildroot ? false : 'BUILDROOT_DIR is not set: no Buildroot checkout to run check-package and make defconfig with';

test('every `depends on` of Buildroot\'s nodejs is repeated by BR2_PACKAGE_KEXEC_MENU', { skip }, () => {
  const nodejs = readFileSync(join(buildroot!, 'package/nodejs/Config.in'), 'utf8');
  const block = /^config BR2_PACKAGE_NODEJS\n([\s\S]*?)\n(?=\S)/m.exec(nodejs)?.[1];
  assert.ok(block, 'config BR2_PACKAGE_NODEJS found in package/nodejs/Config.in');
  const deps = [...block.matchAll(/^\tdepends on (.+?)\s*(#.*)?$/gm)].map((m) => m[1]!);
  assert.ok(deps.length >= 5, `nodejs has its usual dependencies (${deps.join(', ')})`);
  const ours = readFileSync(join(top, 'buildroot-external/package/kexec-menu/Config.in'), 'utf8');
  for (const dep of deps) assert.match(ours, new RegExp(`^\\tdepends on ${dep.replace(/[!|&()]/g, '\\$&')}(\\s|$)`, 'm'), `missing: depends on ${dep}`);
});

test('scripts/check-buildroot.sh: check-package, make <defconfig> keeps every line, show-info lists the packages', { skip, timeout: 600_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'check-buildroot-'));
  try {
    const r = spawnSync(join(top, 'scripts/check-buildroot.sh'), [work], { encoding: 'utf8', env: { ...process.env, BUILDROOT_DIR: buildroot } });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /check-buildroot: all checks passed/);
    assert.equal((r.stdout.match(/^ok: every line of kexec_menu_\w+_defconfig is in \.config$/gm) ?? []).length, 3);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('scripts/check-buildroot.sh without BUILDROOT_DIR says it skipped and exits 77', () => {
  const env = { ...process.env };
  delete env['BUILDROOT_DIR'];
  const r = spawnSync(join(top, 'scripts/check-buildroot.sh'), [], { encoding: 'utf8', env });
  assert.equal(r.status, 77);
  assert.match(r.stdout, /skipped: BUILDROOT_DIR is not set/);
});
