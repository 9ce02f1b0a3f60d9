// extlinux.conf / syslinux.cfg / isolinux.cfg entries: what U-Boot's distro boot and
// SYSLINUX would offer from the config on a partition. Reading the file (keywords,
// includes, menus) is extlinux-config.ts; this file decides which config is read, which
// labels are Linux kernels, their initrds, command line, device tree, the default and the
// timeout.
import type { ConfigTimeoutAt, DeviceTreeRef, FormatParser, ParsedEntry, ParseResult, Resource } from './model';
import type { Diagnostic } from '../fs/diagnostic';
import type { MachineContext } from '../machine/context';
import type { PartitionFiles } from '../fs/files';
import { SELF } from './model';
import { existingPaths } from '../fs/existing';
import { DiagnosticCap } from './diagnostic-cap';
import { basename } from '../fs/paths';
import { kernelVersionOf } from './loose-names';
import { type ExtlinuxConfig, type LabelDraft, type Submenu, readExtlinuxConfig, resolveConfigPath } from './extlinux-config';

/**
 * Config files, in the order they are looked for: U-Boot's distro boot tries the prefixes
 * "/" then "/boot/" with extlinux/extlinux.conf; ISOLINUX searches /boot/isolinux,
 * /isolinux, /boot/syslinux, /syslinux, / for isolinux.cfg then syslinux.cfg; EXTLINUX and
 * SYSLINUX search /boot/syslinux, /syslinux, / for extlinux.conf then syslinux.cfg. Case is
 * ignored (FAT and ISO 9660 media are written in any case). The first one found is read;
 * others are reported, since only one of them is what the firmware boots.
 */
export const CONFIG_PATHS: readonly string[] = [
  '/extlinux/extlinux.conf',
  '/boot/extlinux/extlinux.conf',
  '/boot/isolinux/isolinux.cfg',
  '/boot/isolinux/syslinux.cfg',
  '/isolinux/isolinux.cfg',
  '/isolinux/syslinux.cfg',
  '/boot/syslinux/extlinux.conf',
  '/boot/syslinux/syslinux.cfg',
  '/syslinux/extlinux.conf',
  '/syslinux/syslinux.cfg',
  '/extlinux.conf',
  '/syslinux.cfg',
];

/** SYSLINUX picks the image type of `kernel FILE` by extension (ldlinux.c file_extensions). */
const MODULE_EXTENSIONS: Readonly<Record<string, string>> = {
  '.c32': 'a COM32 module',
  '.bin': 'a boot sector',
  '.bs': 'a boot sector',
  '.bss': 'a boot sector',
  '.0': 'a PXE program',
  '.com': 'a COMBOOT program',
  '.cbt': 'a COMBOOT program',
};

const NOT_LINUX_KEYWORDS: Readonly<Record<string, string>> = {
  boot: 'a boot sector',
  bss: 'a boot sector',
  pxe: 'a PXE program',
  fdimage: 'a floppy image',
  comboot: 'a COMBOOT program',
  com32: 'a COM32 module',
  config: 'another SYSLINUX configuration',
};

/** Diagnostics one file may add before one line says the rest were dropped (GRUB's 50). */
export const MAX_DIAGNOSTICS_PER_FILE = 50;

function report(diagnostics: DiagnosticCap, severity: Diagnostic['severity'], file: string, line: number, message: string): void {
  diagnostics.add({ severity, file, line, message });
}

/** Menu labels mark their hotkey with '^', which the menu does not show. */
function stripHotkey(s: string): string {
  return s.replace(/\^/g, '').trim();
}

function submenuName(menu: Submenu): string {
  return stripHotkey(menu.label ?? menu.title ?? menu.tag);
}

function titleOf(label: LabelDraft): string {
  let title = stripHotkey(label.menuLabel ?? label.name) || label.name;
  for (let m = label.submenu; m; m = m.parent) title = `${submenuName(m)} > ${title}`;
  return title;
}

