import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { BootError } from '../../src/kexec/errors';
import { parseFdt, findNode, getProp } from '../../src/kexec/dt/fdt';
import { type BootRequest, planBoot } from '../../src/kexec/plan';
import type { RunningSystem } from '../../src/kexec/system';
import { debianKernel, qemuDtb, type DebianKernel } from './debian';
import { PC } from './fake-system';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kexec-plan-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

type Skip = { skip(msg: string): void };

function kernels(t: Skip): { x86: DebianKernel; arm: DebianKernel & { dtbDir: string } } | undefined {
  const x86 = debianKernel('amd64');
  const arm = debianKernel('arm64');
  if (typeof x86 === 'string' || typeof arm === 'string' || !arm.dtbDir) {
    t.skip(typeof x86 === 'string' ? x86 : typeof arm === 'string' ? arm : 'no DTBs');
    return undefined;
  }
  return { x86, arm: arm as DebianKernel & { dtbDir: string } };
}

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function request(kernel: string, over: Partial<BootRequest> = {}): BootRequest {
  return { label: 'test:entry', kernel, initrds: [], overlays: [], cmdline: '', reuseCmdline: false, ...over };
}

function rejectsWith(p: Promise<unknown>, re: RegExp, code?: string): Promise<void> {
  return assert.rejects(p, (e: unknown) => e instanceof BootError && re.test(e.sentence) && (code === undefined || e.code === code));
}

test('x86_64 with two initrds: kexec_file_load, kexec-tools as the ENOSYS fallback, sizes and reused cmdline', async (t) => {
  const k = kernels(t);
  if (!k) return;
  const i1 = file('microcode.cpio', Buffer.alloc(4097, 1));
  const i2 = file('initrd.img', Buffer.alloc(10, 2));
  const plan = await planBoot(request(k.x86.image, { initrds: [i1, i2], cmdline: 'console=ttyS0 quiet', reuseCmdline: true }), PC);
  assert.equal(plan.method, 'kexec_file_load');
  assert.equal(plan.fallback, 'kexec-tools');
  assert.equal(plan.kernel.architecture, 'x86_64');
  assert.equal(plan.kernel.size, readFileSync(k.x86.image).length);
  assert.ok(plan.kernel.version!.startsWith(k.x86.release + ' '));
  assert.equal(plan.kernel.unpack, undefined);
  assert.deepEqual(plan.initrds, [{ path: i1, size: 4097 }, { path: i2, size: 10 }]);
  assert.equal(plan.initrdSize, 4100 + 12, 'each padded to 4 bytes');
  assert.equal(plan.dtb, undefined);
  assert.equal(plan.cmdline, 'root=UUID=2f4a3c1e ro quiet console=ttyS0 quiet');
  assert.deepEqual(plan.warnings, []);
  assert.ok(plan.notes.some((n) => n.includes('If the running kernel lacks kexec_file_load (ENOSYS), /usr/sbin/kexec loads it instead')));

  const noFileLoad = await planBoot(request(k.x86.image), { ...PC, kexecFile: false });
  assert.equal(noFileLoad.method, 'kexec-tools');
  assert.equal(noFileLoad.kexecProgram, '/usr/sbin/kexec');
  assert.ok(noFileLoad.notes.includes('Loaded with kexec-tools: the running kernel was built without kexec_file_load (CONFIG_KEXEC_FILE), and kexec-menu\'s own kexec_load serves arm64 and 32-bit ARM, not x86_64.'), noFileLoad.notes.join('\n'));

  const noTools = await planBoot(request(k.x86.image), { ...PC, kexecProgram: undefined });
  assert.equal(noTools.fallback, undefined);
  await rejectsWith(planBoot(request(k.x86.image), { ...PC, kexecProgram: undefined, kexecFile: false }), /needs the kexec program from kexec-tools, which is not on PATH: the running kernel was built without kexec_file_load/, 'ENOENT');
});

