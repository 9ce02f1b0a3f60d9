import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { BootError } from '../../src/kexec/errors';
import { inspectKernelImage, kexecVerdictOfFile, type KernelImageInfo } from '../../src/kexec/inspect';
import { run } from './debian';
import { kernelOrSkip, riscvImage, zbootAround } from './image/fixtures';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kexec-inspect-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function rejects(path: string, pattern: RegExp): Promise<BootError> {
  try {
    await inspectKernelImage(path, 'x86_64');
  } catch (err) {
    assert.ok(err instanceof BootError, `a BootError, not ${String(err)}`);
    assert.match(err.sentence, pattern);
    assert.ok(err.sentence.includes(path), `the sentence names the file: ${err.sentence}`);
    return err;
  }
  assert.fail(`${path} was accepted`);
}

test('x86 bzImage from Debian: header, and the version equals the package\'s', async (t) => {
  const k = kernelOrSkip(t, 'amd64');
  if (!k) return;
  const info = await inspectKernelImage(k.image, 'x86_64');
  assert.equal(info.header.format, 'bzImage');
  if (info.header.format !== 'bzImage') return;
  assert.equal(info.release, k.release, 'the release in the setup header is the package\'s /lib/modules name');
  assert.ok(info.version!.includes(`Debian ${k.version} `), `${info.version} names the package version ${k.version}`);
  assert.equal(info.architecture, 'x86_64');
  assert.ok(info.header.kernel64 && info.header.canBeLoadedAbove4G && info.header.relocatable && info.header.loadedHigh);
  assert.match(info.header.protocol, /^2\.1[2-9]$/);
  // file(1) reads the same setup header: its version text must be ours.
  const file = run('file', ['-b', k.image]);
  assert.ok(file.includes(`version ${info.version}`), file);
  assert.equal(info.canKexecHere.ok, true);
  const onArm = await inspectKernelImage(k.image, 'arm64');
  assert.deepEqual(onArm.canKexecHere, { ok: false, reason: 'it is an x86 kernel; this machine is arm64' });
});