/** The module or non-Linux image a label starts, or undefined for a Linux kernel. */
function notLinuxReason(config: ExtlinuxConfig, keyword: string, path: string): string | undefined {
  if (keyword === 'localboot') return 'boots the next local disk (localboot), which kexec cannot do';
  const what = NOT_LINUX_KEYWORDS[keyword];
  if (what) return `starts ${what} (${keyword} ${path}), not a Linux kernel`;
  if (keyword !== 'kernel') return undefined; // `linux FILE` forces a Linux kernel whatever its name
  const name = basename(path).toLowerCase();
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot) : '';
  const module = MODULE_EXTENSIONS[ext] ?? (config.flavor === 'syslinux' && ext === '.img' ? 'a floppy image' : undefined);
  if (module) return `starts ${module} (${path}), not a Linux kernel`;
  if (name === 'memdisk') return 'starts MEMDISK, which emulates a BIOS disk and cannot run after kexec';
  return undefined;
}

/** Splits the words of a command line; removes every initrd= word and returns the first one's value. */
function takeInitrdWords(cmdline: string): { cmdline: string; initrd?: string } {
  let initrd: string | undefined;
  const kept: string[] = [];
  for (const word of cmdline.split(/\s+/).filter(Boolean)) {
    if (word.startsWith('initrd=')) initrd ??= word.slice('initrd='.length);
    else kept.push(word);
  }
  return initrd === undefined ? { cmdline: kept.join(' ') } : { cmdline: kept.join(' '), initrd };
}

function resource(config: ExtlinuxConfig, path: string): Resource {
  return { partition: SELF, path: resolveConfigPath(config, path) };
}

