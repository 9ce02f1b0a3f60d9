// The Raspberry Pi firmware's own boot: config.txt (and the files it includes) and
// cmdline.txt on the boot partition, read the way the firmware reads them for the board
// that is running (config.txt documentation: boot options, conditional filters,
// os_prefix). One entry: the kernel, initramfs, device tree and overlays the firmware
// would load, so kexec can start the same system without a power cycle.
import type { DeviceTreeRef, FormatParser, ParsedEntry, ParseResult, Resource } from './model';
import type { Diagnostic } from '../fs/diagnostic';
import type { MachineContext } from '../machine/context';
import type { PartitionFiles } from '../fs/files';
import { SELF } from './model';
import { basename, dirname, normalizePath } from '../fs/paths';
import { kernelVersionOf } from './loose-names';
import { type PiBoard, boardOf, defaultKernels, guessKernels } from './rpi-board';

/** The firmware's own limit is lower; this only stops include loops and runaway nesting. */
const MAX_INCLUDE_DEPTH = 8;
const MAX_FILES_READ = 64;

interface Setting {
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

interface Overlay {
  readonly name: string;
  readonly params: string;
}

/** What config.txt sets for this board, after filters. Later lines win, as in the firmware. */
interface Settings {
  readonly values: Map<string, Setting>;
  /** `initramfs FILE[,FILE] [ADDRESS]` or `ramfsfile=FILE[,FILE]`: the last one wins. */
  initramfs?: Setting;
  readonly overlays: Overlay[];
  readonly dtparams: string[];
}

/**
 * Filter state: filters of one kind replace each other ([pi2] replaces [pi1]); kinds
 * combine (an [EDID=…] then a [pi4] both have to hold); [all] clears every one.
 */
type FilterKind = 'model' | 'edid' | 'serial' | 'gpio' | 'tryboot' | 'none';

class ConfigReader {
  readonly settings: Settings = { values: new Map(), overlays: [], dtparams: [] };
  private readonly filters = new Map<FilterKind, boolean>();
  private readonly undecidable = new Set<string>();
  private filesRead = 0;
  private readonly stack: string[] = [];

  constructor(
    private readonly files: PartitionFiles,
    private readonly board: PiBoard | undefined,
    private readonly diagnostics: Diagnostic[],
  ) {}

  private active(): boolean {
    for (const ok of this.filters.values()) if (!ok) return false;
    return true;
  }

  private undecided(file: string, line: number, header: string, why: string): boolean {
    if (!this.undecidable.has(header)) {
      this.undecidable.add(header);
      this.diagnostics.push({ severity: 'info', file, line, message: `section [${header}] skipped: ${why}` });
    }
    return false;
  }

  /** Evaluates a [filter] header for the running board. */
  private filter(file: string, line: number, header: string): void {
    const h = header.trim();
    const lower = h.toLowerCase();
    if (lower === 'all') {
      this.filters.clear();
      return;
    }
    if (lower === 'none') {
      this.filters.set('none', false);
      return;
    }
    if (/^hdmi:\d+$/.test(lower)) return; // selects the HDMI port HDMI settings apply to; boot files are not affected
    if (lower === 'tryboot') {
      this.filters.set('tryboot', this.undecided(file, line, h, 'kexec does not start a tryboot (one-time) boot'));
      return;
    }
    if (lower.startsWith('edid=')) {
      this.filters.set('edid', this.undecided(file, line, h, 'the connected monitor is not known here'));
      return;
    }
    if (/^gpio\d+=\d+$/.test(lower)) {
      this.filters.set('gpio', this.undecided(file, line, h, 'GPIO levels at power-on are not known here'));
      return;
    }
    if (/^0x[0-9a-f]+$/.test(lower)) {
      this.filters.set('serial', this.undecided(file, line, h, 'the board serial number is not known here'));
      return;
    }
    const boardType = /^board-type=(0x[0-9a-f]+|\d+)$/.exec(lower);
    if (boardType || /^(pi|cm)\w*\+?$/.test(lower)) {
      if (!this.board) {
        this.filters.set('model', this.undecided(file, line, h, 'the Raspberry Pi model is not known'));
        return;
      }
      const matches = boardType ? Number(boardType[1]) === this.board.type : this.board.filters.includes(lower);
      this.filters.set('model', matches);
      return;
    }
    this.filters.set('model', this.undecided(file, line, h, 'unknown filter'));
  }

