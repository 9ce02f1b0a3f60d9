// Which config file a network boot loader asks its server for, in the order it asks: pure
// functions of the client's identity (UUID, MAC, IPv4 address) and the DHCP answer.
//
// PXELINUX (doc/pxelinux.txt): option 209 names the file outright; otherwise, under the path
// prefix (option 210, else the folder of the boot file), pxelinux.cfg/ + the client UUID,
// 01- + the MAC in lower-case hex with dashes (01 is the ARP type of Ethernet), the IPv4
// address in upper-case hex shortened one digit at a time, then `default`.
// GRUB (manual, "Network", grub_net_search_config_file): beside its prefix grub.cfg- + the
// UUID, grub.cfg-01- + the MAC, grub.cfg- + the hex address shortened the same way, grub.cfg.

/** What identifies the client to the lookup (each part optional: a missing one is skipped). */
export interface ClientIdentity {
  readonly uuid?: string;
  readonly mac?: string;
  readonly ip?: string;
}

/** A MAC as `aa-bb-cc-dd-ee-ff` (lower case), from `:`, `-` or bare hex; undefined when it is not 6 bytes. */
export function macDashed(mac: string): string | undefined {
  const hex = mac.trim().toLowerCase().replace(/[:-]/g, '');
  if (!/^[0-9a-f]{12}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join('-');
}

/** An IPv4 address as 8 upper-case hex digits (192.168.1.2 → C0A80102); undefined when it is not one. */
export function ipHex(ip: string): string | undefined {
  const parts = ip.trim().split('.');
  if (parts.length !== 4) return undefined;
  let out = '';
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out += Number(p).toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** A UUID in the lower-case 8-4-4-4-12 form PXELINUX prints; undefined when it is not one. */
export function uuidForm(uuid: string): string | undefined {
  const hex = uuid.trim().toLowerCase().replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** C0A80102, C0A8010, …, C: each shorter name covers a larger subnet. */
function shortened(hex: string): string[] {
  const out: string[] = [];
  for (let n = hex.length; n >= 1; n--) out.push(hex.slice(0, n));
  return out;
}

/** The identity's own names in lookup order: UUID, 01-MAC, hex IP shortened. */
function identityNames(client: ClientIdentity): string[] {
  const names: string[] = [];
  const uuid = client.uuid === undefined ? undefined : uuidForm(client.uuid);
  if (uuid) names.push(uuid);
  const mac = client.mac === undefined ? undefined : macDashed(client.mac);
  if (mac) names.push(`01-${mac}`);
  const hex = client.ip === undefined ? undefined : ipHex(client.ip);
  if (hex) names.push(...shortened(hex));
  return names;
}

/** PXELINUX's config names, relative to its path prefix. */
export function pxelinuxCandidates(client: ClientIdentity): string[] {
  return [...identityNames(client), 'default'].map((n) => `pxelinux.cfg/${n}`);
}

/** GRUB's config names, relative to its prefix (the folder grub-mknetdir writes grub.cfg to). */
export function grubCandidates(client: ClientIdentity): string[] {
  return [...identityNames(client).map((n) => `grub.cfg-${n}`), 'grub.cfg'];
}

/** The folder part of a server path ('pxelinux/pxelinux.0' → 'pxelinux', 'pxelinux.0' → ''). */
export function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The platform folders grub-mknetdir puts each core image in, below the prefix that holds grub.cfg. */
const GRUB_PLATFORMS: ReadonlySet<string> = new Set([
  'i386-pc', 'i386-efi', 'x86_64-efi', 'arm-efi', 'arm64-efi', 'riscv32-efi', 'riscv64-efi', 'loongarch64-efi',
  'ia64-efi', 'powerpc-ieee1275', 'sparc64-ieee1275', 'i386-ieee1275', 'mips64el-efi',
]);

/** GRUB's prefix for a folder that holds one of grub-mknetdir's core images (boot/grub/x86_64-efi → boot/grub). */
export function grubPrefixOf(folder: string): string {
  const dir = folder.replace(/\/+$/, '');
  const slash = dir.lastIndexOf('/');
  return GRUB_PLATFORMS.has(dir.slice(slash + 1)) ? dir.slice(0, Math.max(slash, 0)) : dir;
}
