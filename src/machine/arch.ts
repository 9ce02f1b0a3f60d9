// The machine's architecture, in one place: the kernel's name for it (what image headers and
// `uname -m` mean), node's name for it (process.arch), the UEFI name the Boot Loader Spec
// uses (`architecture x64`), the platform GRUB would run as there (`grub_cpu`), and the
// longest command line its kernels take (`COMMAND_LINE_SIZE`).

/** Architectures in the kernel's naming. */
export type Architecture =
  | 'x86_64'
  | 'x86'
  | 'arm64'
  | 'arm'
  | 'riscv64'
  | 'riscv32'
  | 'loongarch64'
  | 'powerpc64'
  | 'powerpc'
  | 's390x'
  | 's390'
  | 'mips';

/** UEFI's short names, as BLS `architecture` and the `BOOTX64.EFI`-style file names use them. */
export type EfiArch = 'x64' | 'ia32' | 'aa64' | 'arm' | 'riscv64' | 'riscv32' | 'loongarch64' | 'ppc64' | 'ppc' | 's390x' | 's390' | 'mips';

interface ArchFacts {
  readonly efi: EfiArch;
  /** GRUB's `grub_platform` and `grub_cpu` for the build that would boot this machine. */
  readonly grub: { readonly platform: string; readonly cpu: string };
}

const FACTS: Readonly<Record<Architecture, ArchFacts>> = {
  x86_64: { efi: 'x64', grub: { platform: 'efi', cpu: 'x86_64' } },
  x86: { efi: 'ia32', grub: { platform: 'efi', cpu: 'i386' } },
  arm64: { efi: 'aa64', grub: { platform: 'efi', cpu: 'arm64' } },
  arm: { efi: 'arm', grub: { platform: 'efi', cpu: 'arm' } },
  riscv64: { efi: 'riscv64', grub: { platform: 'efi', cpu: 'riscv64' } },
  riscv32: { efi: 'riscv32', grub: { platform: 'efi', cpu: 'riscv32' } },
  loongarch64: { efi: 'loongarch64', grub: { platform: 'efi', cpu: 'loongarch64' } },
  powerpc64: { efi: 'ppc64', grub: { platform: 'ieee1275', cpu: 'powerpc' } },
  powerpc: { efi: 'ppc', grub: { platform: 'ieee1275', cpu: 'powerpc' } },
  s390x: { efi: 's390x', grub: { platform: 'emu', cpu: 's390x' } },
  s390: { efi: 's390', grub: { platform: 'emu', cpu: 's390' } },
  mips: { efi: 'mips', grub: { platform: 'arc', cpu: 'mips' } },
};

/** Node's process.arch → the kernel's name. Every value node documents is here. */
const FROM_NODE: Readonly<Record<string, Architecture>> = {
  x64: 'x86_64',
  ia32: 'x86',
  arm64: 'arm64',
  arm: 'arm',
  riscv64: 'riscv64',
  loong64: 'loongarch64',
  ppc64: 'powerpc64',
  ppc: 'powerpc',
  s390x: 's390x',
  s390: 's390',
  mips: 'mips',
  mipsel: 'mips',
};

/** The running machine's architecture (or the one node calls `nodeArch`). */
export function runningArch(nodeArch: string = process.arch): Architecture {
  const arch = FROM_NODE[nodeArch];
  // Node runs on no other; a new one must be added above, not guessed.
  if (arch === undefined) throw new Error(`node reports an architecture kexec-menu does not know: ${nodeArch}`);
  return arch;
}

export function efiArchOf(arch: Architecture): EfiArch {
  return FACTS[arch].efi;
}

/** GRUB's platform for a machine of this UEFI architecture (configs test `grub_platform`). */
export function grubPlatformOf(efi: EfiArch): { readonly platform: string; readonly cpu: string } {
  for (const facts of Object.values(FACTS)) if (facts.efi === efi) return facts.grub;
  return { platform: 'efi', cpu: efi };
}

/**
 * The kernel's COMMAND_LINE_SIZE (arch/<arch>/include/uapi/asm/setup.h, or asm/setup.h on
 * x86): the buffer the kernel copies its command line into, with the terminating NUL, so the
 * longest line it keeps is one byte less. Mainline's values in 2025: riscv raised 512 to
 * 1024 (61fc1ee8be26), powerpc 512 to 2048 (a5980d064fe2), loongarch the generic 512 to 4096
 * (its own uapi setup.h, 2025); s390 takes CONFIG_COMMAND_LINE_SIZE, 4096 by default.
 */
const COMMAND_LINE_SIZE: Readonly<Record<Architecture, number>> = {
  x86_64: 2048, x86: 2048, arm64: 2048, powerpc64: 2048, powerpc: 2048,
  arm: 1024, riscv64: 1024, riscv32: 1024,
  loongarch64: 4096, s390x: 4096, s390: 4096, mips: 4096,
};

/** The kernel's COMMAND_LINE_SIZE on `arch`, in bytes with the terminating NUL. */
export function commandLineSizeOf(arch: Architecture): number {
  return COMMAND_LINE_SIZE[arch];
}