  read(path: string, depth: number): boolean {
    const text = this.files.readText(path);
    if (text === undefined) return false;
    this.filesRead++;
    this.stack.push(this.files.realPath(path) ?? path);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\r$/, '').trim();
      if (line === '' || line.startsWith('#')) continue;
      const section = /^\[(.*)\]/.exec(line);
      if (section) {
        this.filter(path, i + 1, section[1]!);
        continue;
      }
      if (!this.active()) continue;
      this.statement(path, i + 1, line, depth);
    }
    this.stack.pop();
    return true;
  }

  private statement(file: string, line: number, text: string, depth: number): void {
    const spaced = /^(include|initramfs)\s+(.*)$/i.exec(text);
    if (spaced) {
      const keyword = spaced[1]!.toLowerCase();
      const args = spaced[2]!.trim().split(/\s+/);
      if (keyword === 'include') this.include(file, line, args[0]!, depth);
      else this.settings.initramfs = { value: args[0]!, file, line };
      return;
    }
    const eq = text.indexOf('=');
    if (eq <= 0) return; // the firmware ignores what it does not understand
    const key = text.slice(0, eq).trim().toLowerCase();
    const value = text.slice(eq + 1).trim();
    const setting = { value, file, line };
    switch (key) {
      case 'ramfsfile':
        this.settings.initramfs = setting;
        return;
      case 'dtoverlay': {
        if (value === '') return; // "dtoverlay=" only ends the previous overlay's parameters
        const m = /^([^,:]+)[,:]?(.*)$/.exec(value)!;
        this.settings.overlays.push({ name: m[1]!.trim(), params: m[2]!.trim() });
        return;
      }
      case 'dtparam':
        this.settings.dtparams.push(value);
        return;
      default:
        this.settings.values.set(key, setting);
    }
  }

  private include(file: string, line: number, target: string, depth: number): void {
    // Included files are looked up on the boot partition like config.txt itself.
    const path = this.files.findIgnoringCase(normalizePath(target)) ?? normalizePath(target);
    const real = this.files.realPath(path) ?? path;
    if (depth >= MAX_INCLUDE_DEPTH || this.stack.includes(real) || this.filesRead >= MAX_FILES_READ) {
      this.diagnostics.push({ severity: 'warning', file, line, message: `include ${target} would loop or nest too deep: not read` });
      return;
    }
    if (!this.read(path, depth + 1)) {
      this.diagnostics.push({ severity: 'info', file, line, message: `include ${target}: the file is missing, skipped` });
    }
  }
}

function isTrue(s: Setting | undefined): boolean | undefined {
  if (!s) return undefined;
  return (Number.parseInt(s.value, 0) || 0) !== 0;
}

/** Prepends os_prefix the way the firmware does: as text ("test-" works), never to an absolute path. */
function withPrefix(prefix: string, name: string): string {
  return normalizePath(name.startsWith('/') ? name : prefix + name);
}

function resource(path: string): Resource {
  return { partition: SELF, path };
}

