// scripts/debian-packages.sh, which every test with a real Debian kernel goes through: on a
// fresh machine several test processes call it at once (a CI run once failed when one of
// them removed a tree another was still unpacking), and a cache left damaged is mended.
// Uses Debian's small `hello` package in a cache of its own; without network it skips.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './debian';

const SCRIPT = join(REPO, 'scripts/debian-packages.sh');
const ARCH = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim();
let cache: string;
before(() => {
  cache = mkdtempSync(join(tmpdir(), 'kexec-debian-cache-'));
});
after(() => rmSync(cache, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runScript(): Promise<Run> {
  return new Promise((resolvePromise) => {
    const child = spawn(SCRIPT, [ARCH, 'hello'], { env: { ...process.env, KEXEC_MENU_DEBIAN_CACHE: cache } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}

/** Size and path of every regular file the .deb holds, as `dpkg-deb -c` lists them. */
function debFiles(deb: string): Map<string, number> {
  const out = spawnSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' }).stdout;
  const files = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^-\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\.\/(.+)$/.exec(line);
    if (m) files.set(m[2]!, Number(m[1]));
  }
  return files;
}

function assertWhole(root: string, files: Map<string, number>): void {
  assert.ok(files.size > 0, 'the package holds files');
  for (const [path, size] of files) assert.equal(statSync(join(root, path)).size, size, path);
}

test('three callers at once all get the same whole tree; a removed file and a truncated .deb are mended', { timeout: 300_000 }, async (t) => {
  const runs = await Promise.all([runScript(), runScript(), runScript()]);
  if (runs.every((r) => r.status !== 0)) return t.skip(`no Debian package could be fetched (no network?): ${runs[0]!.stderr.trim().split('\n').pop()}`);
  for (const r of runs) assert.equal(r.status, 0, r.stderr);
  const dest = join(cache, ARCH, 'root', 'hello');
  for (const r of runs) assert.equal(r.stdout.trim(), dest);
  assert.deepEqual(readdirSync(join(cache, ARCH, 'root')), ['hello'], 'no half-unpacked folder is left behind');
  const debs = readdirSync(join(cache, ARCH, 'debs')).filter((n) => n.endsWith('.deb'));
  assert.equal(debs.length, 1, 'one download');
  const deb = join(cache, ARCH, 'debs', debs[0]!);
  const files = debFiles(deb);
  assertWhole(dest, files);

  // A file lost from the tree: the next call unpacks it again.
  const biggest = [...files].sort((a, b) => b[1] - a[1])[0]![0];
  unlinkSync(join(dest, biggest));
  const mended = await runScript();
  assert.equal(mended.status, 0, mended.stderr);
  assertWhole(dest, files);

  // A truncated download and a lost tree: the .deb is fetched again, not unpacked half.
  truncateSync(deb, Math.floor(statSync(deb).size / 2));
  rmSync(dest, { recursive: true });
  const refetched = await runScript();
  assert.equal(refetched.status, 0, refetched.stderr);
  assertWhole(dest, files);
  assert.ok(existsSync(deb) && spawnSync('dpkg-deb', ['--info', deb]).status === 0, 'the .deb is whole again');
});
