import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

function inspect(...args: string[]): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, ['build/src/cli.js', 'inspect', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout };
}

test('inspect --json names a kernel image with its release and whether this machine can start it', () => {
  const r = inspect('samples/armbian/boot/vmlinuz-6.6.16-current-rockchip64', '--json');
  assert.equal(r.status, 0);
  const info = JSON.parse(r.stdout);
  assert.equal(info.kind, 'kernel');
  assert.equal(info.release, '6.6.16-current-rockchip64');
  assert.equal(info.architecture, 'arm64');
  assert.equal(info.canKexecHere.ok, process.arch === 'arm64');
});

test('inspect --json reads a device tree’s model and compatible list', () => {
  const info = JSON.parse(inspect('samples/rpi-boot/bcm2710-rpi-3-b-plus.dtb', '--json').stdout);
  assert.equal(info.kind, 'devicetree');
  assert.equal(info.model, 'Raspberry Pi 3 Model B+');
  assert.deepEqual(info.compatible, ['raspberrypi,3-model-b-plus', 'brcm,bcm2837']);
});

test('inspect says why a file is nothing it recognises', () => {
  const r = inspect('README.md');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^README\.md: nothing kexec-menu recognises \(.*not a Linux kernel image/);
});