test('arm64 with the Pi 3 DTB from disk: the native kexec_load, fixed-up DTB, and the CPU parking warning before any attempt', async (t) => {
  const k = kernels(t);
  if (!k) return;
  const dtbPath = join(k.arm.dtbDir, 'broadcom/bcm2837-rpi-3-b-plus.dtb');
  const running = qemuDtb(['-M', 'raspi3b', '-kernel', k.arm.image, '-dtb', dtbPath, '-append', 'console=ttyAMA0']);
  if (typeof running === 'string') return t.skip(running);
  const pi: RunningSystem = {
    ...PC,
    arch: 'arm64',
    procCmdline: 'console=ttyAMA0 root=/dev/mmcblk0p2',
    compatible: ['raspberrypi,3-model-b-plus', 'brcm,bcm2837'],
    runningFdt: () => running,
    kexecFile: false,
    cpuParking: { possible: 4, enableMethods: ['spin-table', 'spin-table', 'spin-table', 'spin-table'] },
  };
  const cmdline = 'console=serial0,115200 root=/dev/mmcblk0p2 rootwait';
  const plan = await planBoot(request(k.arm.image, { devicetree: { kind: 'file', path: dtbPath }, cmdline }), pi);
  assert.equal(plan.method, 'kexec_load');
  assert.equal(plan.kexecProgram, undefined, 'kexec-tools is not needed');
  assert.deepEqual(plan.native, { arch: 'arm64', textOffset: 0, imageSize: plan.native?.arch === 'arm64' ? plan.native.imageSize : -1, bigEndian: false });
  assert.ok(plan.native?.arch === 'arm64' && plan.native.imageSize > plan.kernel.size, 'image_size covers the BSS past the file');
  assert.equal(plan.dtb?.origin, 'entry');
  assert.equal(plan.dtb?.source, dtbPath);
  assert.equal(plan.notes[0], 'Loaded with kexec-menu\'s own kexec_load (no kexec-tools): the entry has its own device tree, which kexec_file_load cannot pass (it passes only the running kernel\'s).');
  const fdt = parseFdt(plan.dtb!.bytes);
  assert.deepEqual([...getProp(findNode(fdt, '/memory@0')!, 'reg')!], [0, 0, 0, 0, 0x3c, 0, 0, 0]);
  assert.equal(Buffer.from(getProp(findNode(fdt, '/chosen')!, 'bootargs')!).toString('latin1'), cmdline + '\0');
  assert.equal(plan.warnings.length, 1);
  assert.match(plan.warnings[0]!, /CPUs are stuck in the kernel.*nr_cpus=1/);

  // A folder instead of a file: picked by the board's compatible, and the reason kept.
  const fromDir = await planBoot(request(k.arm.image, { devicetree: { kind: 'dir', path: k.arm.dtbDir }, cmdline }), pi);
  assert.equal(fromDir.dtb?.source, dtbPath);
  assert.match(fromDir.dtb!.reason, /^Picked broadcom\/bcm2837-rpi-3-b-plus\.dtb/);

  // kexec-tools stays the last resort for what kexec-menu does not place: an xz-wrapped
  // Image (node:zlib has no xz), and without kexec-tools that is a sentence.
  const xz = spawnSync('xz', ['-0', '-c', '--check=crc32'], { input: readFileSync(k.arm.image), maxBuffer: 1 << 28 });
  if (xz.status === 0) {
    const xzImage = file('Image.xz', xz.stdout);
    const last = await planBoot(request(xzImage, { devicetree: { kind: 'file', path: dtbPath } }), pi);
    assert.equal(last.method, 'kexec-tools');
    assert.equal(last.native, undefined);
    assert.match(last.notes.join('\n'), /Loaded with kexec-tools: the entry has its own device tree.*, and kexec-menu cannot look inside the kernel \(.*xz/);
    await rejectsWith(
      planBoot(request(xzImage, { devicetree: { kind: 'file', path: dtbPath } }), { ...pi, kexecProgram: undefined }),
      /^Booting Image\.xz needs the kexec program from kexec-tools, which is not on PATH: the entry has its own device tree, which kexec_file_load cannot pass .*, and kexec-menu cannot look inside the kernel/,
    );
  }
  const noTools = await planBoot(request(k.arm.image, { devicetree: { kind: 'file', path: dtbPath } }), { ...pi, kexecProgram: undefined });
  assert.equal(noTools.method, 'kexec_load', 'the native loader needs no kexec program');
  const withOverlay = await planBoot(request(k.arm.image, { devicetree: { kind: 'file', path: dtbPath }, overlays: ['/boot/overlays/vc4-kms-v3d.dtbo'] }), pi);
  assert.ok(withOverlay.warnings.some((w) => w.includes('vc4-kms-v3d.dtbo') && w.includes('not applied')));
});

test('arm64 without a DTB of its own: kexec_file_load with the native kexec_load as fallback; the native path gets the running tree with kaslr-seed removed', async (t) => {
  const k = kernels(t);
  if (!k) return;
  const virt = qemuDtb(['-M', 'virt', '-cpu', 'cortex-a57', '-smp', '2']);
  if (typeof virt === 'string') return t.skip(virt);
  const arm: RunningSystem = { ...PC, arch: 'arm64', runningFdt: () => virt, cpuParking: { possible: 2, enableMethods: ['psci', 'psci'] } };
  const fileLoad = await planBoot(request(k.arm.image, { cmdline: 'console=ttyAMA0' }), { ...arm, kexecFile: true });
  assert.equal(fileLoad.method, 'kexec_file_load');
  assert.equal(fileLoad.fallback, 'kexec_load');
  assert.equal(fileLoad.native?.arch, 'arm64');
  assert.equal(fileLoad.dtb?.origin, 'running', 'kept for the fallback only');
  assert.deepEqual(fileLoad.warnings, [], 'PSCI parks the CPUs');

  const tools = await planBoot(request(k.arm.image, { cmdline: 'console=ttyAMA0' }), { ...arm, kexecFile: false });
  assert.equal(tools.method, 'kexec_load');
  assert.ok(tools.notes.includes('Loaded with kexec-menu\'s own kexec_load (no kexec-tools): the running kernel was built without kexec_file_load (CONFIG_KEXEC_FILE).'));
  const chosen = findNode(parseFdt(tools.dtb!.bytes), '/chosen')!;
  assert.equal(getProp(chosen, 'kaslr-seed'), undefined);
  assert.ok(tools.dtb!.changes.some((c) => c.includes('kaslr-seed')));

  // Image.gz: decompressed by kexec-menu, the running kernel takes only a plain Image.
  const gz = file('Image.gz', gzipSync(readFileSync(k.arm.image), { level: 1 }));
  const packed = await planBoot(request(gz), { ...arm, kexecFile: true });
  assert.equal(packed.method, 'kexec_file_load');
  assert.deepEqual(packed.kernel.unpack, { method: 'gzip', start: 0, size: readFileSync(k.arm.image).length });
});

test('32-bit ARM has no kexec_file_load: the native kexec_load takes the zImage; wrong architecture and missing files are sentences', async (t) => {
  const k = kernels(t);
  if (!k) return;
  const arm32: RunningSystem = { ...PC, arch: 'arm' };
  await rejectsWith(planBoot(request(k.arm.image), arm32), /cannot be started on this machine: it is a kernel for arm64; this machine is arm\.$/, 'ENOEXEC');
  const armhf = debianKernel('armhf');
  if (typeof armhf !== 'string') {
    const plan = await planBoot(request(armhf.image), arm32);
    assert.equal(plan.method, 'kexec_load');
    assert.deepEqual(plan.native, { arch: 'arm', format: 'zImage' });
    assert.ok(plan.notes.includes('Loaded with kexec-menu\'s own kexec_load (no kexec-tools): arm kernels have no kexec_file_load.'));
    assert.equal((await planBoot(request(armhf.image), { ...arm32, kexecProgram: undefined })).method, 'kexec_load');
  }
  await rejectsWith(planBoot(request(k.x86.image, { initrds: [join(dir, 'gone.img')] }), PC), new RegExp(`^The initrd ${join(dir, 'gone.img')} is missing \\(ENOENT\\)\\.$`), 'ENOENT');
  await rejectsWith(planBoot(request(dir), PC), /is not a regular file/);
});
