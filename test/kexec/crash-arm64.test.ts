// The arm64 crash kernel through the native kexec_load, on what QEMU's virt machine booted with
// crashkernel=256M showed (test/fixtures/iomem/qemu-virt-arm64-crashkernel/: /proc/iomem with
// its "Crash kernel" line, cpu0's crash_notes, /sys/kernel/vmcoreinfo, and the head of
// /proc/kcore, whose VMCOREINFO note and program headers the same boot wrote). The loader runs
// with the system-call module replaced by one that records the kexec_load call; the ELF core
// header is read back with binutils' readelf, /chosen with fdtget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LayoutError } from '../../src/kexec/native/layout-error';
import { type Fdt, parseFdt } from '../../src/kexec/dt/fdt';
import { planBoot } from '../../src/kexec/plan';
import { writeChosen } from '../../src/kexec/native/chosen';
import { crashLayout, kcoreVmcoreinfo, linearMap, parseCpuList, readCrashSources, toVirtual } from '../../src/kexec/native/crash-arm64';
import { NativeLoader, memoryMap } from '../../src/kexec/native-loader';
import { REPO, debianKernel, dtc, qemuDtb, run } from './debian';

const CAPTURE = join(REPO, 'test/fixtures/iomem/qemu-virt-arm64-crashkernel');
const IOMEM = readFileSync(join(CAPTURE, 'proc/iomem'), 'latin1');
/** The reservation as the capture's line says it: 6ac00000-7abfffff : Crash kernel. */
const CRASH = { start: 0x6ac00000, end: 0x7ac00000 };
const U64 = (1n << 64n) - 1n;

/** binutils' readelf for AArch64 files: the cross one if installed, else the host's (it reads any machine). */
function readelf(): string | undefined {
  for (const p of ['aarch64-linux-gnu-readelf', 'readelf']) if (spawnSync(p, ['--version']).status === 0) return p;
  return undefined;
}

/** readelf -l's program headers: [type, offset, vaddr, paddr, filesz, memsz] as bigints. */
function programHeaders(file: string, tool: string): { type: string; offset: bigint; vaddr: bigint; paddr: bigint; filesz: bigint; memsz: bigint }[] {
  const text = run(tool, ['-W', '-l', file]);
  return [...text.matchAll(/^\s+(NOTE|LOAD)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)/gm)].map((m) => ({
    type: m[1]!, offset: BigInt(m[2]!), vaddr: BigInt(m[3]!), paddr: BigInt(m[4]!), filesz: BigInt(m[5]!), memsz: BigInt(m[6]!),
  }));
}

test('the captured records: cpu0 crash_notes, vmcoreinfo, and /proc/kcore\'s VMCOREINFO note', () => {
  const s = readCrashSources(CAPTURE);
  assert.deepEqual(s.cpuNotes, [{ address: 0x7fdc6600, size: 424 }]);
  assert.deepEqual(s.vmcoreinfo, { address: 0x4ae8e000, size: 0x1024 }, '/sys/kernel/vmcoreinfo prints its size in hex');
  assert.match(s.vmcoreinfoText ?? '', /^OSRELEASE=6\.1\.0-57-arm64$/m);
  assert.match(s.vmcoreinfoText ?? '', /^NUMBER\(PHYS_OFFSET\)=0xfffff73900000000$/m, 'KASLR moved the linear map: PHYS_OFFSET is negative');
  assert.equal(kcoreVmcoreinfo(join(CAPTURE, 'proc/iomem')), undefined, 'a file that is not ELF has no note');
  assert.deepEqual(parseCpuList('0-3,6,8-9\n'), [0, 1, 2, 3, 6, 8, 9]);
});

test('p_vaddr from vmcoreinfo is the linear-map address the running kernel\'s own /proc/kcore gives the same RAM', (t) => {
  const tool = readelf();
  if (!tool) return t.skip('no readelf (binutils)');
  const kcore = programHeaders(join(CAPTURE, 'proc/kcore'), tool).filter((p) => p.type === 'LOAD' && p.paddr !== U64);
  const map = linearMap(readCrashSources(CAPTURE).vmcoreinfoText, memoryMap(IOMEM).ram);
  assert.match(map.source, /vmcoreinfo \(VA_BITS=48\)/);
  assert.equal(map.pageOffset, 0xffff000000000000n, 'since 5.4 the linear map is the lower half: -(1 << 48)');
  const ram = kcore.find((p) => p.paddr === 0x40000000n)!;
  assert.ok(ram && ram.vaddr < 0xffff800000000000n, 'kcore maps RAM in the linear map');
  assert.equal(toVirtual(map, 0x40000000), ram.vaddr);
  const image = kcore.find((p) => p.paddr === 0x40200000n)!;
  assert.equal(map.kimageVoffset! + 0x40200000n, image.vaddr, 'kimage_voffset is the kernel image\'s offset');
});

