// Partition trees on disk for the scaling measurements, written as the real tools lay them
// out: copies of the Debian /boot sample (grub-mkconfig's grub.cfg, grubenv, two kernels),
// Fedora-style Boot Loader Spec entries with their kernels, and a generated Debian grub.cfg
// of a given size. Each partition is a folder; scan-child.ts reads them as the menu does.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const MID = '8f3c1e5b2a7d4e6f9a0b1c2d3e4f5a6b';
/** The UUID samples/debian-boot's grub.cfg searches for (its own partition). */
const SAMPLE_UUID = '5b1c9e0a-7d2f-4a51-9b3e-2c8f0d6a7e14';

/** A distinct, well-formed file-system UUID for partition number `i`. */
function partitionUuid(i: number): string {
  return `${(0x9a4d0000 + i).toString(16)}-3c8e-4f05-a1d6-e82b7c4f0a39`;
}
/** The BLS reader reads at most 2,000 entry files per folder; we stay well under. */
export const BLS_ENTRIES_PER_PARTITION = 1000;

/** A partition folder and the file-system UUID its configs refer to it by. */
export interface TreeRoot {
  readonly path: string;
  readonly uuid: string;
}

/** Partition folders and the formats worth reading on them. */
export interface TreeSpec {
  readonly roots: readonly TreeRoot[];
  readonly formats: readonly string[];
  /** The unit the size axis counts, and how many of them this tree holds. */
  readonly size: number;
}

/**
 * `count` partitions, each a copy of samples/debian-boot (grub-mkconfig's grub.cfg, two
 * kernels), its grub.cfg searching for the copy's own UUID as on a real disk.
 */
export function debianPartitions(dir: string, count: number, top: string): TreeSpec {
  const sample = resolve(top, 'samples/debian-boot');
  const cfg = readFileSync(join(sample, 'grub/grub.cfg'), 'utf8');
  if (!cfg.includes(SAMPLE_UUID)) throw new Error(`${sample}/grub/grub.cfg no longer searches for ${SAMPLE_UUID}`);
  const roots: TreeRoot[] = [];
  for (let i = 0; i < count; i++) {
    const root = { path: join(dir, `part${i}`), uuid: partitionUuid(i) };
    cpSync(sample, root.path, { recursive: true });
    writeFileSync(join(root.path, 'grub/grub.cfg'), cfg.replaceAll(SAMPLE_UUID, root.uuid));
    roots.push(root);
  }
  return { roots, formats: ['grub', 'bls', 'loose'], size: count };
}

/** `count` Fedora-style BLS entries (each with its kernel and initramfs), 1,000 per partition. */
export function blsPartitions(dir: string, count: number): TreeSpec {
  const roots: TreeRoot[] = [];
  for (let p = 0; p * BLS_ENTRIES_PER_PARTITION < count; p++) {
    const root = join(dir, `part${p}`);
    mkdirSync(join(root, 'loader/entries'), { recursive: true });
    const n = Math.min(BLS_ENTRIES_PER_PARTITION, count - p * BLS_ENTRIES_PER_PARTITION);
    for (let i = 0; i < n; i++) {
      const k = p * BLS_ENTRIES_PER_PARTITION + i;
      const v = `6.${Math.floor(k / 100)}.${k % 100}-300.fc39.x86_64`;
      writeFileSync(
        join(root, 'loader/entries', `${MID}-${v}.conf`),
        `title Fedora Linux (${v}) 39 (Workstation Edition)\nversion ${v}\nlinux /vmlinuz-${v}\ninitrd /initramfs-${v}.img\n` +
          `options root=UUID=3e8f1a27-6b4c-49d2-8e05-c71a9d3b2f64 ro rootflags=subvol=root rhgb quiet\ngrub_users $grub_users\ngrub_arg --unrestricted\ngrub_class fedora\n`,
      );
      writeFileSync(join(root, `vmlinuz-${v}`), 'k');
      writeFileSync(join(root, `initramfs-${v}.img`), 'i');
    }
    roots.push({ path: root, uuid: partitionUuid(p) });
  }
  return { roots, formats: ['bls'], size: count };
}

/**
 * A grub.cfg as grub-mkconfig writes it on Debian, of about `bytes`: the usual header, then
 * submenus of 50 entries, each with its search block. Returns the text and the kernel
 * versions it names (vmlinuz-V and initrd.img-V at the partition root).
 */
export function debianGrubCfg(bytes: number, uuid: string): { text: string; versions: string[] } {
  const search = (indent: string) =>
    `${indent}insmod part_gpt\n${indent}insmod ext2\n${indent}set root='hd0,gpt2'\n${indent}if [ x$feature_platform_search_hint = xy ]; then\n` +
    `${indent}  search --no-floppy --fs-uuid --set=root --hint-bios=hd0,gpt2 --hint-efi=hd0,gpt2 --hint-baremetal=ahci0,gpt2  ${uuid}\n${indent}else\n${indent}  search --no-floppy --fs-uuid --set=root ${uuid}\n${indent}fi\n`;
  const parts: string[] = [
    `if [ -s $prefix/grubenv ]; then\n  set have_grubenv=true\n  load_env\nfi\nset default="0"\nif [ x"\${feature_menuentry_id}" = xy ]; then\n  menuentry_id_option="--id"\nelse\n  menuentry_id_option=""\nfi\nexport menuentry_id_option\nset timeout=5\n`,
  ];
  const versions: string[] = [];
  let size = parts[0]!.length;
  for (let sub = 0; size < bytes; sub++) {
    const open = `submenu 'Advanced options ${sub}' $menuentry_id_option 'advanced-${sub}' {\n`;
    parts.push(open);
    size += open.length + 2;
    for (let k = 0; k < 50 && size < bytes; k++) {
      const v = `6.1.0-${versions.length}-amd64`;
      const e =
        `\tmenuentry 'Debian GNU/Linux, with Linux ${v}' --class debian --class gnu-linux --class gnu --class os $menuentry_id_option 'gnulinux-${v}-advanced' {\n` +
        `\t\tload_video\n\t\tinsmod gzio\n${search('\t\t')}\t\techo\t'Loading Linux ${v} ...'\n\t\tlinux\t/vmlinuz-${v} root=UUID=0f7e3c52-91a4-4d8b-b6e2-7a1d5c9e3b80 ro  quiet\n` +
        `\t\techo\t'Loading initial ramdisk ...'\n\t\tinitrd\t/initrd.img-${v}\n\t}\n`;
      parts.push(e);
      size += e.length;
      versions.push(v);
    }
    parts.push('}\n');
  }
  return { text: parts.join(''), versions };
}

/** One partition whose grub.cfg (as grub-mkconfig writes it on Debian) is about `bytes` long. */
export function grubPartition(dir: string, bytes: number): TreeSpec & { entries: number } {
  const root = join(dir, 'part0');
  const UUID = partitionUuid(0);
  mkdirSync(join(root, 'grub'), { recursive: true });
  const cfg = debianGrubCfg(bytes, UUID);
  for (const v of cfg.versions) {
    writeFileSync(join(root, `vmlinuz-${v}`), 'k');
    writeFileSync(join(root, `initrd.img-${v}`), 'i');
  }
  writeFileSync(join(root, 'grub/grub.cfg'), cfg.text);
  return { roots: [{ path: root, uuid: UUID }], formats: ['grub'], size: bytes, entries: cfg.versions.length };
}
