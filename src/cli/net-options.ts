// What `list` and `boot` take to read a boot server from the host: --net URL (the folder the
// DHCP options point at) and --mac/--ip/--uuid standing in for the lease. How the network's
// entries join the disks' menu is src/net/merge.ts's.
import { UsageError, type OptionSpec, type ParsedArgs, valueOf } from './args';
import { parseFolder } from '../net/fetch';
import { ipHex, macDashed, uuidForm, type ClientIdentity } from '../net/pxe-paths';
import type { NetLookup } from '../net/source';
import { NetError } from '../net/transfer';

export const NET_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  net: { value: true },
  mac: { value: true },
  ip: { value: true },
  uuid: { value: true },
};

export const NET_USAGE = '[--net tftp://HOST[:PORT]/DIR|http://HOST[:PORT]/DIR [--mac MAC] [--ip IP] [--uuid UUID]]';

/** How long a lookup from the command line may take in all (a silent server costs this, once). */
export const CLI_LOOKUP_MS = 20_000;

/** The lookup the options ask for; undefined without --net. Bad values are usage errors. */
export function lookupFromArgs(args: ParsedArgs, now = Date.now()): NetLookup | undefined {
  const net = valueOf(args, 'net');
  const mac = valueOf(args, 'mac');
  const ip = valueOf(args, 'ip');
  const uuid = valueOf(args, 'uuid');
  if (net === undefined) {
    if (mac !== undefined || ip !== undefined || uuid !== undefined) throw new UsageError('--mac, --ip and --uuid describe the client of a --net lookup: give --net too');
    return undefined;
  }
  if (mac !== undefined && macDashed(mac) === undefined) throw new UsageError(`--mac ${mac}: not a MAC address (six hex bytes, as 52:54:00:12:34:56)`);
  if (ip !== undefined && ipHex(ip) === undefined) throw new UsageError(`--ip ${ip}: not an IPv4 address`);
  if (uuid !== undefined && uuidForm(uuid) === undefined) throw new UsageError(`--uuid ${uuid}: not a UUID (32 hex digits)`);
  let folder;
  try {
    folder = parseFolder(net);
  } catch (err) {
    if (err instanceof NetError) throw new UsageError(`--net ${err.message}`);
    throw err;
  }
  const identity: ClientIdentity = { ...(mac !== undefined ? { mac } : {}), ...(ip !== undefined ? { ip } : {}), ...(uuid !== undefined ? { uuid } : {}) };
  return { folder, identity, deadline: now + CLI_LOOKUP_MS };
}

export { withNetwork } from '../net/merge';
