// A sysfs tree for enumerate tests, in the layout the kernel uses (class/block/<name> are
// relative symlinks into devices/…/block/<disk>[/<partition>]). Entries are copied from this
// machine's /sys where it has them, or written with the attributes real kernels give
// (USB disks, SD cards, device-mapper, CD drives): only the layout is stood in for.
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface FakeDevice {
  /** Path under devices/, ending in the device's own folder. */
  readonly at: string;
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly holders?: readonly string[];
}

export function addDevice(root: string, d: FakeDevice): void {
  const dir = join(root, 'devices', d.at);
  mkdirSync(dir, { recursive: true });
  for (const [k, v] of Object.entries(d.attrs)) {
    mkdirSync(dirname(join(dir, k)), { recursive: true });
    writeFileSync(join(dir, k), v.endsWith('\n') ? v : v + '\n');
  }
  mkdirSync(join(dir, 'holders'), { recursive: true });
  for (const h of d.holders ?? []) writeFileSync(join(dir, 'holders', h), '');
  const link = join(root, 'class/block', d.name);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), dir), link);
}

/** The attribute files enumerate reads, copied from a real sysfs device folder. */
const ATTRS = ['size', 'ro', 'removable', 'dev', 'uevent', 'partition', 'start', 'diskseq', 'loop/backing_file', 'queue/logical_block_size', 'device/model', 'device/name', 'dm/name'];

/** Copies this machine's block devices (their attributes, not their data) into `root`. */
export function copyRealSysfs(root: string, sysRoot = '/sys'): string[] {
  const names: string[] = [];
  const classDir = join(sysRoot, 'class/block');
  for (const name of readdirSync(classDir)) {
    const link = readlinkSync(join(classDir, name)); // ../../devices/…
    const real = join(classDir, link);
    const at = relative(join(sysRoot, 'devices'), real);
    const attrs: Record<string, string> = {};
    for (const a of ATTRS) {
      try {
        if (lstatSync(join(real, a)).isFile()) attrs[a] = readFileSync(join(real, a), 'utf8');
      } catch {
        /* the kernel does not give it for this device */
      }
    }
    const holders = existsSync(join(real, 'holders')) ? readdirSync(join(real, 'holders')) : [];
    addDevice(root, { at, name, attrs, holders });
    names.push(name);
  }
  return names;
}
