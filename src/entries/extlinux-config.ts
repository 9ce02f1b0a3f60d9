// Reads an extlinux.conf / syslinux.cfg / isolinux.cfg and the files it includes into
// labels and global settings, the way the two programs that read these files do:
// U-Boot's boot/pxe_utils.c (distro boot, `sysboot`, bootstd's extlinux method) and
// SYSLINUX's com32/elflink/ldlinux/readconfig.c. Where they differ, `flavor` picks the
// rule: extlinux.conf in an extlinux/ folder is U-Boot's (that is what reads it on ARM and
// RISC-V boards), every *.cfg is SYSLINUX's. Turning labels into entries is extlinux.ts.
import type { Diagnostic } from '../fs/diagnostic';
import type { DiagnosticCap } from './diagnostic-cap';
import type { PartitionFiles } from '../fs/files';
import { resolvePath } from '../fs/paths';

export type Flavor = 'uboot' | 'syslinux';

/** `menu begin` … `menu end` (SYSLINUX only): labels inside are shown as "Name > label". */
export interface Submenu {
  readonly tag: string;
  label?: string;
  title?: string;
  readonly parent?: Submenu;
}

/** A keyword with its value and where it was written. */
export interface Setting {
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

/** The keywords that say what a label starts (SYSLINUX's kernel_types, plus `localboot`). */
export type KernelKeyword = 'kernel' | 'linux' | 'boot' | 'bss' | 'pxe' | 'fdimage' | 'comboot' | 'com32' | 'config' | 'localboot';

export interface LabelDraft {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly submenu?: Submenu;
  menuLabel?: string;
  /** The last kernel-type keyword wins, as in SYSLINUX (ld.kernel/ld.type are overwritten). */
  kernel?: { readonly keyword: KernelKeyword; readonly value: string };
  append?: string;
  initrd?: string;
  /** U-Boot takes the initrd from whichever of `initrd` and `append … initrd=` comes first. */
  initrdFromAppendFirst?: boolean;
  fdt?: string;
  fdtdir?: string;
  fdtoverlays?: string;
  menuDefault: boolean;
  hidden: boolean;
  /** `menu exit`, `menu goto`, `menu quit`, `menu separator`, `menu disable`: a menu item, not a boot entry. */
  notBootable: boolean;
}

export interface ExtlinuxConfig {
  readonly flavor: Flavor;
  /** The folder relative paths are resolved against (see resolveConfigPath). */
  readonly dir: string;
  readonly labels: LabelDraft[];
  globalAppend?: string;
  /** Last `default` line. */
  defaultLine?: Setting;
  /** Last `ontimeout` line. */
  ontimeout?: Setting;
  /** U-Boot's default_label as pxe_utils.c computes it (default/ontimeout overwrite, menu default only fills). */
  ubootDefault?: string;
  ui?: Setting;
  prompt?: number;
  /** In tenths of a second, as written. */
  timeout?: Setting;
  /** A `menu …` line outside any label: U-Boot then shows its menu (cfg->prompt = 1). */
  topLevelMenu: boolean;
}

/** SYSLINUX and U-Boot both stop at 16 levels of include. */
export const MAX_INCLUDE_DEPTH = 16;
/** Includes are not loops when a file is read twice in a row (Debian's menu.cfg reads stdmenu.cfg three times), so the total is bounded too. */
export const MAX_FILES_READ = 256;
/** Reads of one file in one config (Debian's installer menus read stdmenu.cfg three times): more is fan-out, not a menu. */
export const MAX_READS_PER_FILE = 8;
/**
 * Text one config may read, its includes and their repeats counted (real ones: tens of KB).
 * Without it a file of the size cap included 256 times would be read 256 times.
 */
export const MAX_CONFIG_TEXT = 8 * 1024 * 1024;
/** Unknown keywords reported one by one before a summary (binary junk would make millions). */
const MAX_UNKNOWN_REPORTED = 5;

const KERNEL_KEYWORDS: ReadonlySet<string> = new Set<KernelKeyword>([
  'kernel', 'linux', 'boot', 'bss', 'pxe', 'fdimage', 'comboot', 'com32', 'config', 'localboot',
]);

/** Keywords both programs accept that say nothing about what to boot. */
const IGNORED: ReadonlySet<string> = new Set([
  'say', 'display', 'font', 'kbdmap', 'serial', 'console', 'implicit', 'allowoptions', 'noescape', 'nocomplete',
  'nohalt', 'onerror', 'totaltimeout', 'ipappend', 'sysappend', 'path', 'kaslrseed', 'background', 'pxeretry',
  'sendcookies', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'f12', 'f0',
]);

/** Which program's rules apply to a config file. */
export function flavorOf(path: string): Flavor {
  return /(^|\/)extlinux\/extlinux\.conf$/i.test(path) ? 'uboot' : 'syslinux';
}

/**
 * Where a path written in the config points. Both programs resolve relative paths against
 * the folder of the config they were started with, not of an included file:
 * - U-Boot's pxe_setup_ctx() keeps the directory part of the config path given to
 *   `sysboot` (distro boot passes ${prefix}extlinux/extlinux.conf) as ctx->bootdir, and
 *   get_relfile() prefixes every path with it unless the path starts with '/' and
 *   absolute paths are allowed, which they are for sysboot and bootstd.
 * - SYSLINUX makes the config's folder its working directory ("all filenames are assumed
 *   to be relative to that same directory, unless preceded with a slash", doc/syslinux.txt).
 * So `../vmlinuz` in /boot/extlinux/extlinux.conf is /boot/vmlinuz, and `/vmlinuz` is at
 * the partition root. SYSLINUX also accepts backslashes; normalisation turns them into '/'.
 */
export function resolveConfigPath(config: { readonly dir: string }, path: string): string {
  return resolvePath(config.dir, path.replace(/\\/g, '/'));
}

function firstWord(s: string): string {
  const m = /^\S*/.exec(s);
  return m ? m[0] : '';
}

function splitKeyword(s: string): [string, string] {
  const m = /^(\S+)\s*(.*)$/s.exec(s);
  return m ? [m[1]!.toLowerCase(), m[2]!.trim()] : ['', ''];
}

class Reader {
  readonly config: ExtlinuxConfig;
  private current: LabelDraft | undefined;
  private submenu: Submenu | undefined;
  private filesRead = 0;
  private textRead = 0;
  private readonly readsOf = new Map<string, number>();
  private unknown = 0;
  /** Set once a budget (files or text) is spent: no include is read after it. */
  private spent = false;
  private readonly reported = new Set<string>();
  private readonly stack: string[] = [];

