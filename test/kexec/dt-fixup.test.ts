import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDeviceTree, fixupDeviceTree } from '../../src/kexec/dt-fixup';
import { BootError } from '../../src/kexec/errors';
import { urandom } from '../../src/sys/random';
import { debianKernel, dtc, qemuDtb, run } from './debian';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kexec-fixup-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

type Skip = { skip(msg: string): void };

function piFiles(t: Skip): { dtb: string; kernel: string } | undefined {
  const k = debianKernel('arm64');
  if (typeof k === 'string' || !k.dtbDir) {
    t.skip(typeof k === 'string' ? k : 'no DTBs in the arm64 package');
    return undefined;
  }
  return { dtb: join(k.dtbDir, 'broadcom/bcm2837-rpi-3-b-plus.dtb'), kernel: k.image };
}

function qemu(t: Skip, args: string[]): Buffer | undefined {
  const r = qemuDtb(args);
  if (typeof r === 'string') {
    t.skip(r);
    return undefined;
  }
  return r;
}

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const fdtget = (file: string, ...args: string[]) => run('fdtget', [...args.slice(0, -2), file, ...args.slice(-2)]).trim();
const props = (file: string, node: string) => run('fdtget', ['-p', file, node]).trim().split('\n').sort();

test('the Pi 3 B+ DTB from disk gets the memory QEMU raspi3b gave the running kernel (the "unable to map IC registers" fix)', (t) => {
  const pi = piFiles(t);
  if (!pi) return;
  const initrd = write('initrd', Buffer.from('07070100000000'));
  const running = qemu(t, ['-M', 'raspi3b', '-kernel', pi.kernel, '-initrd', initrd, '-dtb', pi.dtb, '-append', 'console=ttyAMA0 nr_cpus=1']);
  if (!running) return;
  const cmdline = 'console=serial0,115200 root=PARTUUID=6c586e13-02 rootwait marker=second';
  const fixed = fixupDeviceTree({ dtb: readFileSync(pi.dtb), source: pi.dtb, running, runningSource: '/sys/firmware/fdt', cmdline, random: urandom });
  const out = write('pi3.dtb', fixed.bytes);
  assert.equal(fdtget(pi.dtb, '-t', 'x', '/memory@0', 'reg'), '0 40000000', 'upstream: 1 GiB, over the peripherals at 0x3f000000');
  assert.equal(fdtget(out, '-t', 'x', '/memory@0', 'reg'), '0 3c000000', 'what QEMU (like the firmware) set');
  assert.equal(fdtget(out, '/chosen', 'bootargs'), cmdline);
  assert.deepEqual(props(out, '/chosen'), ['bootargs', 'stdout-path'], 'the old initrd location is dropped');
  // The spin-table /memreserve/ is in both trees: it must stay exactly once.
  const dts = run('dtc', ['-I', 'dtb', '-O', 'dts', out]);
  assert.equal(dts.match(/\/memreserve\//g)?.length, 1);
  // Nothing else of the file changed: the rest of the tree is dtc-identical apart from these.
  const strip = (s: string) => s.replace(/\tmemory@0 \{[^}]*\};/, '').replace(/\tchosen \{[^}]*\};/, '');
  assert.equal(strip(dts), strip(run('dtc', ['-I', 'dtb', '-O', 'dts', pi.dtb])));
  assert.ok(fixed.changes.some((c) => c === 'Memory taken from the running system: /memory@0 0x0+0x40000000 replaced by /memory@0 0x0+0x3c000000.'), fixed.changes.join('\n'));
  assert.ok(fixed.changes.some((c) => c.startsWith('/chosen/bootargs set to the entry\'s command line')));
});

test('seeds: a used kaslr-seed is removed, rng-seed refreshed; QEMU virt\'s 2-cell memory is re-encoded for a 1-cell file', (t) => {
  const virt = qemu(t, ['-M', 'virt', '-cpu', 'cortex-a57', '-smp', '2', '-m', '512M']);
  if (!virt) return;
  const virtPath = write('virt.dtb', virt);
  assert.ok(props(virtPath, '/chosen').includes('kaslr-seed'), 'QEMU virt writes a kaslr-seed');
  const board = dtc(`/dts-v1/;
/ {
  model = "Board"; compatible = "acme,board";
  #address-cells = <1>; #size-cells = <1>;
  memory@40000000 { device_type = "memory"; reg = <0x40000000 0x80000000>; };
  chosen { kaslr-seed = <0xdeadbeef 0xcafef00d>; rng-seed = [01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f 40]; };
};`);
  const fixed = fixupDeviceTree({ dtb: board, source: 'board.dtb', running: virt, cmdline: 'quiet', random: urandom });
  const out = write('board-fixed.dtb', fixed.bytes);
  assert.equal(fdtget(out, '-t', 'x', '/memory@40000000', 'reg'), '40000000 20000000', '512 MiB from virt, in one cell each');
  const chosen = props(out, '/chosen');
  assert.ok(!chosen.includes('kaslr-seed'), chosen.join(','));
  const seed = fdtget(out, '-t', 'bx', '/chosen', 'rng-seed');
  assert.equal(seed.split(' ').length, 64, 'the same length as before');
  assert.notEqual(seed, fdtget(write('board.dtb', board), '-t', 'bx', '/chosen', 'rng-seed'));
  assert.notEqual(seed, fdtget(virtPath, '-t', 'bx', '/chosen', 'rng-seed'));
  assert.equal(fdtget(out, '/chosen', 'stdout-path'), fdtget(virtPath, '/chosen', 'stdout-path'), 'firmware\'s console carried over');

  // 8 GiB does not fit a 1-cell size: refused with a sentence, not written truncated.
  const big = qemu(t, ['-M', 'virt', '-cpu', 'cortex-a57', '-m', '8G']);
  if (!big) return;
  assert.throws(
    () => fixupDeviceTree({ dtb: board, source: 'board.dtb', running: big, random: urandom }),
    (err: unknown) => err instanceof BootError && /cannot be carried into board\.dtb: size 0x200000000 does not fit in 1 cell/.test(err.sentence),
  );
});