/** The system-call module's kexec_load, recorded instead of called. */
function recordingSys(): { sys: ConstructorParameters<typeof NativeLoader>[0]['sys']; calls: { entry: number; segments: { buf: Uint8Array; mem: number; memsz: number }[]; flags: number }[] } {
  const calls: { entry: number; segments: { buf: Uint8Array; mem: number; memsz: number }[]; flags: number }[] = [];
  return {
    calls,
    sys: {
      kexecLoad: (entry, segments, flags) => void calls.push({ entry, segments: [...segments], flags }),
      getrandom: (n) => new Uint8Array(n).fill(7),
      KEXEC_ARCH_AARCH64: 183 << 16,
      KEXEC_ARCH_ARM: 40 << 16,
      KEXEC_ON_CRASH: 1,
    },
  };
}

test('arm64 crash kernel: every segment in the Crash kernel range, the ELF core header as readelf reads it, /chosen as fdtget reads it', async (t) => {
  const k = debianKernel('arm64');
  if (typeof k === 'string') return t.skip(k);
  const tool = readelf();
  if (!tool) return t.skip('no readelf (binutils)');
  const running = qemuDtb(['-M', 'virt', '-cpu', 'cortex-a57', '-m', '1024']);
  if (typeof running === 'string') return t.skip(running);
  const dir = mkdtempSync(join(tmpdir(), 'kexec-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'initrd.img'), Buffer.alloc(70_000, 3));
  const cmdline = 'console=ttyAMA0 nr_cpus=1 reset_devices irqpoll';
  const plan = await planBoot({ label: 'crash', kernel: k.image, initrds: [join(dir, 'initrd.img')], overlays: [], cmdline, reuseCmdline: false }, {
    arch: 'arm64', procCmdline: '', runningFdt: () => running, runningFdtSource: '/sys/firmware/fdt', random: (n) => new Uint8Array(n), isRoot: true, tmpDir: dir, kexecFile: false,
  });
  assert.equal(plan.method, 'kexec_load');
  const { sys, calls } = recordingSys();
  const log: string[] = [];
  const loader = new NativeLoader({ sys, iomem: () => IOMEM, runningFdt: () => running, crash: true, crashSources: () => readCrashSources(CAPTURE), log: (l) => log.push(l) });
  await loader.load(plan);
  assert.equal(calls.length, 1);
  const call = calls[0]!;
  assert.equal(call.flags, (183 << 16) | 1, 'KEXEC_ARCH_AARCH64 | KEXEC_ON_CRASH');
  for (const s of call.segments) assert.ok(CRASH.start <= s.mem && s.mem + s.memsz <= CRASH.end, `segment 0x${s.mem.toString(16)}+0x${s.memsz.toString(16)} inside the Crash kernel range`);
  assert.ok(CRASH.start <= call.entry && call.entry < CRASH.end, 'the entry (trampoline) too');
  assert.equal(call.segments.length, 5, 'kernel, initrd, elfcorehdr, dtb, trampoline');
  assert.ok(log.some((l) => /ELF core header of 1024 bytes: 1 CPU note\(s\), vmcoreinfo, 2 RAM range\(s\)/.test(l)), log.join('\n'));

  // The core header: the segment whose bytes start with the ELF magic.
  const hdr = call.segments.find((s) => s.buf[0] === 0x7f && s.buf[1] === 0x45)!;
  writeFileSync(join(dir, 'elfcorehdr'), hdr.buf);
  const header = run(tool, ['-W', '-h', join(dir, 'elfcorehdr')]);
  assert.match(header, /Class:\s+ELF64/);
  assert.match(header, /Data:\s+2's complement, little endian/);
  assert.match(header, /Type:\s+CORE/);
  assert.match(header, /Machine:\s+AArch64/);
  assert.match(header, /Number of program headers:\s+5/);
  const map = linearMap(readCrashSources(CAPTURE).vmcoreinfoText, memoryMap(IOMEM).ram);
  const ph = programHeaders(join(dir, 'elfcorehdr'), tool);
  assert.deepEqual(ph.map((p) => [p.type, p.offset, p.paddr, p.filesz, p.memsz, p.vaddr]), [
    ['NOTE', 0x7fdc6600n, 0x7fdc6600n, 424n, 424n, 0n],
    ['NOTE', 0x4ae8e000n, 0x4ae8e000n, 0x1024n, 0x1024n, 0n],
    // "Kernel code" 40210000 to "Kernel data" 4220ffff, at _stext's kimage address.
    ['LOAD', 0x40210000n, 0x40210000n, 0x2000000n, 0x2000000n, 0xffffdd3b5e810000n],
    // System RAM 40000000-7fffffff without the Crash kernel 6ac00000-7abfffff.
    ['LOAD', 0x40000000n, 0x40000000n, 0x2ac00000n, 0x2ac00000n, toVirtual(map, 0x40000000)],
    ['LOAD', 0x7ac00000n, 0x7ac00000n, 0x5400000n, 0x5400000n, 0xffff08c77ac00000n],
  ]);
  assert.match(readCrashSources(CAPTURE).vmcoreinfoText!, /^SYMBOL\(_stext\)=ffffdd3b5e810000$/m, 'the kernel header\'s vaddr is _stext');

  // /chosen of the loaded tree, in the root's 2 + 2 cells (QEMU virt).
  const dtb = call.segments.find((s) => s.buf.length >= 4 && Buffer.from(s.buf.subarray(0, 4)).readUInt32BE(0) === 0xd00dfeed)!;
  writeFileSync(join(dir, 'loaded.dtb'), dtb.buf);
  const prop = (p: string) => run('fdtget', ['-t', 'x', join(dir, 'loaded.dtb'), '/chosen', p]).trim();
  assert.equal(prop('linux,elfcorehdr'), `0 ${hdr.mem.toString(16)} 0 400`, 'the header segment\'s address and the header\'s size');
  assert.equal(prop('linux,usable-memory-range'), '0 6ac00000 0 10000000', 'the reservation');
  assert.equal(run('fdtget', [join(dir, 'loaded.dtb'), '/chosen', 'bootargs']).trim(), cmdline);
});

test('/chosen crash ranges follow the root\'s cells (1 + 1 when unset, as the kernel reads them), and a range that does not fit is a sentence', () => {
  const tree = (cells: string): Fdt => parseFdt(dtc(`/dts-v1/; / { ${cells} chosen { }; };`));
  const crash = { elfcorehdr: { start: 0x6ad00000, end: 0x6ad00400 }, usable: [{ start: 0x6ac00000, end: 0x7ac00000 }] };
  for (const cells of ['', '#address-cells = <1>; #size-cells = <1>;']) {
    const fdt = tree(cells);
    writeChosen(fdt, { bootargs: 'x', random: (n) => new Uint8Array(n), kaslrSeed: true, crash });
    const chosen = fdt.root.children.find((c) => c.name === 'chosen')!;
    assert.deepEqual([...chosen.props.find((p) => p.name === 'linux,elfcorehdr')!.value], [0x6a, 0xd0, 0, 0, 0, 0, 4, 0]);
    assert.deepEqual([...chosen.props.find((p) => p.name === 'linux,usable-memory-range')!.value], [0x6a, 0xc0, 0, 0, 0x10, 0, 0, 0]);
  }
  const high = { ...crash, usable: [{ start: 0x1_0000_0000, end: 0x1_1000_0000 }] };
  assert.throws(() => writeChosen(tree(''), { bootargs: 'x', random: (n) => new Uint8Array(n), kaslrSeed: true, crash: high }), (e: unknown) => e instanceof LayoutError && /linux,usable-memory-range \(0x100000000-0x10fffffff\) does not fit the device tree's #address-cells = 1 and #size-cells = 1/.test(e.sentence));
  // A normal kernel's tree loses a crash kernel's properties.
  const fdt = tree('');
  writeChosen(fdt, { bootargs: 'x', random: (n) => new Uint8Array(n), kaslrSeed: true, crash });
  const changes = writeChosen(fdt, { bootargs: 'x', random: (n) => new Uint8Array(n), kaslrSeed: true });
  assert.ok(changes.includes('/chosen/linux,elfcorehdr removed (a crash kernel\'s).'));
});

test('without /proc/kcore p_vaddr is kexec-tools\' value when it cannot know; without a Crash kernel line, a sentence', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-crash-sys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(CAPTURE, 'sys'), join(dir, 'sys'), { recursive: true });
  const sources = readCrashSources(dir);
  assert.equal(sources.vmcoreinfoText, undefined);
  const layout = crashLayout(IOMEM, memoryMap(IOMEM), sources);
  assert.deepEqual(layout.memory.ram, [CRASH]);
  const v = new DataView(layout.segments.header.buffer);
  const vaddr = (i: number) => v.getBigUint64(64 + i * 56 + 16, true);
  assert.equal(vaddr(2), U64, 'the kernel image at 2^64-1 (kexec-tools\' kern_vaddr_start without _text)');
  assert.equal(vaddr(3), 0n, 'RAM: phys - PHYS_OFFSET (the first System RAM) + PAGE_OFFSET 0');
  assert.equal(vaddr(4), BigInt(0x7ac00000 - 0x40000000));
  const plain = readFileSync(join(REPO, 'test/fixtures/iomem/qemu-virt-arm64-1g.iomem'), 'latin1');
  assert.throws(() => crashLayout(plain, memoryMap(plain), sources), (e: unknown) => e instanceof LayoutError && /no "Crash kernel" range.*crashkernel=256M/.test(e.sentence));
});
