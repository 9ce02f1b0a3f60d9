// GRUB names files as `(device)/path`, or `/path` on the device in `$root`. Device names
// live in script variables, so they must stay strings: the devices this parser can name
// (this partition, "the partition with UUID X" found by `search`) get synthetic names that
// map back to a PartitionSelector. Any other name is GRUB's own (`hd0,gpt2`), which
// depends on the firmware's disk order and cannot be mapped to a partition here.
import type { PartitionFiles } from '../../fs/files';
import type { PartitionSelector, Resource } from '../model';
import { SELF } from '../model';
import { normalizePath } from '../../fs/paths';
import type { FileTest, Truth } from './conditions';
import { bootDeviceName, describeNet, isOwnServer, netResource, parseNetDevice, type GrubNetwork, type NetDevice } from './network';

/** What a device name stands for. */
export type Device =
  | { readonly kind: 'self' }
  | { readonly kind: 'search'; readonly selector: PartitionSelector; readonly description: string }
  /** A GRUB device name we cannot map (`hd0,gpt2`, `tftp`…), as written. */
  | { readonly kind: 'grub'; readonly name: string }
  /** `loopback NAME FILE`: a disk image (an ISO) opened as a device; `image` names the file for messages. */
  | { readonly kind: 'loopback'; readonly name: string; readonly image: string }
  /** `(tftp)`, `(http,SERVER)`, `(pxe)`…: a boot server (network.ts). */
  | NetDevice;

export interface GrubPath {
  /** The device name without parentheses ('' when the path names none and `$root` is empty). */
  readonly deviceName: string;
  readonly device: Device;
  readonly path: string;
  /** The path did not start with `/` (GRUB refuses such names). */
  readonly relative: boolean;
  /** net_default_server when the path was named (what `(tftp)` without a server opens). */
  readonly defaultServer?: string;
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

  /** `network`: the config was read from this boot server, which is then this "partition". */
  constructor(
    partitionName: string,
    readonly network?: GrubNetwork,
  ) {
    // GRUB's own names look like `hd0,gpt2`; a kernel name cannot be mistaken for one.
    if (network) this.selfName = bootDeviceName(network);
    else this.selfName = /^[A-Za-z0-9_.:-]+$/.test(partitionName) ? partitionName : 'this-partition';
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

  /** `loopback NAME FILE`: (NAME) is now the image `image` (this partition's own name cannot be taken). */
  loopback(name: string, image: string): boolean {
    if (name === this.selfName) return false;
    this.names.set(name, { kind: 'loopback', name, image });
    return true;
  }

  /** `loopback -d NAME`. */
  unloop(name: string): void {
    if (this.names.get(name)?.kind === 'loopback') this.names.delete(name);
  }

  device(name: string): Device {
    return this.names.get(name) ?? parseNetDevice(name) ?? { kind: 'grub', name };
  }

  /** Splits `(dev)/path` or `/path` (on the device named by `root`); `defaultServer` is net_default_server now. */
  split(arg: string, root: string | undefined, defaultServer?: string): GrubPath {
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
    const device: Device = deviceName === '' ? { kind: 'self' } : this.device(deviceName);
    return { deviceName, device, path: normalizePath(path), relative, ...(defaultServer !== undefined ? { defaultServer } : {}) };
  }

  /**
   * Where to read a file the config names (for `source`, `configfile`, `load_env`, `blscfg`
   * and file tests). A partition found by `search` is, in practice, the config's own: the
   * config was found on this partition and grub-mkconfig searches for the file system that
   * holds /boot. So a file that is here is read from here; one that is not is elsewhere.
   * A GRUB device name (`hd0,gpt2`) is taken the same way.
   */
  locate(p: GrubPath, files: PartitionFiles, kind: 'file' | 'dir' = 'file'): Located {
    if (p.device.kind === 'self' || this.ownServer(p)) return { where: 'here', path: p.path };
    // A boot server's files are not on a disk, nor another server's in the view.
    if (p.device.kind === 'net') return { where: 'elsewhere', resource: this.elsewhere(p), reason: this.describe(p) };
    // Inside an image: never this partition's file of the same name.
    if (p.device.kind === 'loopback') return { where: 'elsewhere', resource: this.elsewhere(p), reason: this.describe(p) };
    const exists = kind === 'file' ? files.isFile(p.path) : files.isDir(p.path);
    if (exists) return { where: 'here', path: p.path };
    return { where: 'elsewhere', resource: this.elsewhere(p), reason: this.describe(p) };
  }

  /**
   * The resource an entry lists for a file. A partition found by `search` keeps its UUID or
   * label (the scanner maps it); a GRUB device name is this partition when the file is here,
   * else unmappable.
   */
  resource(p: GrubPath, files: PartitionFiles, kind: 'file' | 'dir' = 'file'): Resource {
    switch (p.device.kind) {
      case 'self':
        return { partition: SELF, path: p.path };
      case 'search':
        return { partition: p.device.selector, path: p.path };
      case 'grub': {
        const exists = kind === 'file' ? files.isFile(p.path) : files.isDir(p.path);
        return exists ? { partition: SELF, path: p.path } : this.elsewhere(p);
      }
      case 'loopback':
      case 'net':
        return this.elsewhere(p);
    }
  }

  /** A network device that names the boot server the config came from, over the same protocol. */
  private ownServer(p: GrubPath): boolean {
    return p.device.kind === 'net' && isOwnServer(p.device, this.network, p.defaultServer);
  }

  private elsewhere(p: GrubPath): Resource {
    if (p.device.kind === 'net') return netResource(p.device, p.deviceName, p.path, this.network, p.defaultServer);
    if (p.device.kind === 'search') return { partition: p.device.selector, path: p.path };
    if (p.device.kind === 'loopback') return { partition: { by: 'unmappable', value: `(${p.deviceName}) in the ISO image ${p.device.image}` }, path: p.path };
    return { partition: { by: 'unmappable', value: `(${p.deviceName})` }, path: p.path };
  }

  /** `test -d/-f/-e/-s PATH`: what GRUB would answer, or unknown when the path may be on a partition not seen here. */
  fileTest(test: FileTest, arg: string, root: string | undefined, files: PartitionFiles): Truth {
    const p = this.split(arg, root);
    const l = this.locate(p, files, test === 'dir' ? 'dir' : 'file');
    // Not here: it may be on the partition GRUB would search, which we cannot see.
    if (l.where === 'elsewhere') return p.device.kind === 'self' ? 'false' : 'unknown';
    switch (test) {
      case 'dir':
        return files.isDir(l.path) ? 'true' : 'false';
      case 'file':
        return files.isFile(l.path) ? 'true' : 'false';
      case 'exists':
        return files.isFile(l.path) || files.isDir(l.path) ? 'true' : 'false';
      case 'nonEmpty':
        return (files.readText(l.path)?.length ?? 0) > 0 ? 'true' : 'false';
    }
  }

  /** Names the partition of a path for messages. */
  describe(p: GrubPath): string {
    switch (p.device.kind) {
      case 'self':
        return 'this partition';
      case 'search':
        return p.device.description;
      case 'grub':
        return `GRUB's device (${p.deviceName}), which depends on the firmware's disk order`;
      case 'loopback':
        return `the ISO image ${p.device.image} (GRUB loopback), which kexec-menu does not open yet`;
      case 'net':
        return describeNet(p.device, p.deviceName, this.network, p.defaultServer);
    }
  }
}

function stripParens(name: string): string {
  return name.startsWith('(') && name.endsWith(')') ? name.slice(1, -1) : name;
}