  constructor(
    private readonly files: PartitionFiles,
    path: string,
    private readonly diagnostics: DiagnosticCap,
  ) {
    const slash = path.lastIndexOf('/');
    this.config = {
      flavor: flavorOf(path),
      dir: slash <= 0 ? '/' : path.slice(0, slash),
      labels: [],
      topLevelMenu: false,
    };
  }

  private report(severity: Diagnostic['severity'], file: string, line: number | undefined, message: string): void {
    // A file read many times (includes are not loops when repeated) says the same thing once.
    const key = `${file}\0${line}\0${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.diagnostics.add(line === undefined ? { severity, file, message } : { severity, file, line, message });
  }

  /** Reads the main config; false when it cannot be read at all. */
  readMain(path: string): boolean {
    const text = this.files.readText(path);
    if (text === undefined) return false;
    this.readText(path, text);
    this.finishLabel();
    if (this.unknown > MAX_UNKNOWN_REPORTED) {
      this.report('info', path, undefined, `${this.unknown - MAX_UNKNOWN_REPORTED} more lines with unknown keywords were ignored`);
    }
    return true;
  }

  private include(from: string, line: number, target: string): void {
    if (target === '') {
      this.report('warning', from, line, 'include names no file');
      return;
    }
    const path = resolveConfigPath(this.config, target);
    const real = this.files.realPath(path) ?? path;
    if (this.stack.length >= MAX_INCLUDE_DEPTH) {
      this.report('warning', from, line, `include ${target} is nested more than ${MAX_INCLUDE_DEPTH} levels deep: not read`);
      return;
    }
    if (this.stack.includes(real)) {
      this.report('warning', from, line, `include ${target} includes itself: not read again`);
      return;
    }
    if (this.spent) return;
    if (this.filesRead >= MAX_FILES_READ) {
      this.spend(from, line, `include ${target}: more than ${MAX_FILES_READ} included files, not read (nor any further include)`);
      return;
    }
    const reads = this.readsOf.get(real) ?? 0;
    if (reads >= MAX_READS_PER_FILE) {
      // Said at the first include too many; the others of the same file are skipped silently.
      if (reads === MAX_READS_PER_FILE) this.report('warning', from, line, `include ${target}: ${path} was read ${MAX_READS_PER_FILE} times in this config already; not read again`);
      this.readsOf.set(real, reads + 1);
      return;
    }
    const text = this.files.readText(path);
    if (text === undefined) {
      // Both programs go on silently (Debian's menu.cfg names gtk.cfg, absent from text-only media).
      this.report('info', from, line, `include ${target}: ${path} is missing, skipped`);
      return;
    }
    if (this.textRead + text.length > MAX_CONFIG_TEXT) {
      this.spend(from, line, `include ${target}: with ${path} this config and its includes would read more than ${MAX_CONFIG_TEXT / (1024 * 1024)} MiB of text; not read (nor any further include)`);
      return;
    }
    this.readsOf.set(real, reads + 1);
    this.readText(path, text);
  }

  /** Reports why includes stop here; every later include is skipped without a word. */
  private spend(from: string, line: number, message: string): void {
    this.spent = true;
    this.report('warning', from, line, message);
  }

  private readText(path: string, text: string): void {
    this.filesRead++;
    this.textRead += text.length;
    this.stack.push(this.files.realPath(path) ?? path);
    if (text.includes('\0')) this.report('warning', path, undefined, 'the file holds binary data; only its text lines were read');
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      const trimmed = (raw.endsWith('\r') ? raw.slice(0, -1) : raw).trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const [keyword, rest] = splitKeyword(trimmed);
      if (keyword === 'text') {
        // `text help` … `endtext`: help text shown by the menu; its lines are not keywords.
        while (i + 1 < lines.length && splitKeyword(lines[i + 1]!.trim())[0] !== 'endtext') i++;
        i++;
        continue;
      }
      this.statement(path, i + 1, keyword, rest);
    }
    this.stack.pop();
  }

  private finishLabel(): void {
    if (this.current) this.config.labels.push(this.current);
    this.current = undefined;
  }

  private needLabel(file: string, line: number, keyword: string): LabelDraft | undefined {
    if (!this.current) this.report('info', file, line, `${keyword} outside a label is ignored`);
    return this.current;
  }

  private statement(file: string, line: number, keyword: string, rest: string): void {
    const config = this.config;
    const uboot = config.flavor === 'uboot';
    if (keyword === 'menu') {
      this.menu(file, line, rest);
      return;
    }
    if (keyword === 'include') {
      this.include(file, line, firstWord(rest));
      return;
    }
    if (keyword === 'label') {
      this.finishLabel();
      // U-Boot's label name is the rest of the line; SYSLINUX's is its first word.
      const name = uboot ? rest : firstWord(rest);
      if (name === '') {
        this.report('warning', file, line, 'label without a name is ignored');
        return;
      }
      this.current = { name, file, line, submenu: this.submenu, menuDefault: false, hidden: false, notBootable: false };
      return;
    }
    if (KERNEL_KEYWORDS.has(keyword)) {
      const label = this.needLabel(file, line, keyword);
      if (label) label.kernel = { keyword: keyword as KernelKeyword, value: rest };
      return;
    }
    switch (keyword) {
      case 'append': {
        if (!this.current) {
          config.globalAppend = rest;
          return;
        }
        this.current.append = rest;
        if (this.current.initrd === undefined && this.current.initrdFromAppendFirst === undefined && /(^|\s)initrd=/.test(rest)) {
          this.current.initrdFromAppendFirst = true;
        }
        return;
      }
      case 'initrd': {
        const label = this.needLabel(file, line, keyword);
        if (!label) return;
        // U-Boot keeps the first initrd it sees (`if (!label->initrd)`); SYSLINUX the last.
        if (uboot && (label.initrd !== undefined || label.initrdFromAppendFirst)) return;
        label.initrd = rest;
        if (label.initrdFromAppendFirst === undefined) label.initrdFromAppendFirst = false;
        return;
      }
      case 'fdt':
      case 'devicetree': {
        const label = this.needLabel(file, line, keyword);
        if (label && label.fdt === undefined) label.fdt = rest;
        return;
      }
      case 'fdtdir':
      case 'devicetreedir': {
        const label = this.needLabel(file, line, keyword);
        if (label && label.fdtdir === undefined) label.fdtdir = rest;
        return;
      }
      case 'fdtoverlays': {
        const label = this.needLabel(file, line, keyword);
        if (label && label.fdtoverlays === undefined) label.fdtoverlays = rest;
        return;
      }
      case 'default':
        config.defaultLine = { value: rest, file, line };
        config.ubootDefault = rest;
        return;
      case 'ontimeout':
        config.ontimeout = { value: rest, file, line };
        config.ubootDefault = rest;
        return;
      case 'ui':
        config.ui = { value: rest, file, line };
        return;
      case 'prompt':
        config.prompt = Number.parseInt(rest, 10) || 0;
        return;
      case 'timeout':
        if (!/^\d+$/.test(rest)) {
          this.report('warning', file, line, `timeout ${rest} is not a whole number of tenths of a second: ignored`);
          return;
        }
        config.timeout = { value: rest, file, line };
        return;
      default:
        if (IGNORED.has(keyword)) return;
        this.unknown++;
        if (this.unknown <= MAX_UNKNOWN_REPORTED) {
          this.report('info', file, line, `unknown keyword ${JSON.stringify(keyword.slice(0, 40))} ignored`);
        }
    }
  }

  private menu(file: string, line: number, rest: string): void {
    const [sub, value] = splitKeyword(rest);
    if (!this.current) this.config.topLevelMenu = true;
    switch (sub) {
      case 'label':
        if (this.current) this.current.menuLabel = value;
        else if (this.submenu && this.submenu.label === undefined) this.submenu.label = value;
        return;
      case 'title':
        if (this.submenu && !this.current) this.submenu.title = value;
        return;
      case 'default':
        if (this.current) {
          this.current.menuDefault = true;
          if (this.config.ubootDefault === undefined) this.config.ubootDefault = this.current.name;
        }
        return;
      case 'hide':
        if (this.current) this.current.hidden = true;
        return;
      case 'exit':
      case 'quit':
      case 'goto':
      case 'disable':
      case 'disabled':
        if (this.current) this.current.notBootable = true;
        return;
      case 'separator':
        this.finishLabel();
        return;
      case 'begin':
        this.finishLabel();
        this.submenu = { tag: value, parent: this.submenu };
        return;
      case 'end':
        this.finishLabel();
        if (!this.submenu) this.report('warning', file, line, 'menu end without menu begin');
        this.submenu = this.submenu?.parent;
        return;
      case 'include': {
        // `menu include FILE [TAG]`: with a tag the included labels form a submenu.
        const target = firstWord(value);
        const tag = value.slice(target.length).trim();
        if (tag !== '') {
          this.finishLabel();
          this.submenu = { tag, parent: this.submenu };
        }
        this.include(file, line, target);
        if (tag !== '') {
          this.finishLabel();
          this.submenu = this.submenu?.parent;
        }
        return;
      }
      default:
        // Colours, layout, background, passwords, help-message rows: looks only.
        return;
    }
  }
}

/** Reads `path` and its includes; undefined when the file cannot be read. */
export function readExtlinuxConfig(files: PartitionFiles, path: string, diagnostics: DiagnosticCap): ExtlinuxConfig | undefined {
  const reader = new Reader(files, path, diagnostics);
  return reader.readMain(path) ? reader.config : undefined;
}
