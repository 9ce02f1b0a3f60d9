import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseDeviceTree, listDeviceTrees } from '../../src/kexec/dtb-match';
import { BootError } from '../../src/kexec/errors';
import { debianKernel, dtc } from './debian';

function dtbDir(t: { skip(msg: string): void }): string | undefined {
  const k = debianKernel('arm64');
  if (typeof k === 'string' || !k.dtbDir) {
    t.skip(typeof k === 'string' ? k : 'no DTBs in the arm64 package');
    return undefined;
  }
  return k.dtbDir;
}

// Root compatible lists as the boards' firmware passes them (/proc/device-tree/compatible).
const PI3BPLUS = ['raspberrypi,3-model-b-plus', 'brcm,bcm2837'];
const PI4 = ['raspberrypi,4-model-b', 'brcm,bcm2711'];

test('the Raspberry Pi folder of Debian\'s package: each board gets its own file', (t) => {
  const d = dtbDir(t);
  if (!d) return;
  const b = join(d, 'broadcom');
  const pi3 = chooseDeviceTree(b, PI3BPLUS);
  assert.equal(pi3.path, join(b, 'bcm2837-rpi-3-b-plus.dtb'));
  assert.equal(pi3.model, 'Raspberry Pi 3 Model B+');
  assert.match(pi3.reason, /^Picked bcm2837-rpi-3-b-plus\.dtb from .*broadcom: its compatible "raspberrypi,3-model-b-plus" is this board's own\.$/);
  assert.equal(chooseDeviceTree(b, PI4).path, join(b, 'bcm2711-rpi-4-b.dtb'));
  assert.equal(chooseDeviceTree(b, ['raspberrypi,3-model-b', 'brcm,bcm2837']).path, join(b, 'bcm2837-rpi-3-b.dtb'));
  // A board no file names exactly falls back to its SoC, and says so.
  const rev = chooseDeviceTree(b, ['raspberrypi,3-model-b-rev9', 'brcm,bcm2837']);
  assert.ok(rev.compatible.includes('brcm,bcm2837'));
  assert.match(rev.reason, /no file is compatible with "raspberrypi,3-model-b-rev9", and it lists "brcm,bcm2837", the board's compatible number 2/);
});

test('the whole /usr/lib/linux-image-VER tree (vendor folders, ~600 files) and fdtfile', (t) => {
  const d = dtbDir(t);
  if (!d) return;
  assert.ok(listDeviceTrees(d).length > 300);
  const pi3 = chooseDeviceTree(d, PI3BPLUS);
  assert.equal(pi3.path, join(d, 'broadcom/bcm2837-rpi-3-b-plus.dtb'));
  assert.match(pi3.reason, /Picked broadcom\/bcm2837-rpi-3-b-plus\.dtb/);
  // U-Boot's fdtfile names a file relative to fdtdir: it wins when it is there.
  const named = chooseDeviceTree(d, PI3BPLUS, 'broadcom/bcm2711-rpi-4-b.dtb');
  assert.equal(named.path, join(d, 'broadcom/bcm2711-rpi-4-b.dtb'));
  assert.match(named.reason, /names \(fdtfile\)/);
  const missing = chooseDeviceTree(d, PI3BPLUS, 'broadcom/bcm2837-rpi-9.dtb');
  assert.equal(missing.path, pi3.path);
  assert.match(missing.reason, /^broadcom\/bcm2837-rpi-9\.dtb is not there; picked broadcom\/bcm2837-rpi-3-b-plus\.dtb/);
  assert.throws(() => chooseDeviceTree(d, ['qemu,virt-unknown']), (e: unknown) => e instanceof BootError && /None of the \d+ device trees in .* is compatible with this board \(qemu,virt-unknown\)/.test(e.sentence));
});

test('dtc-made folders: ranking by the board\'s list, broken files skipped, no board list refused', () => {
  const d = mkdtempSync(join(tmpdir(), 'kexec-dtbs-'));
  try {
    const board = (compat: string) => dtc(`/dts-v1/; / { model = "m"; compatible = ${compat}; };`);
    writeFileSync(join(d, 'a-generic.dtb'), board('"acme,soc"'));
    writeFileSync(join(d, 'b-family.dtb'), board('"acme,family", "acme,soc"'));
    writeFileSync(join(d, 'c-exact.dtb'), board('"acme,board-v2", "acme,family", "acme,soc"'));
    writeFileSync(join(d, 'broken.dtb'), 'garbage');
    mkdirSync(join(d, 'overlays'));
    copyFileSync(join(d, 'c-exact.dtb'), join(d, 'overlays/never.dtb'));
    assert.equal(chooseDeviceTree(d, ['acme,board-v2', 'acme,family', 'acme,soc']).path, join(d, 'c-exact.dtb'));
    assert.equal(chooseDeviceTree(d, ['acme,board-v3', 'acme,family', 'acme,soc']).path, join(d, 'b-family.dtb'), 'family beats SoC-only');
    // Same board rank: the file listing the match earliest (most specifically) wins.
    assert.equal(chooseDeviceTree(d, ['acme,other', 'acme,soc']).path, join(d, 'a-generic.dtb'));
    assert.ok(!listDeviceTrees(d).some((p) => p.includes('overlays')));
    assert.throws(() => chooseDeviceTree(d, undefined), /no device-tree compatible list to pick one of the 4 device trees/);
    assert.throws(() => chooseDeviceTree(join(d, 'overlays-none'), ['x']), /There is no \.dtb file in/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