test('arm64 Image from Debian: header flags agree with file(1), version from the banner', async (t) => {
  const k = kernelOrSkip(t, 'arm64');
  if (!k) return;
  const info = await inspectKernelImage(k.image, 'arm64');
  assert.equal(info.header.format, 'arm64-image');
  if (info.header.format !== 'arm64-image') return;
  assert.equal(info.release, k.release);
  assert.ok(info.version!.includes(`Debian ${k.version} `), info.version);
  assert.match(info.version!, / #1 SMP /, 'the final banner, not the copy without the build number');
  const file = run('file', ['-b', k.image]);
  assert.match(file, /ARM64 boot executable Image, little-endian, 4K pages/);
  assert.equal(info.header.bigEndian, false);
  assert.equal(info.header.pageSize, 4096);
  assert.ok(info.header.imageSize >= info.size, 'image_size covers the file plus BSS');
  assert.equal(info.canKexecHere.ok, true);
  assert.equal((await inspectKernelImage(k.image, 'x86_64')).canKexecHere.reason, 'it is a kernel for arm64; this machine is x86_64');
});

test('a gzip-wrapped arm64 Image and an EFI zboot image around it are looked into', async (t) => {
  const k = kernelOrSkip(t, 'arm64');
  if (!k) return;
  const raw = readFileSync(k.image);
  const gz = zlib.gzipSync(raw, { level: 1 });
  const gzPath = join(dir, 'Image.gz');
  writeFileSync(gzPath, gz);
  const wrapped = await inspectKernelImage(gzPath, 'arm64');
  assert.equal(wrapped.header.format, 'compressed');
  if (wrapped.header.format !== 'compressed') return;
  assert.equal(wrapped.header.method, 'gzip');
  assert.equal(wrapped.header.inner?.format, 'arm64-image');
  assert.equal(wrapped.header.uncompressedSize, raw.length);
  assert.equal(wrapped.release, k.release);
  assert.equal(wrapped.architecture, 'arm64');

  const zbootPath = join(dir, 'vmlinuz.efi');
  writeFileSync(zbootPath, zbootAround(gz, 'gzip', 0xaa64));
  const z = await inspectKernelImage(zbootPath, 'arm64');
  assert.equal(z.header.format, 'efi-zboot');
  if (z.header.format !== 'efi-zboot') return;
  assert.equal(z.header.compression, 'gzip');
  assert.equal(z.header.payloadOffset, 0x200);
  assert.equal(z.header.peArchitecture, 'arm64');
  assert.equal(z.header.inner?.format, 'arm64-image');
  assert.equal(z.version, wrapped.version);
  assert.equal(z.canKexecHere.ok, true);

  // A zboot image with a payload this Node cannot open still says what it is.
  const lzmaPath = join(dir, 'vmlinuz-lzma.efi');
  writeFileSync(lzmaPath, zbootAround(Buffer.alloc(4096, 1), 'lzma', 0xaa64));
  const l = await inspectKernelImage(lzmaPath, 'x86_64');
  assert.equal(l.architecture, 'arm64', 'from the PE header');
  assert.equal(l.canKexecHere.ok, false);
  assert.match(l.versionUnavailable!, /no lzma decoder/);
});

test('the header-only verdict the menu uses agrees with the full inspection, and reads a compressed image only as far as its header', async (t) => {
  const k = kernelOrSkip(t, 'arm64');
  if (!k) return;
  const gz = zlib.gzipSync(readFileSync(k.image), { level: 1 });
  const gzPath = join(dir, 'verdict-Image.gz');
  writeFileSync(gzPath, gz);
  for (const path of [k.image, gzPath]) {
    for (const host of ['arm64', 'x86_64'] as const) {
      assert.deepEqual(await kexecVerdictOfFile(path, host), (await inspectKernelImage(path, host)).canKexecHere, `${path} on ${host}`);
    }
  }
  // Cut after 1 MB of compressed data: the full inspection, which reads to the banner and
  // the end, fails on it; the verdict needs only the first 64 KiB decompressed.
  const cutPath = join(dir, 'verdict-cut.gz');
  writeFileSync(cutPath, gz.subarray(0, 1 << 20));
  await assert.rejects(inspectKernelImage(cutPath, 'arm64'), BootError);
  assert.deepEqual(await kexecVerdictOfFile(cutPath, 'arm64'), (await inspectKernelImage(gzPath, 'arm64')).canKexecHere);
  assert.equal((await kexecVerdictOfFile(cutPath, 'x86_64')).ok, false);
  // What is not a kernel is still a sentence naming the file.
  const junk = join(dir, 'verdict-junk');
  writeFileSync(junk, Buffer.alloc(4096, 0x41));
  await assert.rejects(kexecVerdictOfFile(junk, 'arm64'), (err: Error) => err instanceof BootError && err.message.startsWith(junk));
});

test('zstd, xz and lz4 wrappers are named; zstd is opened where node:zlib has it', async (t) => {
  const k = kernelOrSkip(t, 'arm64');
  if (!k) return;
  const zstdPath = join(dir, 'Image.zst');
  run('zstd', ['-1', '-q', '-f', k.image, '-o', zstdPath]);
  const z = await inspectKernelImage(zstdPath, 'arm64');
  assert.equal(z.header.format === 'compressed' && z.header.method, 'zstd');
  const nodeHasZstd = typeof (zlib as unknown as Record<string, unknown>).createZstdDecompress === 'function';
  if (nodeHasZstd) {
    assert.equal(z.release, k.release);
  } else {
    assert.match(z.versionUnavailable!, /no zstd decoder.*22\.15/);
    assert.equal(z.canKexecHere.ok, true, 'unknown contents are not refused');
  }
  // lz4 -l: the legacy frame the kernel's build writes.
  const small = join(dir, 'head.bin');
  writeFileSync(small, readFileSync(k.image).subarray(0, 1 << 20));
  run('lz4', ['-l', '-q', '-f', small, join(dir, 'Image.lz4')]);
  run('xz', ['-0', '-k', '-f', small]);
  for (const [file, method] of [
    ['Image.lz4', 'lz4'],
    ['head.bin.xz', 'xz'],
  ] as const) {
    const info = await inspectKernelImage(join(dir, file), 'arm64');
    assert.equal(info.header.format === 'compressed' && info.header.method, method, file);
    assert.match(info.versionUnavailable!, new RegExp(`no ${method} decoder`));
  }
});

test('ELF vmlinux out of the Debian bzImage: e_machine and the same version', async (t) => {
  const k = kernelOrSkip(t, 'amd64');
  if (!k) return;
  const bz = await inspectKernelImage(k.image, 'x86_64');
  if (bz.header.format !== 'bzImage') return assert.fail('not a bzImage');
  const { payloadOffset, payloadLength } = bz.header;
  const payload = readFileSync(k.image).subarray(payloadOffset!, payloadOffset! + payloadLength!);
  const xzPath = join(dir, 'payload.xz');
  writeFileSync(xzPath, payload);
  const wrapped = await inspectKernelImage(xzPath, 'x86_64');
  assert.equal(wrapped.header.format === 'compressed' && wrapped.header.method, 'xz', 'Debian compresses its x86 kernel with xz');
  const vmlinux = spawnSync('xz', ['-dc', '--single-stream'], { input: payload, maxBuffer: 512 * 1024 * 1024 });
  const elfPath = join(dir, 'vmlinux');
  writeFileSync(elfPath, vmlinux.stdout);
  const elf = await inspectKernelImage(elfPath, 'x86_64');
  assert.deepEqual(elf.header, { format: 'elf', bits: 64, bigEndian: false, machine: 62, machineName: 'x86_64' });
  // The banner adds the compiler to what the setup header says; release and UTS version agree.
  assert.equal(elf.release, bz.release);
  const utsVersion = bz.version!.slice(bz.version!.indexOf(' #'));
  assert.ok(elf.version!.endsWith(utsVersion), `${elf.version} ends with ${utsVersion}`);
  assert.equal(elf.canKexecHere.ok, true);
});

test('32-bit ARM zImage from Debian armmp: header and the payload compression', async (t) => {
  const k = kernelOrSkip(t, 'armhf');
  if (!k) return;
  const info = await inspectKernelImage(k.image, 'arm');
  assert.equal(info.header.format, 'arm-zimage');
  if (info.header.format !== 'arm-zimage') return;
  assert.equal(info.header.bigEndian, false);
  assert.equal(info.header.end - info.header.start, info.size);
  assert.equal(info.architecture, 'arm');
  const config = readFileSync(join(k.root, 'boot', `config-${k.release}`), 'utf8');
  const method = /^CONFIG_KERNEL_(GZIP|XZ|LZ4|LZO|LZMA)=y$/m.exec(config)![1]!.toLowerCase();
  assert.equal(info.header.payloadCompression, method);
  if (method === 'gzip') assert.equal(info.release, k.release);
  else assert.match(info.versionUnavailable!, new RegExp(method));
  assert.equal((await inspectKernelImage(k.image, 'arm64')).canKexecHere.ok, false);
});

test('a riscv Image header (no Debian riscv64 kernel in bookworm: built from the documented layout)', async () => {
  const p = join(dir, 'Image-riscv');
  writeFileSync(p, riscvImage());
  const info: KernelImageInfo = await inspectKernelImage(p, 'riscv64');
  assert.deepEqual(info.header, { format: 'riscv-image', textOffset: 0x200000, imageSize: 0x1400000, headerVersion: '0.2' });
  assert.equal(info.release, '6.6.15-riscv64');
  assert.equal(info.canKexecHere.ok, true);
});

test('truncated, corrupted and foreign files are clean errors naming the file', async (t) => {
  const x86 = kernelOrSkip(t, 'amd64');
  const arm = kernelOrSkip(t, 'arm64');
  if (!x86 || !arm) return;
  const bz = readFileSync(x86.image);
  const image = readFileSync(arm.image);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['bz-truncated', bz.subarray(0, 4 << 20), /truncated: its setup header says at least \d+ bytes, it has 4194304/],
    ['arm64-truncated', image.subarray(0, 1 << 20), /truncated: its PE section table says/],
    ['tiny', bz.subarray(0, 100), /too short to be a kernel image/],
    ['text', Buffer.from('#!/bin/sh\necho not a kernel\n'.repeat(40)), /not a Linux kernel image kexec-menu recognises/],
  ];
  const noMagic = Buffer.from(image.subarray(0, 2 << 20));
  noMagic.write('XXXX', 0x38, 'latin1'); // ARM\x64 gone
  noMagic.write('XX', 0, 'latin1'); // and the MZ of the EFI stub
  cases.push(['arm64-no-magic', noMagic, /not a Linux kernel image/]);
  const gz = zlib.gzipSync(image.subarray(0, 8 << 20), { level: 1 });
  cases.push(['gz-truncated', gz.subarray(0, gz.length >> 1), /compressed data is damaged or truncated \(unexpected end of file\)/]);
  const damaged = Buffer.from(gz);
  for (let i = 64; i < 4096; i++) damaged[i] = (damaged[i]! * 7 + 13) & 0xff;
  cases.push(['gz-damaged', damaged, /compressed data is damaged or truncated/]);
  for (const [name, bytes, pattern] of cases) {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    await rejects(p, pattern);
  }
  const missing = await rejects(join(dir, 'nope'), /is missing \(ENOENT\)/);
  assert.equal(missing.code, 'ENOENT');
});
