import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BootError } from '../../../src/kexec/errors';
import {
  FdtError,
  boardIdentity,
  decodeReg,
  deleteProp,
  encodeReg,
  findNode,
  getProp,
  parseFdt,
  readRootProperties,
  serializeFdt,
  setProp,
  stringList,
  stringValue,
  u32Value,
} from '../../../src/kexec/dt/fdt';
import { inspectDeviceTree } from '../../../src/kexec/inspect';
import { debianKernel, dtc, run } from '../debian';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kexec-fdt-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function broadcom(t: { skip(msg: string): void }): string | undefined {
  const k = debianKernel('arm64');
  if (typeof k === 'string' || !k.dtbDir) {
    t.skip(typeof k === 'string' ? k : 'the arm64 package has no DTBs');
    return undefined;
  }
  return join(k.dtbDir, 'broadcom');
}

/** fdtget's text for a property (string lists space-separated, as it prints them). */
function fdtget(file: string, node: string, prop: string, type?: string): string {
  return run('fdtget', [...(type ? ['-t', type] : []), file, node, prop]).trim();
}

test('model and compatible of every Raspberry Pi DTB in Debian\'s package agree with fdtget', (t) => {
  const d = broadcom(t);
  if (!d) return;
  const files = readdirSync(d).filter((f) => f.endsWith('.dtb'));
  assert.ok(files.includes('bcm2837-rpi-3-b-plus.dtb'));
  for (const f of files) {
    const path = join(d, f);
    const info = inspectDeviceTree(path);
    assert.equal(info.model, fdtget(path, '/', 'model'), f);
    assert.equal(info.compatible.join(' '), fdtget(path, '/', 'compatible'), f);
    assert.equal(info.totalSize, info.size, `${f}: the kernel build writes DTBs without padding`);
    const root = readRootProperties(readFileSync(path), path);
    assert.deepEqual(stringList(root.get('compatible')), info.compatible, 'the root-only reader agrees');
  }
  const pi3 = inspectDeviceTree(join(d, 'bcm2837-rpi-3-b-plus.dtb'));
  assert.equal(pi3.model, 'Raspberry Pi 3 Model B+');
  assert.deepEqual(pi3.compatible, ['raspberrypi,3-model-b-plus', 'brcm,bcm2837']);
  assert.equal(pi3.reservations, 1, 'the spin-table page /memreserve/ 0x0 0x1000');
  assert.equal(pi3.kaslrSeed, false);
});

test('parse → serialise keeps a real DTB identical as dtc sees it', (t) => {
  const d = broadcom(t);
  if (!d) return;
  for (const f of ['bcm2837-rpi-3-b-plus.dtb', 'bcm2711-rpi-4-b.dtb']) {
    const path = join(d, f);
    const out = join(dir, f);
    writeFileSync(out, serializeFdt(parseFdt(readFileSync(path), path)));
    assert.equal(run('dtc', ['-I', 'dtb', '-O', 'dts', out]), run('dtc', ['-I', 'dtb', '-O', 'dts', path]), f);
  }
});

test('a DTB compiled by dtc: properties read, set and deleted, checked with fdtget', () => {
  const src = `/dts-v1/;
/memreserve/ 0x10000000 0x4000;
/ {
  model = "Test Board";
  compatible = "acme,board-2", "acme,soc";
  #address-cells = <2>;
  #size-cells = <1>;
  memory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x40000000 0x1 0x0 0x10000000>; };
  chosen { bootargs = "console=ttyS0"; kaslr-seed = <0x12345678 0x9abcdef0>; };
};`;
  const bytes = dtc(src);
  const fdt = parseFdt(bytes, 'test.dtb');
  assert.deepEqual(boardIdentity(fdt), { model: 'Test Board', compatible: ['acme,board-2', 'acme,soc'] });
  assert.deepEqual(fdt.reservations, [{ address: 0x10000000n, size: 0x4000n }]);
  const mem = findNode(fdt, '/memory')!;
  assert.equal(mem.name, 'memory@80000000', 'a path may leave out the unit address');
  assert.deepEqual(decodeReg(getProp(mem, 'reg')!, { address: 2, size: 1 }), [
    { address: 0x80000000n, size: 0x40000000n },
    { address: 0x100000000n, size: 0x10000000n },
  ]);
  const chosen = findNode(fdt, '/chosen')!;
  assert.equal(deleteProp(chosen, 'kaslr-seed'), true);
  assert.equal(deleteProp(chosen, 'kaslr-seed'), false);
  setProp(chosen, 'bootargs', stringValue('root=/dev/mmcblk0p2 rw'));
  setProp(chosen, 'linux,pci-probe-only', u32Value(1));
  setProp(mem, 'reg', encodeReg([{ address: 0x80000000n, size: 0x3c000000n }], { address: 2, size: 1 }));
  const out = join(dir, 'edited.dtb');
  writeFileSync(out, serializeFdt(fdt));
  assert.equal(fdtget(out, '/chosen', 'bootargs'), 'root=/dev/mmcblk0p2 rw');
  assert.equal(fdtget(out, '/chosen', 'linux,pci-probe-only', 'u'), '1');
  assert.equal(fdtget(out, '/memory@80000000', 'reg', 'x'), '0 80000000 3c000000');
  assert.deepEqual(run('fdtget', ['-p', out, '/chosen']).trim().split('\n').sort(), ['bootargs', 'linux,pci-probe-only']);
  assert.match(run('dtc', ['-I', 'dtb', '-O', 'dts', out]), /\/memreserve\/\s+0x0*10000000 0x0*4000;/);
  assert.throws(() => encodeReg([{ address: 0x100000000n, size: 1n }], { address: 1, size: 1 }), FdtError);
});

test('broken DTBs are errors that name the file and the problem', () => {
  const good = dtc('/dts-v1/; / { model = "x"; compatible = "a,b"; child { p = <1>; }; };');
  const cases: Array<[string, Buffer, RegExp]> = [
    ['short.dtb', good.subarray(0, 20), /too short for a device-tree header/],
    ['magic.dtb', Buffer.concat([Buffer.from([0xde, 0xad, 0xbe, 0xef]), good.subarray(4)]), /not a device tree blob \(magic 0xdeadbeef/],
    ['truncated.dtb', good.subarray(0, good.length - 8), /truncated: its header says \d+ bytes, the file has \d+/],
  ];
  const badOffset = Buffer.from(good);
  badOffset.writeUInt32BE(0x7fff0000, 12); // off_dt_strings far outside
  cases.push(['offset.dtb', badOffset, /corrupt header: a block lies outside/]);
  const badToken = Buffer.from(good);
  badToken.writeUInt32BE(0x77, badToken.readUInt32BE(8)); // first struct token
  cases.push(['token.dtb', badToken, /unknown token 0x77/]);
  for (const [name, bytes, pattern] of cases) {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    assert.throws(
      () => inspectDeviceTree(p),
      (err: unknown) => err instanceof BootError && pattern.test(err.sentence) && err.sentence.includes(p),
      name,
    );
  }
  // Nesting deeper than any real tree is refused rather than recursed into.
  let deep = '';
  for (let i = 0; i < 80; i++) deep += `n${i} { `;
  deep += '};'.repeat(80);
  assert.throws(() => parseFdt(dtc(`/dts-v1/; / { ${deep} };`), 'deep.dtb'), /nested deeper than 64/);
});
