// The x86 boot protocol's setup header (Linux's Documentation/arch/x86/boot.rst, "The Real-Mode
// Kernel Header"): setup_sects at 0x1f1, syssize at 0x1f4, "HdrS" at 0x202, the protocol
// version at 0x206, kernel_version at 0x20e, loadflags at 0x211, relocatable_kernel at 0x234
// (2.05+), xloadflags at 0x236 (2.12+), payload_offset/payload_length at 0x248/0x24c (2.08+),
// init_size at 0x260 (2.10+).
import { ascii, le16, le32 } from '../../fs/bytes';

export interface BzImageHeader {
  readonly format: 'bzImage';
  /** Boot protocol version, "2.15". */
  readonly protocol: string;
  readonly setupSects: number;
  /** loadflags LOADED_HIGH: a bzImage (protected-mode code at 1 MiB) rather than a zImage. */
  readonly loadedHigh: boolean;
  readonly relocatable: boolean;
  /** xloadflags (protocol 2.12+). */
  readonly kernel64: boolean;
  readonly canBeLoadedAbove4G: boolean;
  readonly efiHandover32: boolean;
  readonly efiHandover64: boolean;
  readonly efiKexec: boolean;
  /** Size of the file the setup header describes: (setup_sects + 1) * 512 + syssize * 16. */
  readonly declaredSize: number;
  readonly payloadOffset?: number;
  readonly payloadLength?: number;
  readonly initSize?: number;
}

/** The setup header of an x86 kernel, or undefined when `head` has none. */
export function parseBzImageHeader(head: Uint8Array): BzImageHeader | undefined {
  if (head.length < 0x264 || ascii(head, 0x202, 4) !== 'HdrS') return undefined;
  const protocol = le16(head, 0x206);
  // boot.rst: "If this field is 0, the real value is 4."
  const setupSects = head[0x1f1] || 4;
  const loadflags = head[0x211]!;
  const xload = protocol >= 0x20c ? le16(head, 0x236) : 0;
  const syssize = le32(head, 0x1f4);
  return {
    format: 'bzImage',
    protocol: `${protocol >> 8}.${String(protocol & 0xff).padStart(2, '0')}`,
    setupSects,
    loadedHigh: (loadflags & 1) !== 0,
    relocatable: protocol >= 0x205 && head[0x234] !== 0,
    kernel64: (xload & 1) !== 0,
    canBeLoadedAbove4G: (xload & 2) !== 0,
    efiHandover32: (xload & 4) !== 0,
    efiHandover64: (xload & 8) !== 0,
    efiKexec: (xload & 16) !== 0,
    declaredSize: (setupSects + 1) * 512 + syssize * 16,
    ...(protocol >= 0x208 ? { payloadOffset: le32(head, 0x248) + (setupSects + 1) * 512, payloadLength: le32(head, 0x24c) } : {}),
    ...(protocol >= 0x20a ? { initSize: le32(head, 0x260) } : {}),
  };
}

/** Where in the file the kernel_version string starts (0x200 + kernel_version), if it has one. */
export function bzImageVersionOffset(head: Uint8Array): number | undefined {
  const ptr = le16(head, 0x20e);
  return ptr ? 0x200 + ptr : undefined;
}
