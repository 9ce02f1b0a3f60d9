// The native loader's segment layout on real inputs: Debian's arm64 Image and armhf zImage,
// the device trees QEMU hands its guests and Debian's Raspberry Pi 3 B+ DTB, and /proc/iomem
// as captured in QEMU (test/fixtures/iomem/). Each layout is checked against the rules
// independently of the placer: alignment, no overlap, inside System RAM, clear of every
// "reserved" line of the capture and of the running tree's reservations, and /chosen as
// `fdtget` reads it back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BootRequest, planBoot } from '../../src/kexec/plan';
import type { RunningSystem } from '../../src/kexec/system';
import { layoutArm64 } from '../../src/kexec/native/arm64';
import { MAX_TEXT_OFFSET, zImageKernelSize } from '../../src/kexec/native/arm32';
import { layoutPlan, memoryMap } from '../../src/kexec/native-loader';
import { parseIomem } from '../../src/kexec/native/memory';
import type { Layout } from '../../src/kexec/native/segments';
import { parseFdt } from '../../src/kexec/dt/fdt';
import { BootError } from '../../src/kexec/errors';
import { REPO, debianKernel, dtc, qemuDtb, run } from './debian';

const fixture = (name: string): string => readFileSync(join(REPO, 'test/fixtures/iomem', name), 'latin1');
const VIRT_IOMEM = fixture('qemu-virt-arm64-1g.iomem');
const RASPI_IOMEM = fixture('qemu-raspi3b-arm64.iomem');
const ARMHF_IOMEM = fixture('qemu-virt-armhf-1g.iomem');
const MiB = 1024 * 1024;

/** A deterministic "random" source, so the test can find the seeds it handed out. */
function counter(): { random: (n: number) => Uint8Array; handed: Uint8Array[] } {
  const handed: Uint8Array[] = [];
  let k = 1;
  return { handed, random: (n) => { const b = Uint8Array.from({ length: n }, () => k++ & 0xff); handed.push(b); return b; } };
}

/** The capture's own lines, read with a regex of their own rather than parseIomem. */
function iomemLines(text: string): { ram: [number, number][]; reserved: [number, number][] } {
  const ram: [number, number][] = [];
  const reserved: [number, number][] = [];
  for (const m of text.matchAll(/^( *)([0-9a-f]+)-([0-9a-f]+) : (System RAM|reserved)$/gm)) {
    const r: [number, number] = [parseInt(m[2]!, 16), parseInt(m[3]!, 16) + 1];
    if (m[1] === '' && m[4] === 'System RAM') ram.push(r);
    if (m[1] !== '' && m[4] === 'reserved') reserved.push(r);
  }
  return { ram, reserved };
}

function assertRules(layout: Layout, iomem: string, page: number, extraReserved: [number, number][] = [], iomemReserves = true): void {
  const { ram, reserved } = iomemLines(iomem);
  assert.ok(ram.length > 0, 'the capture has RAM lines');
  // arm64 lists memblock reservations in iomem; 32-bit ARM does not.
  assert.equal(reserved.length > 0, iomemReserves, iomemReserves ? 'the capture has reserved lines' : 'the capture has no reserved lines');
  const segs = [...layout.segments].sort((a, b) => a.mem - b.mem);
  for (const s of segs) {
    assert.equal(s.mem % page, 0, `${s.name} mem aligned`);
    assert.equal(s.memsz % page, 0, `${s.name} memsz aligned`);
    assert.ok(s.memsz >= s.bytes.length, `${s.name} memsz holds its bytes`);
    assert.ok(ram.some(([a, b]) => a <= s.mem && s.mem + s.memsz <= b), `${s.name} inside System RAM`);
    for (const [a, b] of [...reserved, ...extraReserved]) assert.ok(s.mem + s.memsz <= a || s.mem >= b, `${s.name} 0x${s.mem.toString(16)} clear of reserved 0x${a.toString(16)}-0x${b.toString(16)}`);
  }
  for (let i = 1; i < segs.length; i++) assert.ok(segs[i]!.mem >= segs[i - 1]!.mem + segs[i - 1]!.memsz, `${segs[i]!.name} does not overlap ${segs[i - 1]!.name}`);
}

