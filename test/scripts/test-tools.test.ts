// scripts/test-tools.mjs (what `npm test` does first) and scripts/test.mjs's rule that a
// skipped test fails the run. dpkg-query and apt-get are replaced by small scripts here
// (KEXEC_MENU_DPKG_QUERY, KEXEC_MENU_APT_GET), so nothing is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const top = resolve(__dirname, '../../..');
const tools = pathToFileURL(join(top, 'scripts/test-tools.mjs')).href;
const listed = readFileSync(join(top, '.ci/apt-packages'), 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);

/** A fake dpkg-query that says every package is installed except those named in `missing`; a fake apt-get that logs its arguments and "installs" by emptying `missing`. */
function fakes(t: { after(fn: () => void): void }, missing: string[], { aptFails = false } = {}): { dir: string; env: NodeJS.ProcessEnv; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'test-tools-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missingFile = join(dir, 'missing');
  const log = join(dir, 'apt.log');
  writeFileSync(missingFile, missing.join('\n') + '\n');
  writeFileSync(
    join(dir, 'dpkg-query'),
    `#!/bin/sh\nshift 2\nfor p in "$@"; do grep -qx "$p" ${missingFile} || echo "$p installed"; done\n`,
  );
  writeFileSync(
    join(dir, 'apt-get'),
    `#!/bin/sh\necho "$*" >> ${log}\n${aptFails ? 'exit 100' : `case "$1" in install) : > ${missingFile};; esac`}\n`,
  );
  chmodSync(join(dir, 'dpkg-query'), 0o755);
  chmodSync(join(dir, 'apt-get'), 0o755);
  return { dir, log, env: { ...process.env, KEXEC_MENU_DPKG_QUERY: join(dir, 'dpkg-query'), KEXEC_MENU_APT_GET: join(dir, 'apt-get') } };
}

function ensure(env: NodeJS.ProcessEnv, isRoot: boolean): { ok: boolean; messages: string[] } {
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `import { ensureTestTools } from ${JSON.stringify(tools)}; const messages = []; const ok = ensureTestTools({ isRoot: ${isRoot}, log: (s) => messages.push(s) }); console.log(JSON.stringify({ ok, messages }));`],
    { encoding: 'utf8', env },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { ok: boolean; messages: string[] };
}

test('.ci/apt-packages lists the tools the tests run (and this machine has them all, as npm test made sure)', () => {
  for (const pkg of ['python3-kconfiglib', 'shellcheck', 'device-tree-compiler', 'grub-common', 'e2fsprogs', 'dosfstools', 'btrfs-progs', 'xfsprogs', 'f2fs-tools', 'squashfs-tools', 'xorriso', 'tmux', 'python3-passlib', 'util-linux', 'make']) {
    assert.ok(listed.includes(pkg), `${pkg} is in .ci/apt-packages`);
  }
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { listedPackages, missingPackages } from ${JSON.stringify(tools)}; console.log(JSON.stringify(missingPackages(listedPackages())));`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test('everything installed: true, and apt-get is never run', (t) => {
  const f = fakes(t, []);
  assert.deepEqual(ensure(f.env, true), { ok: true, messages: [] });
  assert.equal(existsSync(f.log), false, 'apt-get was not called');
});

test('not root, two packages missing: false, and one message naming them and the one command to run; apt-get is not run', (t) => {
  const f = fakes(t, ['tmux', 'shellcheck']);
  const r = ensure(f.env, false);
  assert.equal(r.ok, false);
  assert.equal(r.messages.length, 1);
  assert.match(r.messages[0]!, /2 Debian packages the tests need are not installed \(tmux shellcheck\); install them with: sudo node scripts\/test-tools\.mjs/);
  assert.equal(existsSync(f.log), false, 'apt-get was not called');
});

test('root, packages missing: one apt-get update, then apt-get install of exactly the missing ones', (t) => {
  const f = fakes(t, ['xorriso', 'f2fs-tools']);
  const r = ensure(f.env, true);
  assert.equal(r.ok, true, r.messages.join('\n'));
  assert.deepEqual(readFileSync(f.log, 'utf8').trim().split('\n'), ['update -qq', 'install -y -qq --no-install-recommends f2fs-tools xorriso']);
});

test('root, apt-get failing: false, with the packages it could not install', (t) => {
  const f = fakes(t, ['xorriso'], { aptFails: true });
  const r = ensure(f.env, true);
  assert.equal(r.ok, false);
  assert.match(r.messages.at(-1)!, /apt-get update failed .*xorriso/);
});

test('scripts/test.mjs: a test that skips fails the run and is listed with its reason; KEXEC_MENU_ALLOW_SKIPS=1 accepts it, still listed', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'test-mjs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.test.js'), `const { test } = require('node:test');\ntest('runs', () => {});\ntest('needs frobnicate', { skip: 'frobnicate is not installed' }, () => {});\n`);
  // Without NODE_TEST_CONTEXT, which would make the inner node --test run nothing.
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  const run = (extra: NodeJS.ProcessEnv) => spawnSync(process.execPath, [join(top, 'scripts/test.mjs'), dir], { cwd: top, encoding: 'utf8', env: { ...env, ...extra } });
  const strict = run({ KEXEC_MENU_ALLOW_SKIPS: '' });
  assert.equal(strict.status, 1, strict.stdout + strict.stderr);
  assert.match(strict.stderr, /1 test skipped, which fails the run/);
  assert.match(strict.stderr, /- needs frobnicate: frobnicate is not installed/);
  const allowed = run({ KEXEC_MENU_ALLOW_SKIPS: '1' });
  assert.equal(allowed.status, 0, allowed.stdout + allowed.stderr);
  assert.match(allowed.stderr, /- needs frobnicate: frobnicate is not installed/);
  writeFileSync(join(dir, 'a.test.js'), `const { test } = require('node:test');\ntest('runs', () => {});\n`);
  const clean = run({ KEXEC_MENU_ALLOW_SKIPS: '' });
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  assert.doesNotMatch(clean.stderr, /skipped/);
});

test('scripts/test.mjs: the Buildroot tests, named without BUILDROOT_DIR, stop with one sentence before any test runs', () => {
  const env = { ...process.env };
  delete env['BUILDROOT_DIR'];
  const r = spawnSync(process.execPath, [join(top, 'scripts/test.mjs'), 'test/buildroot/buildroot-tools.test.ts'], { cwd: top, encoding: 'utf8', env });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^test:buildroot: BUILDROOT_DIR is not set: point it at a Buildroot checkout/);
});
