// The machine's block devices as the kernel lists them in sysfs (/sys/class/block): whole
// disks and the partitions the kernel found on them. Nothing here opens a device.
//
// Left out, each with the reason kept for `kexec-menu disks`:
// - size 0: an empty card reader or CD drive, an unattached loop or nbd device;
// - loop devices without a backing file (detached but still sized is impossible; kept simple);
// - ram*, zram*: memory, holding nothing installed (zram is swap or a compressed /tmp);
// - devices another block device is built on (non-empty holders/: an LVM physical volume,
//   a RAID member, a LUKS container that is open): their content is not a file system, and
//   what is built on them (dm-*, md*) is listed itself.
// Kept: disks with partitions (shown, not probed: the kernel read their partition table),
// dm-* and md* devices (an opened LUKS or LVM volume may hold /boot), CD/DVD drives with a
// disc (sr*), MMC boot partitions (probed; usually not a file system).
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface BlockDevice {
  /** Kernel name: vda1, mmcblk0p1, nvme0n1p2, sr0, dm-0. */
  readonly name: string;
  /** The device node: /dev/<DEVNAME>. */
  readonly path: string;
  /** major:minor, as /proc/self/mountinfo names mounted devices. */
  readonly devno: string;
  readonly kind: 'disk' | 'partition';
  /** The whole disk's name (its own for a disk). */
  readonly disk: string;
  /** Partition number (PARTN) for a partition. */
  readonly partition?: number;
  /** First sector (512-byte units) of a partition on its disk. */
  readonly start?: number;
  readonly size: number;
  /** The disk is removable media (USB stick, SD card reader, CD). */
  readonly removable: boolean;
  /** The kernel already treats the device as read-only. */
  readonly readOnly: boolean;
  /** Vendor model string of the disk (device/model, MMC name, device-mapper name). */
  readonly model?: string;
  /** GPT partition GUID or MBR "signature-NN" when the kernel's uevent gives it. */
  readonly partuuid?: string;
  /** GPT partition name when the kernel's uevent gives it. */
  readonly partlabel?: string;
  /** Increases every time a disk is attached or its media changes (Linux 5.15+). */
  readonly diskseq?: number;
  /** The file behind a loop device. */
  readonly backingFile?: string;
  /** A disk the kernel found partitions on. */
  readonly hasPartitions: boolean;
  /** Logical block size of the disk in bytes (GPT is addressed in these). */
  readonly logicalBlockSize: number;
}

export interface SkippedDevice {
  readonly name: string;
  readonly reason: string;
}

export interface BlockDeviceList {
  readonly devices: readonly BlockDevice[];
  readonly skipped: readonly SkippedDevice[];
}

export interface EnumerateOptions {
  /** Where sysfs is mounted (a test's fake tree). */
  readonly sysRoot?: string;
  /** Where device nodes are. */
  readonly devRoot?: string;
}

/** Most block devices a machine is assumed to have; more are ignored (bounds the scan). */
const MAX_DEVICES = 4096;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function list(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** KEY=value lines of a uevent file. */
export function parseUevent(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

function modelOf(diskDir: string): string | undefined {
  const m = read(join(diskDir, 'device/model')) ?? read(join(diskDir, 'device/name')) ?? read(join(diskDir, 'dm/name')) ?? read(join(diskDir, 'md/level'));
  return m ? m.replace(/\s+/g, ' ').trim() || undefined : undefined;
}

function skipReason(name: string, dir: string, size: number): string | undefined {
  if (/^(ram|zram)\d+$/.test(name)) return 'memory-backed (ram/zram)';
  if (/^loop\d+$/.test(name) && !existsSync(join(dir, 'loop/backing_file'))) return 'loop device without a backing file';
  if (size === 0) return 'no media (size 0)';
  const holders = list(join(dir, 'holders'));
  if (holders.length > 0) return `in use by ${holders.join(', ')} (a volume is built on it)`;
  return undefined;
}

export function listBlockDevices(options: EnumerateOptions = {}): BlockDeviceList {
  const sysRoot = options.sysRoot ?? '/sys';
  const devRoot = options.devRoot ?? '/dev';
  const classDir = join(sysRoot, 'class/block');
  const names = list(classDir).sort(naturalCompare).slice(0, MAX_DEVICES);
  const devices: BlockDevice[] = [];
  const skipped: SkippedDevice[] = [];
  // Partitions name their disk through the sysfs tree: .../block/<disk>/<partition>.
  const diskOf = new Map<string, string>();
  const dirs = new Map<string, string>();
  for (const name of names) {
    let real: string;
    try {
      real = realpathSync(join(classDir, name));
    } catch {
      continue;
    }
    dirs.set(name, real);
    if (existsSync(join(real, 'partition'))) diskOf.set(name, basename(dirname(real)));
  }
  const partitioned = new Set(diskOf.values());
  for (const name of names) {
    const dir = dirs.get(name);
    if (!dir) continue;
    const size = Number(read(join(dir, 'size')) ?? '0') * 512;
    const disk = diskOf.get(name) ?? name;
    const diskDir = dirs.get(disk) ?? dir;
    const why = skipReason(name, dir, size) ?? (disk !== name ? skipReason(disk, diskDir, 1) : undefined);
    if (why) {
      skipped.push({ name, reason: why });
      continue;
    }
    const uevent = parseUevent(read(join(dir, 'uevent')));
    const isPartition = diskOf.has(name);
    const partn = Number(uevent.get('PARTN') ?? read(join(dir, 'partition')));
    const start = Number(read(join(dir, 'start')));
    const diskseq = Number(uevent.get('DISKSEQ') ?? read(join(diskDir, 'diskseq')));
    const backing = read(join(diskDir, 'loop/backing_file'));
    const model = modelOf(diskDir);
    const partuuid = uevent.get('PARTUUID');
    const partlabel = uevent.get('PARTNAME');
    devices.push({
      name,
      path: join(devRoot, uevent.get('DEVNAME') ?? name),
      devno: read(join(dir, 'dev')) ?? `${uevent.get('MAJOR')}:${uevent.get('MINOR')}`,
      kind: isPartition ? 'partition' : 'disk',
      disk,
      ...(isPartition && Number.isInteger(partn) ? { partition: partn } : {}),
      ...(isPartition && Number.isInteger(start) ? { start } : {}),
      size,
      removable: read(join(diskDir, 'removable')) === '1',
      readOnly: read(join(dir, 'ro')) === '1',
      ...(model ? { model } : {}),
      ...(partuuid ? { partuuid: partuuid.toLowerCase() } : {}),
      ...(partlabel ? { partlabel } : {}),
      ...(Number.isInteger(diskseq) ? { diskseq } : {}),
      ...(backing ? { backingFile: backing } : {}),
      hasPartitions: partitioned.has(name),
      logicalBlockSize: Number(read(join(diskDir, 'queue/logical_block_size'))) || 512,
    });
  }
  return { devices, skipped };
}

/** sda2 before sda10, mmcblk0p2 before mmcblk0p10. */
export function naturalCompare(a: string, b: string): number {
  // By hand: the image's node has no Intl, so localeCompare's `numeric` option is not there.
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x) && /^\d/.test(y);
    if (nx && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
