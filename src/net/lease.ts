// The DHCP lease as BusyBox udhcpc's script hands it over (one `name=value` line per
// variable udhcpc sets, plus the MAC and the SMBIOS UUID), and what a network boot loader
// takes from it: which server, which folder, which file.
//
// QEMU's user network (libslirp bootp.c) sends neither option 67 nor 66 unless told: the boot
// file is only in the BOOTP header (udhcpc's `boot_file`) and the server only in `siaddr`.
// So, as petitboot and u-root do: the boot file is option 67, else the header's; the server
// is option 66, else siaddr, else the DHCP server identifier.
import { folderOf, type ClientIdentity } from './pxe-paths';
import { isUrl, type NetFolder, parseFolder } from './fetch';

export interface Lease {
  readonly interface?: string;
  readonly ip: string;
  readonly router?: string;
  /** Option 54, the DHCP server itself. */
  readonly serverId?: string;
  /** The BOOTP header's next-server address. */
  readonly siaddr?: string;
  /** Option 66, the TFTP server name. */
  readonly tftpServer?: string;
  /** Option 67. */
  readonly bootFileOption?: string;
  /** The BOOTP header's file field. */
  readonly bootFileHeader?: string;
  /** Option 209 (PXELINUX config file). */
  readonly configFile?: string;
  /** Option 210 (PXELINUX path prefix). */
  readonly pathPrefix?: string;
  readonly mac?: string;
  readonly uuid?: string;
}

/** udhcpc's variable names (networking/udhcp/common.c) → the lease's fields. */
const NAMES: Readonly<Record<string, keyof Lease>> = {
  interface: 'interface',
  ip: 'ip',
  router: 'router',
  serverid: 'serverId',
  siaddr: 'siaddr',
  tftp: 'tftpServer',
  bootfile: 'bootFileOption',
  boot_file: 'bootFileHeader',
  pxeconffile: 'configFile',
  pxepathprefix: 'pathPrefix',
  mac: 'mac',
  uuid: 'uuid',
};

/** Reads `name=value` lines; undefined when there is no address (no lease). */
export function parseLease(text: string): Lease | undefined {
  const lease: { -readonly [K in keyof Lease]?: string } = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const field = NAMES[line.slice(0, eq).trim()];
    // udhcpc gives a list for some options ("router=10.0.2.2 10.0.2.3"): the first is used.
    const value = line.slice(eq + 1).trim();
    if (field && value !== '') lease[field] = field === 'router' ? value.split(/\s+/)[0]! : value;
  }
  return lease.ip === undefined ? undefined : (lease as Lease);
}

/** A header field of zeros reads as 0.0.0.0 or nothing: no address. */
function address(value: string | undefined): string | undefined {
  return value === undefined || value === '0.0.0.0' ? undefined : value;
}

export function bootServerOf(lease: Lease): string | undefined {
  return address(lease.tftpServer) ?? address(lease.siaddr) ?? address(lease.serverId);
}

export function bootFileOf(lease: Lease): string | undefined {
  return lease.bootFileOption ?? lease.bootFileHeader;
}

/** Where to look and as whom: the folder the lookup runs in and the client's identity. */
export interface NetTarget {
  readonly folder: NetFolder;
  /** Option 209: the config named outright (relative to the folder, or a whole URL). */
  readonly configFile?: string;
  /** The boot file relative to the folder (GRUB's prefix is found from it). */
  readonly bootFile?: string;
  readonly identity: ClientIdentity;
}

/** The lookup a lease asks for, or a sentence saying why there is none. */
export function targetOf(lease: Lease): NetTarget | string {
  const server = bootServerOf(lease);
  const bootFile = bootFileOf(lease);
  const identity: ClientIdentity = {
    ip: lease.ip,
    ...(lease.mac !== undefined ? { mac: lease.mac } : {}),
    ...(lease.uuid !== undefined ? { uuid: lease.uuid } : {}),
  };
  const prefix = lease.pathPrefix;
  let folderText: string;
  if (prefix !== undefined && isUrl(prefix)) folderText = prefix;
  else {
    if (server === undefined) return 'the lease names no boot server (no option 66, siaddr or server identifier)';
    const dir = prefix ?? (bootFile === undefined ? '' : folderOf(bootFile));
    folderText = `tftp://${server}/${dir.replace(/^\/+/, '')}`;
  }
  let folder: NetFolder;
  try {
    folder = parseFolder(folderText);
  } catch (err) {
    return (err as Error).message;
  }
  const relativeBoot = bootFile === undefined || prefix !== undefined ? bootFile : bootFile.slice(folderOf(bootFile).length).replace(/^\/+/, '');
  return {
    folder,
    ...(lease.configFile !== undefined ? { configFile: lease.configFile } : {}),
    ...(relativeBoot !== undefined ? { bootFile: relativeBoot } : {}),
    identity,
  };
}
