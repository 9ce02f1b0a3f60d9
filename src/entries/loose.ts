// Kernels that lie in / or /boot with no config naming them: what a Debian system keeps in
// /boot (vmlinuz-VER, initrd.img-VER and the /vmlinuz, /initrd.img links), Fedora's
// initramfs-VER.img, Arch's vmlinuz-linux with initramfs-linux.img and its fallback, a
// separate /boot partition (the same names at its root), and bare Image/zImage/bzImage.
// One entry per kernel file: a link to a kernel already listed is not listed again.
// Nothing says which root file system such a kernel wants, so the command line stays empty
// and a note tells the user to edit it. (The scanner drops loose entries whose kernel
// another format's entry already boots.)
import type { FormatParser, ParsedEntry, ParseResult, Resource } from './model';
import type { MachineContext } from '../machine/context';
import type { PartitionFiles } from '../fs/files';
import { SELF } from './model';
import { compareVersions } from './version';
import { basename, dirname } from '../fs/paths';
import { EARLY_MICROCODE_NAMES, initrdNamesFor, isKernelName, kernelSuffixOf, kernelVersionOf } from './loose-names';

/** Folders searched, in order. The root covers a separate /boot partition and the /vmlinuz links. */
const FOLDERS = ['/boot', '/'];

export const NO_CMDLINE_NOTE = 'no command line is known for a loose kernel: edit it with e';

/** Initramfs names for a kernel without a version suffix (/vmlinuz → /initrd.img, vmlinuz.old → initrd.img.old). */
function bareInitrdNames(kernelName: string): string[] {
  const old = kernelName.endsWith('.old') ? '.old' : '';
  return [`initrd.img${old}`, `initramfs.img${old}`, `initrd${old}`, `initramfs${old}`];
}

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

interface FoundKernel {
  /** Path of the kernel file itself, links followed. */
  readonly path: string;
  readonly name: string;
  readonly suffix?: string;
  readonly version?: string;
}

/** Every kernel file in the folders, once each, links followed. */
function findKernels(files: PartitionFiles): FoundKernel[] {
  const seen = new Set<string>();
  const found: FoundKernel[] = [];
  for (const folder of FOLDERS) {
    const names = files.list(folder);
    if (!names) continue;
    for (const name of [...names].sort()) {
      if (!isKernelName(name)) continue;
      const real = files.realPath(join(folder, name));
      if (real === undefined || seen.has(real) || !files.isFile(real)) continue;
      seen.add(real);
      const realName = basename(real);
      // A link keeps the name it points at: /vmlinuz → /boot/vmlinuz-6.1.0-13-amd64 is that kernel.
      const kernelName = isKernelName(realName) ? realName : name;
      found.push({ path: real, name: kernelName, suffix: kernelSuffixOf(kernelName), version: kernelVersionOf(kernelName) });
    }
  }
  return found;
}

/** Code-unit order: the same on every build of node (localeCompare differs without ICU). */
const byPath = (a: FoundKernel, b: FoundKernel): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Newest version first; kernels without a version after those with one, by path. */
function newestFirst(a: FoundKernel, b: FoundKernel): number {
  if (a.version !== undefined && b.version !== undefined) return compareVersions(b.version, a.version) || byPath(a, b);
  if (a.version !== undefined) return -1;
  if (b.version !== undefined) return 1;
  return byPath(a, b);
}

function firstPresent(files: PartitionFiles, dir: string, names: readonly string[]): string | undefined {
  for (const name of names) {
    const path = join(dir, name);
    if (files.isFile(path)) return path;
  }
  return undefined;
}

/** "Linux 6.1.0-13-amd64", "Linux" for Arch's vmlinuz-linux, "Linux lts" for vmlinuz-linux-lts. */
function titleOf(kernel: FoundKernel): string {
  if (kernel.suffix === undefined) return `Linux (${kernel.path})`;
  const arch = /^linux(?:-(.*))?$/.exec(kernel.suffix);
  if (arch) return arch[1] ? `Linux ${arch[1]}` : 'Linux';
  return `Linux ${kernel.suffix}`;
}

function resource(path: string): Resource {
  return { partition: SELF, path };
}

function parse(files: PartitionFiles, partition: string, _machine: MachineContext): ParseResult {
  const entries: ParsedEntry[] = [];
  for (const kernel of findKernels(files).sort(newestFirst)) {
    const dir = dirname(kernel.path);
    const microcode = EARLY_MICROCODE_NAMES.map((n) => join(dir, n)).filter((p) => files.isFile(p));
    const initrd =
      kernel.suffix !== undefined ? firstPresent(files, dir, initrdNamesFor(kernel.suffix)) : firstPresent(files, dir, bareInitrdNames(kernel.name));
    const base = {
      ...(kernel.version !== undefined ? { version: kernel.version } : {}),
      kernel: resource(kernel.path),
      overlays: [],
      cmdline: '',
      reuseCmdline: false,
      isDefault: false,
      // The kernel file itself is the source; lines are 1-based, so its start is line 1.
      source: { format: 'loose' as const, file: kernel.path, line: 1, partition },
    };
    entries.push({
      ...base,
      localId: kernel.path,
      title: titleOf(kernel),
      initrds: [...microcode, ...(initrd ? [initrd] : [])].map(resource),
      notes: initrd ? [NO_CMDLINE_NOTE] : [NO_CMDLINE_NOTE, 'no initramfs was found beside this kernel'],
    });
    // Arch's mkinitcpio also builds a fallback image with every module, offered as a second entry.
    const fallback = kernel.suffix !== undefined ? firstPresent(files, dir, [`initramfs-${kernel.suffix}-fallback.img`]) : undefined;
    if (fallback) {
      entries.push({
        ...base,
        localId: `${kernel.path}#fallback`,
        title: `${titleOf(kernel)} (fallback initramfs)`,
        initrds: [...microcode, fallback].map(resource),
        notes: [NO_CMDLINE_NOTE],
      });
    }
  }
  return { entries, diagnostics: [] };
}

export const looseParser: FormatParser = { format: 'loose', parse };
