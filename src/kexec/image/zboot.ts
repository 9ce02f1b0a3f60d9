// The EFI zboot header (Linux's drivers/firmware/efi/libstub/zboot-header.S): a PE image
// ("MZ" at 0) whose "zimg" at 4 is followed by the compressed payload's offset and size
// (little-endian, at 8 and 12) and the compression's name, NUL-terminated, at 0x18.
import { ascii, cString, le32 } from '../../fs/bytes';
import type { Architecture } from '../../machine/arch';
import { parsePeHeader } from './pe';

/** The zboot header as it is in the file; header.ts adds what decompressing it found inside. */
export interface ZbootFields {
  readonly format: 'efi-zboot';
  /** As the header names it: gzip, zstd, lzma, xzkern, lz4, lzo, bzip2. */
  readonly compression: string;
  readonly payloadOffset: number;
  readonly payloadSize: number;
  /** Architecture from the PE header's machine field. */
  readonly peArchitecture?: Architecture;
}

/** The zboot header alone (no `inner`: that takes decompressing), or undefined when `head` has none. */
export function parseZbootHeader(head: Uint8Array): ZbootFields | undefined {
  if (head.length < 0x40 || ascii(head, 0, 2) !== 'MZ' || ascii(head, 4, 4) !== 'zimg') return undefined;
  const pe = parsePeHeader(head);
  return {
    format: 'efi-zboot',
    compression: cString(head, 0x18, 32),
    payloadOffset: le32(head, 8),
    payloadSize: le32(head, 12),
    ...(pe?.machine ? { peArchitecture: pe.machine } : {}),
  };
}
