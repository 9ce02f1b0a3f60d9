#!/usr/bin/env node
// Makes sure this machine has the Debian packages the tests use (.ci/apt-packages): `npm test`
// calls it before any test runs, so that no test can skip or pass for want of a tool.
//   node scripts/test-tools.mjs          check; as root, install what is missing
// Every package already installed (dpkg-query): nothing else happens, apt is not touched.
// Something missing, as root: one `apt-get update`, then `apt-get install` of the missing ones.
// Something missing, not root: one message naming the command to run, and exit 1.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const top = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGES_FILE = join(top, '.ci/apt-packages');

/** The package names of .ci/apt-packages (one a line, `#` starts a comment). */
export function listedPackages(file = PACKAGES_FILE) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => line.replace(/#.*/, '').trim().split(/\s+/))
    .filter(Boolean);
}

/**
 * The packages dpkg does not have installed; `undefined` when dpkg-query cannot run (not a
 * Debian system). `dpkgQuery` replaces the program for this script's own test.
 */
export function missingPackages(packages, dpkgQuery = process.env.KEXEC_MENU_DPKG_QUERY || 'dpkg-query') {
  if (packages.length === 0) return [];
  const r = spawnSync(dpkgQuery, ['-W', '--showformat=${Package} ${db:Status-Status}\n', ...packages], { encoding: 'utf8' });
  if (r.error) return undefined;
  // dpkg-query prints nothing (and complains on stderr) for a package it has never heard of.
  const installed = new Set();
  for (const line of r.stdout.split('\n')) {
    const [name, status] = line.split(' ');
    if (status === 'installed') installed.add(name.replace(/:.*/, ''));
  }
  return packages.filter((p) => !installed.has(p));
}

/** The one command a user without root runs to get them. */
export const ROOT_COMMAND = 'sudo node scripts/test-tools.mjs';

export function ensureTestTools({ log = (s) => console.error(s), isRoot = process.getuid?.() === 0, aptGet = process.env.KEXEC_MENU_APT_GET || 'apt-get' } = {}) {
  const packages = listedPackages();
  const missing = missingPackages(packages);
  if (missing === undefined) {
    log(`npm test: dpkg-query cannot run: the tests need a Debian (12) machine with the packages of .ci/apt-packages (${packages.join(' ')}).`);
    return false;
  }
  if (missing.length === 0) return true;
  if (!isRoot) {
    log(`npm test: ${missing.length} Debian package${missing.length === 1 ? '' : 's'} the tests need ${missing.length === 1 ? 'is' : 'are'} not installed (${missing.join(' ')}); install them with: ${ROOT_COMMAND}   (apt-get update, then apt-get install of those listed in .ci/apt-packages)`);
    return false;
  }
  log(`npm test: installing the Debian packages the tests need: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync(aptGet, ['update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (update.status !== 0) {
    log(`npm test: apt-get update failed (${update.error?.message ?? `exit ${update.status}`}); the packages were not installed: ${missing.join(' ')}`);
    return false;
  }
  const install = spawnSync(aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const still = missingPackages(packages) ?? missing;
  if (install.status !== 0 || still.length > 0) {
    log(`npm test: apt-get install failed (exit ${install.status}); still missing: ${still.join(' ') || '(none)'}`);
    return false;
  }
  return true;
}

/** The skipped tests of a TAP stream (node --test's tap reporter): `ok N - name # SKIP reason`. */
export function skippedTests(tap) {
  const out = [];
  for (const m of tap.matchAll(/^\s*ok \d+ - (.*?) # SKIP\b ?(.*)$/gm)) out.push({ name: m[1], reason: m[2] || '(no reason given)' });
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(ensureTestTools() ? 0 : 1);
}
