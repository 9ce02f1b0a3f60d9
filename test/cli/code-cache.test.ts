// `kexec-menu code-cache` outside the bundle: there is no cache to write, and it says so.
// (On the bundle it is run by test/ui/tmux.test.ts, which then starts the menu on the cache,
// and by scripts/image.sh, whose cache test/vm/menu.test.ts sees used in the VM.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

test('code-cache from build/ (not the bundle) fails with one sentence and writes nothing', () => {
  const before = readdirSync('build/src');
  const r = spawnSync(process.execPath, ['build/src/cli.js', 'code-cache'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'kexec-menu code-cache: this is not the bundle (scripts/bundle.mjs makes it): there is no code cache to write.\n');
  assert.deepEqual(readdirSync('build/src'), before);
});

test('code-cache takes no arguments', () => {
  const r = spawnSync(process.execPath, ['build/src/cli.js', 'code-cache', 'extra'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unexpected argument 'extra'/);
});
