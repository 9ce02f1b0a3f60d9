// The boot-entry model shared by every parser, the scanner, the menu and the kexec layer.
//
// Parsers produce ParsedEntry values: what a config file says, with every path still a
// Resource (a partition selector plus a path inside that partition). The scanner turns them
// into BootEntry values by giving each a global id and resolving its resources against the
// partitions that are present. Nothing here touches the file system.
import type { Diagnostic } from '../fs/diagnostic';
import type { PartitionFiles, PartitionInfo } from '../fs/files';
import type { MachineContext } from '../machine/context';

/** The on-disk formats kexec-menu reads. */
export type Format = 'yaml' | 'bls' | 'grub' | 'extlinux' | 'rpi' | 'loose';

export const ALL_FORMATS: readonly Format[] = ['yaml', 'bls', 'grub', 'extlinux', 'rpi', 'loose'];

/**
 * Names the partition that holds a path. `self` is the partition the config was read from;
 * the others name another partition the way GRUB's `search`, `root=UUID=…` and friends do.
 * `unmappable` keeps a reference we cannot map to a partition (GRUB's `(hd0,gpt2)`), so the
 * entry stays listed as unresolved with that reason.
 */
export type PartitionSelector =
  | { readonly by: 'self' }
  | { readonly by: 'uuid'; readonly value: string }
  | { readonly by: 'partuuid'; readonly value: string }
  | { readonly by: 'label'; readonly value: string }
  | { readonly by: 'partlabel'; readonly value: string }
  | { readonly by: 'unmappable'; readonly value: string };

export const SELF: PartitionSelector = Object.freeze({ by: 'self' });

/** A file named by a config: a partition plus an absolute, normalised path inside it. */
export interface Resource {
  readonly partition: PartitionSelector;
  /** Always starts with '/', uses '/' separators, has no '.', '..' or empty components. */
  readonly path: string;
}

/**
 * The device tree an entry asks for: one file, or a folder to pick from by the running
 * board's `compatible` (extlinux `fdtdir`, a Raspberry Pi boot partition, /boot/dtbs/VER).
 * `preferred` is a file name the config suggests inside the folder (U-Boot's `fdtfile`).
 */
export type DeviceTreeRef =
  | { readonly kind: 'file'; readonly resource: Resource }
  | { readonly kind: 'dir'; readonly resource: Resource; readonly preferred?: string };

/** Where an entry was read from. `file` is a path inside `partition`; `line` is 1-based. */
export interface EntrySource {
  readonly format: Format;
  readonly file: string;
  readonly line: number;
  readonly partition: string;
}

/** BLS boot counting (`NAME+LEFT-DONE.conf`). */
export interface BootCounting {
  readonly left: number;
  readonly done: number;
}

/** One bootable entry as its config file describes it, before resolution. */
export interface ParsedEntry {
  /**
   * Unique among this parser's entries on this partition and stable across rescans:
   * the BLS file name, GRUB's `--id` or title path, the extlinux label, the YAML id…
   */
  readonly localId: string;
  /** What the menu shows. For GRUB submenus: "Advanced options > Debian, with Linux 6.1". */
  readonly title: string;
  readonly version?: string;
  readonly kernel: Resource;
  /** In order; the kernel receives them concatenated. */
  readonly initrds: readonly Resource[];
  readonly devicetree?: DeviceTreeRef;
  readonly overlays: readonly Resource[];
  /** The kernel command line as the config gives it (without the running kernel's). */
  readonly cmdline: string;
  /** Append the running kernel's /proc/cmdline (YAML `reuse-cmdline`). */
  readonly reuseCmdline: boolean;
  /** Architecture the format declares (BLS `architecture`, UEFI names: x64, aa64, …). */
  readonly architecture?: string;
  readonly sortKey?: string;
  /** This entry's own config marks it as the default. */
  readonly isDefault: boolean;
  readonly bootCounting?: BootCounting;
  /** One-sentence remarks the menu shows with the entry (e.g. "no boot tries left"). */
  readonly notes: readonly string[];
  readonly source: EntrySource;
}

/** What a parser returns for one partition. */
export interface ParseResult {
  readonly entries: ParsedEntry[];
  readonly diagnostics: Diagnostic[];
  /**
   * The config's own menu timeout in seconds as its boot loader reads it (0 boots at once, -1
   * waits for a choice), when it has one. The settings' `timeout: from-default` lets the
   * default entry's config decide; otherwise it is only shown.
   */
  readonly configTimeout?: number;
  /** Where configTimeout was read (with it). */
  readonly configTimeoutAt?: ConfigTimeoutAt;
}

/** The line a config's timeout comes from, and what it says there. */
export interface ConfigTimeoutAt {
  /** A path inside the partition. */
  readonly file: string;
  readonly line?: number;
  /** The setting as the config writes it: `timeout=1`, `TIMEOUT 50`, `timeout 3`. */
  readonly says: string;
  /**
   * The boot loader shows no menu during this time (GRUB's timeout_style=hidden), only waits
   * for a key: kexec-menu, whose menu is always on screen, boots at once unless a key came.
   */
  readonly hiddenMenu?: boolean;
}

/** A parser: pure, files in, entries and diagnostics out. Never throws. */
export interface FormatParser {
  readonly format: Format;
  parse(files: PartitionFiles, partition: string, machine: MachineContext): ParseResult;
}

/** Host paths of an entry's files, once every resource's partition is present. */
export interface ResolvedFiles {
  readonly kernel: string;
  readonly initrds: readonly string[];
  readonly devicetree?: { readonly kind: 'file'; readonly path: string } | { readonly kind: 'dir'; readonly path: string; readonly preferred?: string };
  readonly overlays: readonly string[];
}

export type Resolution = { readonly ok: true; readonly files: ResolvedFiles } | { readonly ok: false; readonly reason: string };

/** An entry of the menu: a parsed entry with a global id and its resolution. */
export interface BootEntry extends ParsedEntry {
  /** Unique in the menu and stable across rescans (partition identity + format + local id). */
  readonly id: string;
  readonly partition: PartitionInfo;
  readonly resolution: Resolution;
  /**
   * With a password set: why this entry boots only with it (it uses files of another disk
   * than its config's, or comes from a boot server, which the settings do not trust:
   * scan/trust.ts). It never boots by itself.
   */
  readonly needsPassword?: string;
}
