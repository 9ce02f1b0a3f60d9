// GRUB's network devices (grub-core/net/net.c, grub_net_open_real): `(PROTOCOL,SERVER)`
// opens SERVER with PROTOCOL (`tftp` or `http`); `(PROTOCOL)` alone uses net_default_server
// (pxe_default_server is the same variable); `(pxe)` is `(tftp)` and `(pxe:SERVER)` is
// `(tftp,SERVER)`. When the config was read from a boot server, the reader knows that server
// (GrubNetwork, from the lease): a path on it is a path of the config's own view; a path on
// another server, or over the other protocol, is a whole URL (`/http:/HOST/path`, the form the
// network source turns into `http://HOST/path`). On a disk no such device can be reached.
import type { Resource } from '../model';
import { SELF } from '../model';

/** What setNetVariables needs of GRUB's Environment (environment.ts imports this module). */
interface Variables {
  set(name: string, value: string): void;
  export(name: string): void;
}

/** The boot server a config was read from, and the client's address, as GRUB's net variables give them. */
export interface GrubNetwork {
  /** The protocol the config came over: GRUB's boot device is `(tftp,SERVER)` or `(http,SERVER)`. */
  readonly protocol: 'tftp' | 'http';
  /** The server's address as GRUB writes it (net_default_server): an IPv4 address or a host name. */
  readonly server: string;
  /** The client's IPv4 address (net_default_ip), when known. */
  readonly ip?: string;
  /** The client's MAC address, lower-case with colons (net_default_mac), when known. */
  readonly mac?: string;
}

/** A network device name as GRUB parses it; `server` undefined means net_default_server. */
export interface NetDevice {
  readonly kind: 'net';
  readonly protocol: 'tftp' | 'http';
  readonly server: string | undefined;
}

const PROTOCOLS = new Set(['tftp', 'http']);
/** What a server in a device name may be: a host name, an IPv4 address, or [IPv6]. */
const SERVER = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])$/;

/** `tftp`, `http,10.0.2.2`, `pxe`, `pxe:10.0.2.2` as GRUB reads them; undefined for any other device name. */
export function parseNetDevice(name: string): NetDevice | undefined {
  if (name === 'pxe') return { kind: 'net', protocol: 'tftp', server: undefined };
  if (name.startsWith('pxe:')) return { kind: 'net', protocol: 'tftp', server: name.slice(4) };
  const comma = name.indexOf(',');
  const protocol = comma < 0 ? name : name.slice(0, comma);
  if (!PROTOCOLS.has(protocol)) return undefined;
  return { kind: 'net', protocol: protocol as NetDevice['protocol'], server: comma < 0 ? undefined : name.slice(comma + 1) };
}

/** The device GRUB boots from over the network: `tftp,10.0.2.2` (root, and the device of prefix and cmdpath). */
export function bootDeviceName(network: GrubNetwork): string {
  return `${network.protocol},${network.server}`;
}

/** The server a device names now: its own, else net_default_server as the config left it. */
function serverOf(device: NetDevice, network: GrubNetwork | undefined, defaultServer: string | undefined): string | undefined {
  return device.server ?? defaultServer ?? network?.server;
}

/**
 * The resource a path on a network device stands for. On the config's own server and
 * protocol: a path of the view (SELF). On another: the whole URL as a view path. On a disk,
 * or with a server GRUB could not name: unmappable, saying why.
 */
export function netResource(device: NetDevice, deviceName: string, path: string, network: GrubNetwork | undefined, defaultServer: string | undefined): Resource {
  const server = serverOf(device, network, defaultServer);
  if (network === undefined) {
    return { partition: { by: 'unmappable', value: `(${deviceName}) on a boot server (GRUB's network device; this config was read from a disk, not from the network)` }, path };
  }
  if (server === undefined || server === '' || !SERVER.test(server)) {
    return { partition: { by: 'unmappable', value: `(${deviceName}), GRUB's network device with no server GRUB could reach` }, path };
  }
  if (server === network.server && device.protocol === network.protocol) return { partition: SELF, path };
  return { partition: SELF, path: `/${device.protocol}:/${server}${path}` };
}

/** Whether a network device names the config's own server over its own protocol (its files are read like the config's). */
export function isOwnServer(device: NetDevice, network: GrubNetwork | undefined, defaultServer: string | undefined): boolean {
  return network !== undefined && device.protocol === network.protocol && serverOf(device, network, defaultServer) === network.server;
}

/** For messages: where a network device's files are. */
export function describeNet(device: NetDevice, deviceName: string, network: GrubNetwork | undefined, defaultServer: string | undefined): string {
  if (network === undefined) return `GRUB's network device (${deviceName}), a boot server; this config was read from a disk`;
  const server = serverOf(device, network, defaultServer) ?? '?';
  return isOwnServer(device, network, defaultServer) ? `the boot server ${server}` : `${device.protocol}://${server}, not the boot server this config came from`;
}

/** The note an entry gets for each file on a server other than the config's (a URL path the view cannot read itself). */
export function otherServerNotes(resources: readonly (Resource | undefined)[], network: GrubNetwork | undefined): string[] {
  if (network === undefined) return [];
  const notes: string[] = [];
  for (const r of resources) {
    const m = r && r.partition.by === 'self' ? /^\/(tftp|http):\/([^/]+)/.exec(r.path) : null;
    if (!m) continue;
    const other = `${m[1]}://${m[2]}`;
    notes.push(`some of its files are on ${other}, another server than the boot server this config came from (${network.protocol}://${network.server})`);
  }
  return [...new Set(notes)];
}

/** GRUB's net variables after a network boot (manual, "Network"), and root, prefix and cmdpath on the boot device. */
export function setNetVariables(env: Variables, network: GrubNetwork, configDir: string): void {
  const exported = (name: string, value: string): void => {
    env.set(name, value);
    env.export(name);
  };
  const device = bootDeviceName(network);
  exported('net_default_server', network.server);
  exported('pxe_default_server', network.server);
  if (network.ip !== undefined) exported('net_default_ip', network.ip);
  if (network.mac !== undefined) exported('net_default_mac', network.mac);
  exported('root', device);
  exported('prefix', `(${device})${configDir}`);
  exported('cmdpath', `(${device})${configDir}`);
}
