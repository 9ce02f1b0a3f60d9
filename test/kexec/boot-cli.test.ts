// `kexec-menu boot --dry-run` as a child process: the real CLI, the real machine's facts
// (/proc, PATH), never a system call that loads or reboots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { kernelConfigOption, findOnPath } from '../../src/kexec/system';
import { debianKernel } from './debian';

const CLI = resolve('build/src/cli.js');
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kexec-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [CLI, 'boot', ...args], { encoding: 'utf8', timeout: 60_000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--kernel with two initrds and --reuse-cmdline: the plan as JSON', (t) => {
  const k = debianKernel('amd64');
  if (typeof k === 'string') return t.skip(k);
  const i1 = join(dir, 'ucode.img');
  const i2 = join(dir, 'initrd.img');
  writeFileSync(i1, Buffer.alloc(1001));
  writeFileSync(i2, Buffer.alloc(2002));
  const r = cli(['--kernel', k.image, '--initrd', i1, '--initrd', i2, '--cmdline', 'console=ttyS0', '--append', 'nr_cpus=1', '--reuse-cmdline', '--dry-run', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  // The method depends on this machine's kernel; the planner's rules are tested in plan.test.ts.
  const fileLoad = process.arch === 'x64' && kernelConfigOption('KEXEC_FILE') !== false;
  assert.equal(plan.method, fileLoad ? 'kexec_file_load' : 'kexec-tools');
  assert.equal(plan.kernel.path, k.image);
  assert.ok(plan.kernel.version.startsWith(k.release));
  assert.deepEqual(plan.initrds, [{ path: i1, size: 1001 }, { path: i2, size: 2002 }]);
  assert.equal(plan.initrdSize, 1004 + 2004);
  const running = readFileSync('/proc/cmdline', 'utf8').trim();
  const words = running.split(/\s+/).filter((w) => !/^(BOOT_IMAGE|initrd)=/.test(w));
  const dash = words.indexOf('--');
  const expected = dash === -1 ? [...words, 'console=ttyS0', 'nr_cpus=1'] : [...words.slice(0, dash), 'console=ttyS0', 'nr_cpus=1', ...words.slice(dash)];
  assert.equal(plan.cmdline, expected.join(' '));
  assert.equal(plan.dtb, null);
});

test('an entry id from a scanned tree, as text; a DTB without kexec-tools on PATH; unknown ids and bad usage', (t) => {
  const k = debianKernel('amd64');
  if (typeof k === 'string') return t.skip(k);
  const root = join(dir, 'disk');
  mkdirSync(join(root, 'boot'), { recursive: true });
  copyFileSync(k.image, join(root, `boot/vmlinuz-${k.release}`));
  writeFileSync(join(root, `boot/initrd.img-${k.release}`), Buffer.alloc(4096));
  const list = spawnSync(process.execPath, [CLI, 'list', '--json', '--root', `${root}=name:vda1`], { encoding: 'utf8' });
  assert.equal(list.status, 0, list.stderr);
  const entry = JSON.parse(list.stdout).entries.find((e: { kernel: string }) => e.kernel === join(root, `boot/vmlinuz-${k.release}`));
  assert.ok(entry, list.stdout);
  const r = cli([entry.id, '--root', `${root}=name:vda1`, '--dry-run', '--cmdline', 'root=/dev/vda1 ro']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Dry run: nothing is loaded\.\n/);
  assert.match(r.stdout, new RegExp(`^entry: +${entry.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  assert.match(r.stdout, new RegExp(`^initrd: +${root}/boot/initrd\\.img-${k.release} \\(4\\.0 KiB\\)$`, 'm'));
  assert.match(r.stdout, /^cmdline: +root=\/dev\/vda1 ro \(17 bytes\)$/m);

  const dtb = join(dir, 'board.dtb');
  writeFileSync(dtb, spawnSync('dtc', ['-I', 'dts', '-O', 'dtb'], { input: '/dts-v1/; / { model = "b"; compatible = "a,b"; };' }).stdout);
  const empty = join(dir, 'empty-path');
  mkdirSync(empty);
  const noTools = cli(['--kernel', k.image, '--dtb', dtb, '--dry-run'], { ...process.env, PATH: empty });
  assert.equal(noTools.status, 1);
  assert.equal(noTools.stderr, `kexec-menu boot: Booting vmlinuz-${k.release} needs the kexec program from kexec-tools, which is not on PATH: the entry has its own device tree, which kexec_file_load cannot pass (it passes only the running kernel's), and kexec-menu's own kexec_load serves arm64 and 32-bit ARM, not x86_64.\n`);
  if (findOnPath('kexec')) {
    const withTools = cli(['--kernel', k.image, '--dtb', dtb, '--dry-run', '--json']);
    assert.equal(withTools.status, 0, withTools.stderr);
    assert.equal(JSON.parse(withTools.stdout).method, 'kexec-tools');
  }

  const unknown = cli(['nope:loose:x', '--root', `${root}=name:vda1`, '--dry-run']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /There is no entry with id nope:loose:x/);
  assert.equal(cli(['--dry-run']).status, 2, 'neither an id nor --kernel');
  assert.equal(cli(['--kernel', k.image, '--handoff', 'sideways', '--dry-run']).status, 2);
});

test('a real boot is refused outside the image', (t) => {
  const k = debianKernel('amd64');
  if (typeof k === 'string') return t.skip(k);
  const r = cli(['--kernel', k.image]);
  // Either the system-call module says this is not the image, or it is not there yet: never a load.
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /only inside its own image|system-call module could not be loaded/);
});
