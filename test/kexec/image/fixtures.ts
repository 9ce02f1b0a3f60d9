// What the image header tests share: the Debian kernels (skipping with the reason when they
// cannot be fetched), a file's first bytes, and images built from a documented layout where
// Debian ships none of that format.
import { closeSync, openSync, readSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { debianKernel, type DebianKernel } from '../debian';

export function kernelOrSkip(t: { skip(msg: string): void }, arch: 'amd64' | 'arm64' | 'armhf'): DebianKernel | undefined {
  const k = debianKernel(arch);
  if (typeof k === 'string') {
    t.skip(k);
    return undefined;
  }
  return k;
}

/** The first `n` bytes of a file (64 KiB: what inspect reads of an image). */
export function headOf(path: string, n = 64 * 1024): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** A kernel package's boot/config-<release> as a set of the options set to y. */
export function configOf(k: DebianKernel): (option: string) => boolean {
  const config = readFileSync(join(k.root, 'boot', `config-${k.release}`), 'utf8');
  return (option) => new RegExp(`^CONFIG_${option}=y$`, 'm').test(config);
}

/** An EFI zboot image around `payload` (drivers/firmware/efi/libstub/zboot-header.S). */
export function zbootAround(payload: Buffer, compression: string, peMachine: number): Buffer {
  // MZ, "zimg", payload offset/size, the compression name at 0x18, LINUX_PE_MAGIC at 0x38,
  // the PE header offset at 0x3c.
  const header = Buffer.alloc(0x200);
  header.write('MZ', 0, 'latin1');
  header.write('zimg', 4, 'latin1');
  header.writeUInt32LE(0x200, 8);
  header.writeUInt32LE(payload.length, 12);
  header.write(compression + '\0', 0x18, 'latin1');
  header.writeUInt32LE(0x818223cd, 0x38);
  header.writeUInt32LE(0x40, 0x3c);
  header.write('PE\0\0', 0x40, 'latin1');
  header.writeUInt16LE(peMachine, 0x44);
  return Buffer.concat([header, payload]);
}

/**
 * A 64 KiB riscv Image (Documentation/arch/riscv/boot-image-header.rst; bookworm has no
 * riscv64 kernel): text_offset 0x200000, image_size 0x1400000, header version 0.2, both
 * magics unless `oldMagicOnly`, and a banner at 0x8000.
 */
export function riscvImage(oldMagicOnly = false): Buffer {
  const img = Buffer.alloc(64 * 1024);
  img.writeUInt32LE(0x5a4d, 0); // MZ, as with the EFI stub
  img.writeBigUInt64LE(0x200000n, 0x08); // text_offset
  img.writeBigUInt64LE(0x1400000n, 0x10); // image_size
  img.writeUInt32LE(0x2, 0x28); // header version 0.2
  img.write('RISCV\0\0\0', 0x30, 'latin1');
  if (!oldMagicOnly) img.write('RSC\x05', 0x38, 'latin1');
  img.write('Linux version 6.6.15-riscv64 (builder@host) (gcc 13) #1 SMP\n', 0x8000, 'latin1');
  return img;
}