test('/reserved-memory: the firmware\'s sizes carried over, the file\'s phandles kept, new regions added without theirs', () => {
  const file = dtc(`/dts-v1/;
/ {
  #address-cells = <1>; #size-cells = <1>;
  memory@0 { device_type = "memory"; reg = <0 0x40000000>; };
  reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
    cma: linux,cma { compatible = "shared-dma-pool"; size = <0x4000000>; reusable; linux,cma-default; };
  };
  v3d { memory-region = <&cma>; };
};`);
  const firmware = dtc(`/dts-v1/;
/memreserve/ 0x0 0x1000;
/memreserve/ 0x2000000 0x800000;
/ {
  #address-cells = <1>; #size-cells = <1>;
  memory@0 { device_type = "memory"; reg = <0 0x3b400000>; };
  chosen { linux,initrd-start = <0x2000000>; linux,initrd-end = <0x2800000>; };
  reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
    linux,cma { compatible = "shared-dma-pool"; size = <0x10000000>; reusable; linux,cma-default; phandle = <0x99>; };
    nvram@3b400000 { reg = <0x3b400000 0x1000>; no-map; phandle = <0x1>; };
  };
};`);
  const fixed = fixupDeviceTree({ dtb: file, source: 'file.dtb', running: firmware, random: urandom });
  const out = write('reserved.dtb', fixed.bytes);
  const before = write('reserved-before.dtb', file);
  assert.equal(fdtget(out, '-t', 'x', '/reserved-memory/linux,cma', 'size'), '10000000');
  assert.equal(fdtget(out, '-t', 'x', '/reserved-memory/linux,cma', 'phandle'), fdtget(before, '-t', 'x', '/reserved-memory/linux,cma', 'phandle'));
  assert.equal(fdtget(out, '-t', 'x', '/v3d', 'memory-region'), fdtget(out, '-t', 'x', '/reserved-memory/linux,cma', 'phandle'), 'the reference still points at it');
  assert.equal(fdtget(out, '-t', 'x', '/reserved-memory/nvram@3b400000', 'reg'), '3b400000 1000');
  assert.deepEqual(props(out, '/reserved-memory/nvram@3b400000'), ['no-map', 'reg']);
  // The spin-table page is carried; the old initrd's reservation is not.
  const dts = run('dtc', ['-I', 'dtb', '-O', 'dts', out]);
  assert.deepEqual(dts.match(/\/memreserve\/.*;/g), ['/memreserve/\t0x0000000000000000 0x0000000000001000;']);
  assert.deepEqual(
    fixed.changes.filter((c) => c.includes('reserved') || c.includes('memreserve')),
    [
      '/memreserve/ entries of the running system added: 0x0+0x1000.',
      '/reserved-memory regions the firmware set added: nvram@3b400000 (0x3b400000+0x1000).',
      '/reserved-memory regions updated from the running system: linux,cma.',
    ],
  );
});

test('the check every DTB gets: a non-zero kaslr-seed removed, a clean tree passed through untouched, garbage refused', (t) => {
  const virt = qemu(t, ['-M', 'virt', '-cpu', 'cortex-a57']);
  if (!virt) return;
  const checked = checkDeviceTree(virt, '/sys/firmware/fdt');
  assert.deepEqual(checked.changes, ['/chosen/kaslr-seed was set; removed (an arm64 kernel refuses to kexec with it).']);
  assert.ok(!props(write('checked.dtb', checked.bytes), '/chosen').includes('kaslr-seed'));
  const again = checkDeviceTree(checked.bytes, 'x');
  assert.equal(again.bytes, checked.bytes, 'nothing to change: the same bytes');
  const zeroSeed = dtc('/dts-v1/; / { chosen { kaslr-seed = <0 0>; }; };');
  assert.equal(checkDeviceTree(zeroSeed, 'zero.dtb').bytes, zeroSeed, 'a seed the kernel already cleared is fine');
  assert.throws(() => checkDeviceTree(Buffer.from('not a dtb at all, just some text in a file '.repeat(4)), '/boot/bad.dtb'), (e: unknown) => e instanceof BootError && e.sentence.startsWith('/boot/bad.dtb is not a device tree blob'));
});