/** Builds one entry from a label, or says in a diagnostic why there is none. */
function entryOf(
  config: ExtlinuxConfig,
  files: PartitionFiles,
  label: LabelDraft,
  partition: string,
  diagnostics: DiagnosticCap,
): Omit<ParsedEntry, 'localId' | 'isDefault'> | undefined {
  if (label.notBootable) return undefined; // "Back..", separators: menu navigation, silently
  if (label.hidden) {
    report(diagnostics, 'info', label.file, label.line, `label ${label.name} is hidden from the menu (menu hide): not listed`);
    return undefined;
  }
  let kernel = label.kernel;
  if (!kernel) {
    // SYSLINUX boots a file named like the label when no kernel is given (the label's
    // default kernel, readconfig.c); U-Boot skips such a label ("No kernel given").
    if (config.flavor === 'syslinux' && files.isFile(resolveConfigPath(config, label.name))) {
      kernel = { keyword: 'kernel', value: label.name };
    } else {
      report(diagnostics, 'info', label.file, label.line, `label ${label.name} names no kernel: not listed`);
      return undefined;
    }
  }
  // SYSLINUX splits "kernel FILE ARGS" at the first blank and puts ARGS before the append line.
  const kernelPath = kernel.value.split(/\s+/)[0] ?? '';
  const kernelArgs = kernel.value.slice(kernelPath.length).trim();
  const notLinux = kernelPath === '' && kernel.keyword !== 'localboot' ? 'names no kernel file' : notLinuxReason(config, kernel.keyword, kernelPath);
  if (notLinux) {
    report(diagnostics, 'info', label.file, label.line, `label ${label.name} ${notLinux}: not listed`);
    return undefined;
  }
  const notes: string[] = [];
  // U-Boot: "kernel FILE#CONF" selects a configuration of a FIT image.
  let kernelFile = kernelPath;
  const hash = kernelFile.indexOf('#');
  if (hash > 0) {
    notes.push(`the FIT configuration ${kernelFile.slice(hash)} is ignored: kexec loads the image as a kernel`);
    kernelFile = kernelFile.slice(0, hash);
  }

  // A label's append replaces the global one; "append -" means none (SYSLINUX, doc/syslinux.txt).
  const append = label.append ?? config.globalAppend ?? '';
  const words = takeInitrdWords([kernelArgs, append === '-' ? '' : append].filter(Boolean).join(' '));
  // Which initrd counts when both `initrd` and `append … initrd=` are given:
  // SYSLINUX adds " initrd=FILE" after the append text and loads the first initrd= it finds
  // (kernel.c), so append's wins; U-Boot keeps whichever of the two lines came first.
  const initrdList =
    config.flavor === 'syslinux'
      ? (words.initrd ?? label.initrd)
      : label.initrdFromAppendFirst
        ? (words.initrd ?? label.initrd)
        : (label.initrd ?? words.initrd);
  // The initrd= words are dropped from the command line: they only tell the boot loader
  // what to load (SYSLINUX passes them on, the kernel ignores them), and kexec hands the
  // initrd over itself; left there, editing them would seem to change the initrd and would not.
  const cmdline = words.cmdline;
  if (cmdline.includes('${')) notes.push('the command line uses U-Boot variables (${…}) that only U-Boot can fill in');

  let devicetree: DeviceTreeRef | undefined;
  if (label.fdt !== undefined && label.fdt !== '') {
    devicetree = { kind: 'file', resource: resource(config, label.fdt) };
  } else if (label.fdtdir !== undefined) {
    // U-Boot picks ${fdtfile} (or ${soc}-${board}.dtb) inside the folder: values of its
    // environment, unknown here, so the kexec layer matches by the board's compatible.
    devicetree = { kind: 'dir', resource: resource(config, label.fdtdir === '' ? '.' : label.fdtdir) };
  }
  const overlays = (label.fdtoverlays ?? '').split(/\s+/).filter(Boolean).map((p) => resource(config, p));
  const initrds = (initrdList ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((p) => resource(config, p));
  const kernelResource = resource(config, kernelFile);
  const version = kernelVersionOf(basename(kernelResource.path));
  return {
    title: titleOf(label),
    ...(version !== undefined ? { version } : {}),
    kernel: kernelResource,
    initrds,
    ...(devicetree ? { devicetree } : {}),
    overlays,
    cmdline,
    reuseCmdline: false,
    notes,
    source: { format: 'extlinux', file: label.file, line: label.line, partition },
  };
}

/** The label that boots when nobody chooses, by each program's rule. */
function defaultLabel(config: ExtlinuxConfig, labels: readonly LabelDraft[]): LabelDraft | undefined {
  if (config.flavor === 'uboot') {
    // pxe_menu_to_menu(): strcmp(label->name, cfg->default_label).
    return config.ubootDefault === undefined ? undefined : labels.find((l) => l.name === config.ubootDefault);
  }
  // SYSLINUX: find_label() compares the first word of a command with label names. The menu
  // runs `ontimeout` when the timeout expires; otherwise the global default, when it names a
  // label, is where the menu starts; otherwise the `menu default` of the top menu.
  const byCommand = (command: string | undefined): LabelDraft | undefined => {
    if (command === undefined) return undefined;
    const word = command.split(/\s+/)[0] ?? '';
    return labels.find((l) => l.name === word);
  };
  return (
    byCommand(config.ontimeout?.value) ??
    byCommand(config.defaultLine?.value) ??
    [...labels].reverse().find((l) => l.menuDefault && l.submenu === undefined)
  );
}

/** Whether the program shows a menu or a prompt at all (else the default boots at once). */
function menuShown(config: ExtlinuxConfig): boolean {
  if (config.flavor === 'uboot') return config.topLevelMenu;
  const defaultWord = (config.defaultLine?.value.split(/\s+/)[0] ?? '').toLowerCase();
  return config.ui !== undefined || defaultWord.endsWith('.c32') || (config.prompt ?? 0) !== 0;
}

/**
 * The config's timeout in seconds: TIMEOUT counts tenths of a second and 0 (or none)
 * means wait for the user, in both programs (U-Boot rounds up to whole seconds). With no
 * menu or prompt shown, the default boots at once. -1 stands for "waits", as in Settings.
 */
function timeoutOf(config: ExtlinuxConfig): number {
  if (!menuShown(config)) return 0;
  const tenths = config.timeout === undefined ? 0 : Number.parseInt(config.timeout.value, 10);
  return tenths > 0 ? Math.ceil(tenths / 10) : -1;
}

/** Where timeoutOf's answer comes from: the TIMEOUT line, or the config (`path`) as a whole. */
function timeoutAt(config: ExtlinuxConfig, path: string): ConfigTimeoutAt {
  if (!menuShown(config)) return { file: path, says: 'no menu or prompt' };
  const t = config.timeout;
  return t ? { file: t.file, line: t.line, says: `${config.flavor === 'uboot' ? 'timeout' : 'TIMEOUT'} ${t.value}` } : { file: path, says: 'no TIMEOUT' };
}

function findConfig(files: PartitionFiles, diagnostics: DiagnosticCap): string | undefined {
  const found = existingPaths(files, CONFIG_PATHS, 'file');
  for (const other of found.slice(1)) {
    diagnostics.add({ severity: 'info', file: other, message: `not read: ${found[0]} comes first in the boot loaders' search order` });
  }
  return found[0];
}

/** `taken`: each id given, with the next number to try after it (10,000 labels of one name stay linear). */
function uniqueId(wanted: string, taken: Map<string, number>): string {
  let id = wanted;
  let n = taken.get(wanted) ?? 2;
  for (; taken.has(id); n++) id = `${wanted}#${n}`;
  taken.set(wanted, n);
  if (id !== wanted) taken.set(id, 2);
  return id;
}

function parse(files: PartitionFiles, partition: string, _machine: MachineContext): ParseResult {
  const diagnostics: Diagnostic[] = [];
  // A junk config (thousands of labels without a kernel) keeps its first diagnostics only.
  const cap = new DiagnosticCap(MAX_DIAGNOSTICS_PER_FILE, diagnostics);
  const path = findConfig(files, cap);
  if (path === undefined) return { entries: [], diagnostics };
  const config = readExtlinuxConfig(files, path, cap);
  if (!config) {
    diagnostics.push({ severity: 'error', file: path, message: 'the config file cannot be read' });
    return { entries: [], diagnostics };
  }

  const def = defaultLabel(config, config.labels);
  if (config.flavor === 'uboot' && config.ubootDefault !== undefined && !def) {
    cap.add({ severity: 'warning', file: path, message: `default ${config.ubootDefault} names no label` });
  }
  const taken = new Map<string, number>();
  const entries: ParsedEntry[] = [];
  for (const label of config.labels) {
    const entry = entryOf(config, files, label, partition, cap);
    if (!entry) continue;
    const localId = uniqueId(label.name, taken);
    if (localId !== label.name) report(cap, 'warning', label.file, label.line, `label ${label.name} is defined twice; this one is listed as ${localId}`);
    entries.push({ localId, ...entry, isDefault: label === def });
  }

  // SYSLINUX's DEFAULT may be a command line rather than a label ("default vmlinuz root=…"):
  // without a UI module it is what boots.
  const command = config.defaultLine;
  if (config.flavor === 'syslinux' && command && !def && config.ui === undefined) {
    const word = command.value.split(/\s+/)[0] ?? '';
    const byLabel = config.labels.some((l) => l.name === word);
    if (word !== '' && !byLabel) {
      const implicit: LabelDraft = {
        name: word,
        file: command.file,
        line: command.line,
        kernel: { keyword: 'kernel', value: command.value },
        // Typed options replace the global append; a bare kernel name gets it (doc/syslinux.txt).
        ...(/\s/.test(command.value) ? { append: '' } : {}),
        menuDefault: false,
        hidden: false,
        notBootable: false,
      };
      const entry = notLinuxReason(config, 'kernel', word) ? undefined : entryOf(config, files, implicit, partition, cap);
      if (entry) entries.push({ localId: uniqueId('default', taken), ...entry, title: `Default command: ${command.value}`, isDefault: true });
    }
  }
  return { entries, diagnostics, configTimeout: timeoutOf(config), configTimeoutAt: timeoutAt(config, path) };
}

export const extlinuxParser: FormatParser = { format: 'extlinux', parse };