function parse(files: PartitionFiles, partition: string, machine: MachineContext): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const configPath = files.findIgnoringCase('/config.txt');
  if (configPath === undefined || !files.isFile(configPath)) return { entries: [], diagnostics };

  const board = machine.piModel !== undefined ? boardOf(machine.piModel) : undefined;
  if (!board) {
    diagnostics.push({
      severity: 'info',
      file: configPath,
      message:
        machine.piModel === undefined
          ? 'no Raspberry Pi model is known for this machine: only the sections every board reads are used'
          : `"${machine.piModel}" is not a Raspberry Pi model this menu knows: only the sections every board reads are used`,
    });
  }
  const reader = new ConfigReader(files, board, diagnostics);
  if (!reader.read(configPath, 0)) {
    diagnostics.push({ severity: 'error', file: configPath, message: 'the file cannot be read' });
    return { entries: [], diagnostics };
  }
  const { values, overlays, dtparams } = reader.settings;
  const get = (key: string): Setting | undefined => values.get(key);

  // arm_control=0x200 is the deprecated spelling of arm_64bit=1.
  const armControl = get('arm_control');
  const arm64bit = isTrue(get('arm_64bit')) ?? (armControl ? ((Number.parseInt(armControl.value, 0) || 0) & 0x200) !== 0 : undefined);
  const upstream = isTrue(get('upstream_kernel')) === true;
  const notes: string[] = [];

  // Kernel names to try: the one config.txt gives, or the board's defaults.
  const kernelSetting = get('kernel');
  let kernels: string[];
  if (kernelSetting && kernelSetting.value !== '') kernels = [kernelSetting.value];
  else if (board) kernels = defaultKernels(board, arm64bit);
  else {
    const wide = arm64bit ?? machine.efiArch !== 'arm';
    kernels = guessKernels(wide);
    diagnostics.push({
      severity: 'info',
      file: configPath,
      message: `config.txt names no kernel and the board is unknown: the first of ${kernels.join(', ')} present is used`,
    });
  }
  const dtSetting = get('device_tree');
  const dtbNames = dtSetting ? [dtSetting.value] : board ? (upstream ? [board.upstreamDtb, board.dtb] : [board.dtb, board.upstreamDtb]).filter((n): n is string => !!n) : [];

  // os_prefix (upstream_kernel=1 implies "upstream/") is used only when the kernel and the
  // .dtb exist under it; otherwise the firmware drops it.
  let prefix = get('os_prefix')?.value ?? (upstream ? 'upstream/' : '');
  const present = (p: string, name: string): boolean => files.isFile(withPrefix(p, name));
  if (prefix !== '') {
    const kernelOk = kernels.some((k) => present(prefix, k));
    const dtbOk = dtbNames.length === 0 || dtSetting?.value === '' || dtbNames.some((d) => present(prefix, d));
    if (!kernelOk || !dtbOk) {
      diagnostics.push({
        severity: 'info',
        file: configPath,
        message: `os_prefix ${prefix} is not used: the kernel and device tree are not both found under it, so the firmware ignores it`,
      });
      prefix = '';
    }
  }
  const kernelName = kernels.find((k) => present(prefix, k)) ?? kernels[0]!;
  const kernelPath = withPrefix(prefix, kernelName);
  if (/u-?boot/i.test(basename(kernelPath))) {
    diagnostics.push({
      severity: 'info',
      file: kernelSetting?.file ?? configPath,
      ...(kernelSetting ? { line: kernelSetting.line } : {}),
      message: `kernel ${kernelName} is U-Boot, not Linux: the firmware boots U-Boot, which reads its own configuration`,
    });
    return { entries: [], diagnostics };
  }

  // Initramfs: named by `initramfs`/`ramfsfile`, else found by auto_initramfs from the
  // kernel's name (kernel8.img → initramfs8, kernel_2712.img → initramfs_2712).
  let initrds: string[] = [];
  const initramfs = reader.settings.initramfs;
  if (initramfs) {
    initrds = initramfs.value.split(',').map((s) => s.trim()).filter(Boolean).map((n) => withPrefix(prefix, n));
  } else if (isTrue(get('auto_initramfs'))) {
    const m = /^kernel(.*)\.img$/.exec(basename(kernelPath));
    const auto = m ? `${dirname(kernelPath)}/initramfs${m[1]}` : undefined;
    if (auto && files.isFile(normalizePath(auto))) initrds = [normalizePath(auto)];
  }

  // The command line: the first line of cmdline.txt (or cmdline=FILE), under os_prefix.
  const cmdlineName = get('cmdline')?.value || 'cmdline.txt';
  const cmdlinePath = withPrefix(prefix, cmdlineName);
  const cmdlineText = files.readText(files.findIgnoringCase(cmdlinePath) ?? cmdlinePath);
  let cmdline = '';
  if (cmdlineText === undefined) {
    diagnostics.push({ severity: 'warning', file: cmdlinePath, message: 'the kernel command line file is missing: the command line is empty' });
  } else {
    cmdline = (cmdlineText.split('\n')[0] ?? '').replace(/\r$/, '').replace(/\0/g, '').trim();
  }

  // Device tree: device_tree=FILE, or the board's DTB from the boot folder. The name is the
  // firmware's own (bcm2710-rpi-3-b-plus.dtb); Debian's raspi-firmware copies upstream DTBs
  // under those names, and a folder may hold only upstream names (bcm2837-rpi-3-b-plus.dtb):
  // the first present is preferred, and with none the kexec layer matches by compatible.
  let devicetree: DeviceTreeRef | undefined;
  if (dtSetting && dtSetting.value === '') {
    notes.push('device_tree= is empty: the firmware loads no device tree, so none is given to the kernel');
  } else if (dtSetting) {
    devicetree = { kind: 'file', resource: resource(withPrefix(prefix, dtSetting.value)) };
  } else {
    const found = dtbNames.find((d) => present(prefix, d)) ?? dtbNames[0];
    const base = withPrefix(prefix, found ?? 'x.dtb');
    devicetree = found
      ? { kind: 'dir', resource: resource(dirname(base)), preferred: basename(base) }
      : { kind: 'dir', resource: resource(dirname(base)) };
  }

  // Overlays come from ${os_prefix}${overlay_prefix} only when its README exists; otherwise
  // they are shared with the main OS (os_prefix ignored).
  const overlayPrefix = get('overlay_prefix')?.value ?? 'overlays/';
  const overlayBase = prefix !== '' && present(prefix, `${overlayPrefix}README`) ? prefix + overlayPrefix : overlayPrefix;
  const overlayResources = overlays.map((o) => resource(normalizePath(`${overlayBase}${o.name}.dtbo`)));
  const withParams = overlays.filter((o) => o.params !== '').map((o) => `${o.name} (${o.params})`);
  if (withParams.length > 0) notes.push(`overlay parameters are not applied: ${withParams.join(', ')}`);
  if (dtparams.length > 0) notes.push(`dtparam settings are not applied: ${[...new Set(dtparams)].join(', ')}`);

  const issue = files.readText(files.findIgnoringCase('/issue.txt') ?? '/issue.txt');
  const title = issue?.startsWith('Raspberry Pi reference') ? 'Raspberry Pi OS (config.txt)' : `Raspberry Pi firmware boot: ${basename(kernelPath)} (config.txt)`;
  const version = kernelVersionOf(basename(kernelPath));
  const entry: ParsedEntry = {
    localId: 'config.txt',
    title,
    ...(version !== undefined ? { version } : {}),
    kernel: resource(kernelPath),
    initrds: initrds.map(resource),
    ...(devicetree ? { devicetree } : {}),
    overlays: overlayResources,
    cmdline,
    reuseCmdline: false,
    // The firmware always boots this one: it is the partition's default.
    isDefault: true,
    notes,
    source: { format: 'rpi', file: kernelSetting?.file ?? configPath, line: kernelSetting?.line ?? 1, partition },
  };
  return { entries: [entry], diagnostics };
}

export const rpiParser: FormatParser = { format: 'rpi', parse };
