// Shared by the GRUB tests: run grub.cfg text (and other files) through the reader.
import { grubParser } from '../../src/entries/grub';
import { MemoryFiles } from '../../src/fs/memory-files';
import type { MachineContext } from '../../src/machine/context';
import type { ParsedEntry, ParseResult, Resource } from '../../src/entries/model';

export const X64: MachineContext = { efiArch: 'x64' };

/** Parses `cfg` as /boot/grub/grub.cfg of a partition that also holds `files`. */
export function runGrub(cfg: string, files: Record<string, string | { link: string }> = {}, machine: MachineContext = X64): ParseResult {
  return grubParser.parse(new MemoryFiles({ '/boot/grub/grub.cfg': cfg, ...files }), 'vda2', machine);
}

export const self = (path: string): Resource => ({ partition: { by: 'self' }, path });

/** The fields most tests look at, in menu order. */
export function summary(entries: readonly ParsedEntry[]): { title: string; kernel: string; cmdline: string; isDefault: boolean }[] {
  return entries.map((e) => ({
    title: e.title,
    kernel: `${e.kernel.partition.by === 'self' ? '' : `(${e.kernel.partition.by}:${'value' in e.kernel.partition ? e.kernel.partition.value : ''})`}${e.kernel.path}`,
    cmdline: e.cmdline,
    isDefault: e.isDefault,
  }));
}

export const titles = (r: ParseResult): string[] => r.entries.map((e) => e.title);
export const messages = (r: ParseResult): string[] => r.diagnostics.map((d) => `${d.severity}@${d.line ?? '-'}: ${d.message}`);

/** The GRUB environment block grub-editenv writes: signature, lines, `#` padding to 1024 bytes. */
export function grubenv(vars: Record<string, string>): string {
  const head = '# GRUB Environment Block\n' + Object.entries(vars).map(([k, v]) => `${k}=${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\\n')}\n`).join('');
  return head + '#'.repeat(Math.max(0, 1024 - head.length));
}
