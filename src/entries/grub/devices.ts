// GRUB names files as `(device)/path`, or `/path` on the device in `$root`. Device names
// live in script variables, so they must stay strings: the devices this parser can name
// (this partition, "the partition with UUID X" found by `search`) get synthetic names that
// map back to a PartitionSelector. Any other name is GRUB's own (`hd0,gpt2`), which
// depends on the firmware's disk order and cannot be mapped to a partition here.
import type { PartitionFiles, PartitionSelector, Resource } from '../model';
import { SELF } from '../model';
import { normalizePath } from '../paths';

/** What a device name stands for. */
export type Device =
  | { readonly kind: 'self' }
  | { readonly kind: 'search'; readonly selector: PartitionSelector; readonly description: string }
  /** A GRUB device name we cannot map (`hd0,gpt2`, `loop`, `tftp`…), as written. */
  | { readonly kind: 'grub'; readonly name: string };

export interface GrubPath {
  /** The device name without parentheses ('' when the path names none and `$root` is empty). */
  readonly deviceName: string;
  readonly device: Device;
  readonly path: string;
  /** The path did not start with `/` (GRUB refuses such names). */
  readonly relative: boolean;
}

/** Where a file named by the config is, for reading it or listing it in an entry. */
export type Located =
  /** On this partition, at `path`. */
  | { readonly where: 'here'; readonly path: string }
  /** Elsewhere, or nowhere we can tell; `resource` names it as precisely as possible. */
  | { readonly where: 'elsewhere'; readonly resource: Resource; readonly reason: string };

export class DeviceTable {
  private readonly names = new Map<string, Device>();
  readonly selfName: string;

  constructor(partitionName: string) {
    // GRUB's own names look like `hd0,gpt2`; a kernel name cannot be mistaken for one.
    this.selfName = /^[A-Za-z0-9_.:-]+$/.test(partitionName) ? partitionName : 'this-partition';
    this.names.set(this.selfName, { kind: 'self' });
  }

  /** The device name `search` leaves in its variable for a partition found by UUID or label. */
  nameFor(selector: PartitionSelector, description: string): string {
    if (selector.by === 'self') return this.selfName;
    let name = `${selector.by}=${selector.value}`;
    // A `)` would end the device in `($root)/path`.
    if (name.includes(')') || name.includes('(')) name = `${selector.by}#${this.names.size}`;
    this.names.set(name, { kind: 'search', selector, description });
    return name;
  }

  device(name: string): Device {
    return this.names.get(name) ?? { kind: 'grub', name };
  }

  /** Splits `(dev)/path` or `/path` (on the device named by `root`). */
  split(arg: string, root: string | undefined): GrubPath {
    let deviceName: string;
    let path: string;
    if (arg.startsWith('(')) {
      const close = arg.indexOf(')');
      deviceName = close < 0 ? arg.slice(1) : arg.slice(1, close);
      path = close < 0 ? '' : arg.slice(close + 1);
    } else {
      deviceName = stripParens(root ?? this.selfName);
      path = arg;
    }
    const relative = path !== '' && !path.startsWith('/');
    return { deviceName, device: deviceName === '' ? { kind: 'self' } : this.device(deviceName), path: normalizePath(path), relative };
  }

  /**
   * Where a file is. A GRUB device name (`hd0,gpt2`) is taken as this partition when the file
   * is here: the config usually names its own partition that way, and only the firmware's
   * disk order could say otherwise.
   */
  locate(p: GrubPath, files: PartitionFiles, kind: 'file' | 'dir' = 'file'): Located {
    switch (p.device.kind) {
      case 'self':
        return { where: 'here', path: p.path };
      case 'search':
        return { where: 'elsewhere', resource: { partition: p.device.selector, path: p.path }, reason: p.device.description };
      case 'grub': {
        const exists = kind === 'file' ? files.isFile(p.path) : files.isDir(p.path);
        if (exists) return { where: 'here', path: p.path };
        return {
          where: 'elsewhere',
          resource: { partition: { by: 'unmappable', value: `(${p.deviceName})` }, path: p.path },
          reason: `GRUB's device (${p.deviceName}) depends on the firmware's disk order and ${p.path} is not on this partition`,
        };
      }
    }
  }

  /** The resource an entry lists for a file. */
  resource(p: GrubPath, files: PartitionFiles, kind: 'file' | 'dir' = 'file'): Resource {
    const l = this.locate(p, files, kind);
    return l.where === 'here' ? { partition: SELF, path: l.path } : l.resource;
  }
}

function stripParens(name: string): string {
  return name.startsWith('(') && name.endsWith(')') ? name.slice(1, -1) : name;
}
