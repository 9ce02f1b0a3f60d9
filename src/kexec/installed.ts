// The running system's own boot entries, for `kexec-menu reboot` and `crash load ID` on an
// installed system (Debian, Fedora, Ubuntu, Raspberry Pi OS): the file systems it has already
// mounted where its boot loader's files live (/, /boot, /boot/efi, /efi), read through the
// same readers as the menu; nothing is mounted or remounted. This file holds what is pure:
// which mounts count, which boot loader started the system, which entry it would boot, and
// kernel lockdown. src/cli/reboot.ts opens the mounts (src/disks, identification only).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BootEntry, Format } from '../entries/model';
import { bootOrder } from '../entries/scan/default';
import { EFIVARFS, LOADER_VENDOR } from '../machine/efivars';
import type { LoadMethod } from './plan';

/** Where an installed system keeps what its boot loader reads. */
export const SYSTEM_BOOT_MOUNTS: readonly string[] = ['/', '/boot', '/boot/efi', '/efi'];

/** systemd-boot (and every loader implementing the Boot Loader Interface) sets this EFI variable. */
export const LOADER_INFO_VARIABLE = `LoaderInfo-${LOADER_VENDOR}`;

/** The boot loaders whose configs say the default, in the order they are assumed when none says it started the system. */
const LOADER_ORDER: readonly Format[] = ['grub', 'extlinux', 'rpi', 'bls', 'loose'];

const LOADER_NAMES: Readonly<Record<Format, string>> = {
  grub: 'GRUB (grub.cfg, grubenv saved_entry/next_entry)',
  extlinux: 'extlinux (its DEFAULT label)',
  rpi: 'the Raspberry Pi firmware (config.txt)',
  bls: 'a Boot Loader Spec loader (loader.conf default)',
  loose: 'none that kexec-menu reads (the newest kernel in /boot)',
  yaml: 'kexec-menu\'s own YAML menu',
};

export interface Bootloader {
  readonly format: Format;
  /** Why this one, as one sentence for the plan. */
  readonly why: string;
  /** systemd-boot started this boot: its EFI variables choose first (installed-efi.ts). */
  readonly systemdBoot?: boolean;
}

/**
 * The boot loader that would start this system again: systemd-boot when its LoaderInfo EFI
 * variable says it started this boot (its entries are BLS), else the first of GRUB,
 * extlinux, the Raspberry Pi firmware, BLS and loose kernels that has entries here.
 */
export function detectBootloader(entries: readonly BootEntry[], efivars = EFIVARFS): Bootloader | undefined {
  const present = new Set(entries.map((e) => e.source.format));
  if (present.has('bls') && existsSync(join(efivars, LOADER_INFO_VARIABLE))) {
    return { format: 'bls', systemdBoot: true, why: 'systemd-boot started this system (its LoaderInfo EFI variable is set), so its choice is followed: its EFI variables (LoaderEntryOneShot, LoaderEntryDefault), then loader.conf\'s default.' };
  }
  const format = LOADER_ORDER.find((f) => present.has(f));
  if (!format) return undefined;
  return { format, why: `The boot loader is taken to be ${LOADER_NAMES[format]}: the first of GRUB, extlinux, the Raspberry Pi firmware, BLS and loose kernels with entries on the system's boot file systems.` };
}

/** What `--default` picks: the entry the boot loader marks default, else its first that can boot. */
export function installedDefault(entries: readonly BootEntry[], loader: Bootloader): BootEntry | undefined {
  const own = entries.filter((e) => e.source.format === loader.format && e.resolution.ok);
  const id = bootOrder(own, 'auto')[0];
  return own.find((e) => e.id === id);
}

/** Why --default has nothing to boot, as one sentence. */
export function noDefaultSentence(entries: readonly BootEntry[], loader: Bootloader | undefined): string {
  if (!loader) return `No boot entries were found on the system's boot file systems (${SYSTEM_BOOT_MOUNTS.join(', ')}, as far as they are mounted).`;
  const broken = entries.find((e) => e.source.format === loader.format && !e.resolution.ok);
  const reason = broken && !broken.resolution.ok ? `: '${broken.title}' cannot boot (${broken.resolution.reason})` : '';
  return `None of the entries of ${LOADER_NAMES[loader.format]} can boot here${reason}.`;
}

/** The kernel's lockdown mode from /sys/kernel/security/lockdown ("none [integrity] confidentiality"); undefined when off or unknown. */
export function lockdownMode(root = '/'): 'integrity' | 'confidentiality' | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, 'sys/kernel/security/lockdown'), 'latin1');
  } catch {
    return undefined;
  }
  const m = /\[(\w+)\]/.exec(text);
  return m?.[1] === 'integrity' || m?.[1] === 'confidentiality' ? m[1] : undefined;
}

/** The plan's warning under lockdown (Secure Boot turns it on): said before the kernel refuses. */
export function lockdownWarning(mode: 'integrity' | 'confidentiality' | undefined, method: LoadMethod): string | undefined {
  if (!mode) return undefined;
  if (method === 'kexec_file_load') return `Kernel lockdown is on (${mode}, as under Secure Boot): kexec_file_load starts only a kernel signed with a key the running kernel trusts.`;
  return `Kernel lockdown is on (${mode}, as under Secure Boot): the running kernel refuses kexec_load, so only a signed kernel loaded through kexec_file_load can start.`;
}