/** fdtget on the loaded DTB: a property as fdtget prints it. */
function fdtget(dtb: Uint8Array, node: string, prop: string, type = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-native-'));
  try {
    writeFileSync(join(dir, 'x.dtb'), dtb);
    return run('fdtget', [...(type ? ['-t', type] : []), join(dir, 'x.dtb'), node, prop]).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BASE: Omit<RunningSystem, 'arch' | 'runningFdt'> = { procCmdline: '', runningFdtSource: '/sys/firmware/fdt', random: (n) => new Uint8Array(n), isRoot: true, tmpDir: tmpdir() };

const request = (kernel: string, over: Partial<BootRequest> = {}): BootRequest => ({ label: 't', kernel, initrds: [], overlays: [], cmdline: '', reuseCmdline: false, ...over });

function checkArm64(layout: Layout, initrd: Uint8Array, imageSize: number, cmdline: string, seeds: Uint8Array[]): void {
  const seg = (n: string) => layout.segments.find((s) => s.name === n)!;
  const kernel = seg('kernel');
  assert.equal(kernel.mem % (2 * MiB), 0, 'text_offset 0: the Image at a 2 MiB boundary');
  assert.ok(kernel.memsz >= imageSize, 'memsz covers image_size (BSS)');
  const ird = seg('initrd');
  assert.deepEqual(Buffer.from(ird.bytes), Buffer.from(initrd));
  assert.equal(Math.floor(ird.mem / (1024 * MiB)), Math.floor(kernel.mem / (1024 * MiB)), 'the initrd in the kernel\'s 1 GiB window');
  const dtb = seg('dtb');
  assert.ok(dtb.bytes.length <= 2 * MiB && dtb.mem % 8 === 0);
  const tramp = seg('trampoline');
  assert.equal(layout.entry, tramp.mem);
  const view = new DataView(tramp.bytes.buffer, tramp.bytes.byteOffset);
  assert.equal(Number(view.getBigUint64(24, true)), kernel.mem, 'the trampoline branches to the kernel');
  assert.equal(Number(view.getBigUint64(32, true)), dtb.mem, 'and hands it the loaded DTB');
  // /chosen read back by dtc's fdtget.
  assert.equal(fdtget(dtb.bytes, '/chosen', 'bootargs'), cmdline);
  const start = fdtget(dtb.bytes, '/chosen', 'linux,initrd-start', 'x').split(/\s+/).map((w) => parseInt(w, 16));
  const end = fdtget(dtb.bytes, '/chosen', 'linux,initrd-end', 'x').split(/\s+/).map((w) => parseInt(w, 16));
  assert.equal(start[0]! * 2 ** 32 + start[1]!, ird.mem);
  assert.equal(end[0]! * 2 ** 32 + end[1]!, ird.mem + initrd.length);
  const kaslr = fdtget(dtb.bytes, '/chosen', 'kaslr-seed', 'bx').split(/\s+/).map((w) => parseInt(w, 16));
  const rng = fdtget(dtb.bytes, '/chosen', 'rng-seed', 'bx').split(/\s+/).map((w) => parseInt(w, 16));
  assert.equal(kaslr.length, 8);
  assert.equal(rng.length, 128);
  assert.ok(seeds.some((s) => s.length === 8 && s.every((b, i) => b === kaslr[i])), 'kaslr-seed is the random source\'s');
  assert.ok(seeds.some((s) => s.length === 128 && s.every((b, i) => b === rng[i])), 'rng-seed is the random source\'s');
}

test('arm64 on QEMU virt: Debian\'s Image, the disk\'s virt DTB, two initrds, against the captured iomem', async (t) => {
  const k = debianKernel('arm64');
  if (typeof k === 'string') return t.skip(k);
  const running = qemuDtb(['-M', 'virt', '-cpu', 'cortex-a57', '-m', '1024']);
  if (typeof running === 'string') return t.skip(running);
  const dir = mkdtempSync(join(tmpdir(), 'kexec-native-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const disk = join(dir, 'virt.dtb');
  writeFileSync(disk, running);
  run('fdtput', ['-t', 's', disk, '/', 'kexec-menu,from-disk', 'yes']);
  const i1 = join(dir, 'a.img');
  const i2 = join(dir, 'b.img');
  writeFileSync(i1, Buffer.alloc(5, 1));
  writeFileSync(i2, Buffer.alloc(3000, 2));
  const cmdline = 'console=ttyAMA0 test.entry=native';
  const plan = await planBoot(request(k.image, { initrds: [i1, i2], devicetree: { kind: 'file', path: disk }, cmdline }), { ...BASE, arch: 'arm64', runningFdt: () => running, kexecFile: false });
  assert.equal(plan.method, 'kexec_load');
  assert.ok(plan.native?.arch === 'arm64');
  const seeds = counter();
  const layout = await layoutPlan(plan, plan.native, memoryMap(VIRT_IOMEM, running), seeds.random);
  assertRules(layout, VIRT_IOMEM, 64 * 1024);
  const concatenated = Buffer.concat([Buffer.alloc(5, 1), Buffer.alloc(3), Buffer.alloc(3000, 2)]);
  checkArm64(layout, concatenated, plan.native.imageSize, cmdline, seeds.handed);
  assert.equal(fdtget(layout.dtb, '/', 'kexec-menu,from-disk'), 'yes', 'the DTB from disk, not the running one');
  // The running kernel's code and data may be overwritten (the kernel copies the segments
  // into place only at the jump), but not the "reserved" 0x41860000-0x41eaffff between them:
  // the first 2 MiB boundary past it that holds all of image_size is 0x42000000.
  const kernel = layout.segments.find((s) => s.name === 'kernel')!;
  assert.equal(kernel.mem, 0x42000000);
});

test('arm64 on raspi3b: the Pi 3 B+ DTB from the card, fixed up, with the captured iomem and the running tree\'s /memreserve/', async (t) => {
  const k = debianKernel('arm64');
  if (typeof k === 'string' || !k.dtbDir) return t.skip(typeof k === 'string' ? k : 'no DTBs');
  const dtbPath = join(k.dtbDir, 'broadcom/bcm2837-rpi-3-b-plus.dtb');
  const running = qemuDtb(['-M', 'raspi3b', '-kernel', k.image, '-dtb', dtbPath, '-append', 'console=ttyAMA0']);
  if (typeof running === 'string') return t.skip(running);
  const reservations = parseFdt(running).reservations.map((r): [number, number] => [Number(r.address), Number(r.address + r.size)]);
  assert.ok(reservations.length > 0, 'the running tree reserves the spin-table page');
  const initrd = join(tmpdir(), `kexec-native-${process.pid}.img`);
  writeFileSync(initrd, Buffer.alloc(70_000, 7));
  t.after(() => rmSync(initrd, { force: true }));
  const cmdline = 'console=serial0,115200 root=/dev/mmcblk0p2 rootwait';
  const plan = await planBoot(request(k.image, { initrds: [initrd], devicetree: { kind: 'file', path: dtbPath }, cmdline }), { ...BASE, arch: 'arm64', compatible: ['raspberrypi,3-model-b-plus'], runningFdt: () => running, kexecFile: false });
  assert.ok(plan.native?.arch === 'arm64');
  const seeds = counter();
  const layout = await layoutPlan(plan, plan.native, memoryMap(RASPI_IOMEM, running), seeds.random);
  assertRules(layout, RASPI_IOMEM, 64 * 1024, reservations);
  checkArm64(layout, Buffer.alloc(70_000, 7), plan.native.imageSize, cmdline, seeds.handed);
  assert.equal(fdtget(layout.dtb, '/memory@0', 'reg', 'x'), '0 3c000000', '/memory as the firmware set it (fix-up), not the file\'s 1 GiB');
  assert.ok(layout.segments.every((s) => s.mem + s.memsz <= 0x3c000000), 'below the VideoCore\'s share');
});

test('a /reserved-memory node and a /memreserve/ of the running tree move the kernel out of their way', () => {
  const running = dtc(`/dts-v1/; /memreserve/ 0x40000000 0x400000;
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
          fw@40400000 { reg = <0 0x40400000 0 0x1000000>; }; }; };`);
  const disk = dtc('/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; chosen { }; };');
  const memory = memoryMap('40000000-7fffffff : System RAM\n  7f000000-7fffffff : reserved\n', running);
  const layout = layoutArm64({ kernel: { bytes: new Uint8Array(100), textOffset: 0, imageSize: 3 * MiB, bigEndian: false }, fdt: parseFdt(disk), cmdline: 'x', memory, random: (n) => new Uint8Array(n) });
  assert.equal(layout.segments[0]!.mem, 0x41400000, 'the first 2 MiB boundary past 0x40000000+4 MiB and the 16 MiB node');
  assertRules(layout, '40000000-7fffffff : System RAM\n  7f000000-7fffffff : reserved\n', 64 * 1024, [[0x40000000, 0x40400000], [0x40400000, 0x41400000]]);
  assert.equal(layout.segments.find((s) => s.name === 'initrd'), undefined);
  assert.equal(getChosenInitrd(layout.dtb), undefined, 'no initrd: no linux,initrd-start');
});

function getChosenInitrd(dtb: Uint8Array): Uint8Array | undefined {
  const chosen = parseFdt(dtb).root.children.find((c) => c.name === 'chosen');
  return chosen?.props.find((p) => p.name === 'linux,initrd-start')?.value;
}

test('iomem read without root (every address 0) and a map with no room are sentences', () => {
  assert.throws(() => parseIomem('00000000-00000000 : System RAM\n  00000000-00000000 : Kernel code\n'), /shows every address as 0, as it does without root/);
  assert.throws(() => parseIomem('09000000-09000fff : pl011@9000000\n'), /lists no System RAM/);
  const memory = memoryMap('40000000-40ffffff : System RAM\n', undefined);
  assert.throws(
    () => layoutArm64({ kernel: { bytes: new Uint8Array(10), textOffset: 0, imageSize: 32 * MiB, bigEndian: false }, fdt: parseFdt(dtc('/dts-v1/; / { };')), cmdline: '', memory, random: (n) => new Uint8Array(n) }),
    (e: unknown) => e instanceof Error && /no free System RAM for the kernel \(33554432 bytes\).*\(ENOMEM\)/.test(e.message),
  );
});

test('32-bit ARM: Debian\'s armmp zImage with QEMU virt\'s tree and the iomem captured there: kernel at RAM + 0x8000, initrd and DTB past the decompressed kernel at the largest TEXT_OFFSET', async (t) => {
  const k = debianKernel('armhf');
  if (typeof k === 'string') return t.skip(k);
  const dir = mkdtempSync(join(tmpdir(), 'kexec-native-arm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dump = join(dir, 'virt.dtb');
  // The options of the armhf VM (test/vm/vm.ts), where the iomem fixture was captured.
  const q = spawnSync('qemu-system-arm', ['-M', `virt,highmem=off,dumpdtb=${dump}`, '-cpu', 'cortex-a15', '-m', '1024', '-smp', '1', '-display', 'none'], { encoding: 'utf8' });
  if (q.error || q.status !== 0) return t.skip(`qemu-system-arm cannot dump a tree: ${q.error?.message ?? q.stderr}`);
  const running = readFileSync(dump);
  // Captured in the armhf VM (test/vm/menu-armhf.test.ts): RAM at 0x40000000, 1 GiB; the
  // running armmp kernel's code at RAM + 0x208000 (its TEXT_OFFSET); no reserved lines.
  const iomem = ARMHF_IOMEM;
  const kernelCode = /^ +([0-9a-f]+)-[0-9a-f]+ : Kernel code$/m.exec(iomem);
  assert.equal(kernelCode?.[1], '40208000', 'Debian\'s armmp kernel runs at RAM + 0x208000');
  const initrd = join(dir, 'initrd.img');
  writeFileSync(initrd, Buffer.alloc(100_000, 3));
  const plan = await planBoot(request(k.image, { initrds: [initrd], cmdline: 'console=ttyAMA0' }), { ...BASE, arch: 'arm', runningFdt: () => running });
  assert.equal(plan.method, 'kexec_load');
  assert.ok(plan.native?.arch === 'arm');
  const zimage = readFileSync(k.image);
  const unpacked = zImageKernelSize(zimage);
  assert.ok(unpacked !== undefined && unpacked > 2 * zimage.length, `the zImage's KLSZ tag gives the decompressed size + BSS (${unpacked})`);
  const layout = await layoutPlan(plan, plan.native, memoryMap(iomem, running), (n) => new Uint8Array(n).fill(9));
  assertRules(layout, iomem, 4096, [], false);
  const seg = (n: string) => layout.segments.find((s) => s.name === n)!;
  assert.equal(seg('kernel').mem, 0x40008000);
  assert.equal(layout.entry, 0x40008000, 'no trampoline: the kernel enters the zImage');
  assert.equal(seg('trampoline'), undefined);
  // The decompressed kernel at RAM + TEXT_OFFSET (0x208000 here, at most 0x308000), then the
  // decompressor's copy of itself that it moves past that kernel.
  assert.ok(MAX_TEXT_OFFSET >= 0x208000);
  const past = 0x40000000 + MAX_TEXT_OFFSET + unpacked + zimage.length;
  assert.ok(seg('initrd').mem >= past && seg('dtb').mem >= past, 'initrd and DTB beyond where the kernel decompresses and the decompressor moves itself');
  for (const s of ['initrd', 'dtb']) assert.ok(seg(s).mem + seg(s).memsz <= 0x40000000 + 760 * MiB, `${s} in lowmem`);
  assert.equal(new DataView(seg('dtb').bytes.buffer, seg('dtb').bytes.byteOffset).getUint32(0), 0xd00dfeed, 'the kernel finds the DTB by its magic');
  assert.equal(fdtget(layout.dtb, '/chosen', 'bootargs'), 'console=ttyAMA0');
  assert.throws(() => fdtget(layout.dtb, '/chosen', 'kaslr-seed'), 'no kaslr-seed on 32-bit ARM');
  await assert.rejects(planBoot(request(k.image), { ...BASE, arch: 'arm', runningFdt: () => undefined }).then((p) => layoutPlan(p, p.native!, memoryMap(iomem, undefined), (n) => new Uint8Array(n))), /ATAG-only boards are not supported/);
});

test('a damaged running device tree: the memory it reserves is unknown, so nothing is placed, with one sentence naming it', () => {
  assert.throws(
    () => memoryMap('40000000-7fffffff : System RAM\n', new Uint8Array(64).fill(0x55), '/sys/firmware/fdt'),
    (e: unknown) =>
      e instanceof BootError &&
      e.code === 'EINVAL' &&
      e.sentence === "The running kernel's device tree cannot be read (/sys/firmware/fdt is not a device tree blob (magic 0x55555555, expected 0xd00dfeed)), so the memory it reserves is unknown and nothing is loaded.",
  );
});
