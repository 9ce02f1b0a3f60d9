// A TFTP client for reading one file (RFC 1350) over node:dgram, with the option
// negotiation of RFC 2347 and the blksize (RFC 2348) and tsize (RFC 2349) options that
// PXE servers (tftpd-hpa, dnsmasq, QEMU's slirp) answer. Lost packets are sent again with a
// doubling wait; the whole transfer has a deadline, so a silent or trickling server costs a
// bounded time and one sentence.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP, isIPv6 } from 'node:net';
import { DEFAULT_IDLE_MS, NetError, Receiver, remaining, type TransferLimits } from './transfer';

const RRQ = 1;
const DATA = 3;
const ACK = 4;
const ERROR = 5;
const OACK = 6;

/** The largest block that fits an Ethernet frame with IP and UDP headers (1500 - 20 - 8 - 4), as PXE ROMs ask. */
export const WANTED_BLKSIZE = 1468;
const DEFAULT_BLKSIZE = 512;
/** Consecutive unanswered sends before giving up, even with time left before the deadline. */
const MAX_TRIES = 6;
const MAX_IDLE_MS = 8000;

/** RFC 1350's error codes, for servers that send a code without a message. */
const ERROR_NAMES: readonly string[] = [
  'not defined',
  'file not found',
  'access violation',
  'disk full or allocation exceeded',
  'illegal TFTP operation',
  'unknown transfer ID',
  'file already exists',
  'no such user',
  'option negotiation refused',
];

export interface TftpRequest {
  readonly host: string;
  readonly port: number;
  /** As the server should see it; a leading '/' is dropped, as PXE clients send names relative to the server's root. */
  readonly path: string;
  /** Ask for this block size (default WANTED_BLKSIZE); 0 asks for no options at all. */
  readonly blksize?: number;
}

function packet(opcode: number, ...fields: (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0, opcode])];
  for (const f of fields) {
    if (typeof f === 'number') {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(f & 0xffff);
      parts.push(b);
    } else parts.push(Buffer.from(f + '\0', 'latin1'));
  }
  return Buffer.concat(parts);
}

/** The NUL-terminated strings of an OACK or ERROR packet. */
function strings(buf: Buffer, from: number): string[] {
  return buf.subarray(from).toString('latin1').split('\0').slice(0, -1);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * The server's address, resolved once before the request: only packets from it are taken
 * (any host on the LAN could otherwise answer first and become the transfer's peer).
 */
async function serverAddress(host: string, limits: TransferLimits): Promise<string> {
  if (isIP(host) !== 0) return host;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NetError(`the name of the TFTP server ${host} could not be resolved in time`)), Math.max(1, remaining(limits)));
  });
  try {
    return (await Promise.race([lookup(host), deadline])).address;
  } catch (err) {
    throw err instanceof NetError ? err : new NetError(`the name of the TFTP server ${host} could not be resolved (${(err as Error).message})`);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads one file; resolves with its bytes (empty when limits.onData takes them). */
export async function tftpGet(req: TftpRequest, limits: TransferLimits): Promise<Buffer> {
  return transfer(req, await serverAddress(req.host, limits), limits);
}

function transfer(req: TftpRequest, address: string, limits: TransferLimits): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const name = req.path.replace(/^\/+/, '');
    const where = `${req.host}:${req.port}`;
    const what = `${name} from the TFTP server ${where}`;
    const receiver = new Receiver(limits, name);
    const asked = req.blksize ?? WANTED_BLKSIZE;
    const options: (string | number)[] = asked > 0 ? ['blksize', String(asked), 'tsize', '0'] : [];
    const started = Date.now();
    const socket: Socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    let server: { address: string; port: number } | undefined;
    let blksize = DEFAULT_BLKSIZE;
    let expected = 1;
    let last = packet(RRQ, name, 'octet', ...options);
    let idle = limits.idleMs ?? DEFAULT_IDLE_MS;
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;

    const finish = (err: Error | undefined, farewell?: Buffer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // A packet still to go (the last ACK, an ERROR) leaves before the socket closes.
      if (farewell && server) socket.send(farewell, server.port, server.address, () => socket.close());
      else socket.close();
      if (err) reject(err);
      else resolve(receiver.result());
    };
    /** Tells the server why we stop (best effort: it may be gone) and fails with the sentence. */
    const abort = (code: number, message: string, err: Error): void => finish(err, packet(ERROR, code, message));
    const send = (): void => {
      const left = remaining(limits);
      if (left === 0) {
        finish(new NetError(`${what} did not finish within ${seconds(Date.now() - started)} (${receiver.received} bytes received)`));
        return;
      }
      if (tries >= MAX_TRIES) {
        finish(
          new NetError(
            receiver.received === 0 && !server
              ? `the TFTP server ${where} did not answer the request for ${name} (${tries} tries in ${seconds(Date.now() - started)})`
              : `the transfer of ${what} stopped after ${receiver.received} bytes: no answer to ${tries} tries`,
          ),
        );
        return;
      }
      tries++;
      const target = server ?? { address, port: req.port };
      socket.send(last, target.port, target.address, (err) => {
        if (err) finish(new NetError(`cannot send to the TFTP server ${where}: ${err.message}`));
      });
      clearTimeout(timer);
      timer = setTimeout(send, Math.min(idle, left));
      idle = Math.min(idle * 2, MAX_IDLE_MS);
    };
    /** A packet that moves the transfer on: the wait starts again from the short interval. */
    const progress = (next: Buffer): void => {
      last = next;
      tries = 0;
      idle = limits.idleMs ?? DEFAULT_IDLE_MS;
      send();
    };

    const onOack = (msg: Buffer): void => {
      if (expected !== 1 || receiver.received > 0) return; // a late duplicate
      const fields = strings(msg, 2);
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const key = fields[i]!.toLowerCase();
        const value = Number.parseInt(fields[i + 1]!, 10);
        if (key === 'blksize') {
          // RFC 2348: the server may only lower the size asked for.
          if (!(value >= 8 && value <= asked)) {
            abort(8, 'bad blksize', new NetError(`${what}: the server answered a block size of ${fields[i + 1]}, not one up to ${asked}`));
            return;
          }
          blksize = value;
        } else if (key === 'tsize' && Number.isFinite(value)) {
          try {
            receiver.announce(value);
          } catch (err) {
            abort(3, 'file too large', err as Error);
            return;
          }
        }
      }
      progress(packet(ACK, 0));
    };

    const onData = (msg: Buffer): void => {
      const block = msg.readUInt16BE(2);
      const data = msg.subarray(4);
      if (block === ((expected - 1) & 0xffff)) {
        // Our ACK was lost and the server sent the block again: acknowledge it again.
        socket.send(last, server!.port, server!.address);
        return;
      }
      if (block !== (expected & 0xffff)) return;
      if (data.length > blksize) {
        abort(4, 'block too large', new NetError(`${what}: a block of ${data.length} bytes, larger than the ${blksize} agreed`));
        return;
      }
      try {
        receiver.push(data);
      } catch (err) {
        abort(3, 'file too large', err as Error);
        return;
      }
      last = packet(ACK, block);
      expected++;
      if (data.length < blksize) {
        // The short block ends the file; the last ACK is sent once (the server may resend, we are gone).
        finish(undefined, last);
        return;
      }
      progress(last);
    };

    socket.on('message', (msg: Buffer, from: RemoteInfo) => {
      if (done || msg.length < 4) return;
      if (server && (from.port !== server.port || from.address !== server.address)) {
        // RFC 1350: a packet from another transfer ID is answered with error 5 and ignored.
        socket.send(packet(ERROR, 5, 'unknown transfer ID'), from.port, from.address);
        return;
      }
      // Until the server has answered, only its own address may (from the port it picks,
      // its transfer ID); anything else is another host's packet and is not ours to take.
      if (!server && from.address !== address) return;
      server ??= { address: from.address, port: from.port };
      const opcode = msg.readUInt16BE(0);
      if (opcode === ERROR) {
        const code = msg.readUInt16BE(2);
        const text = strings(msg, 4)[0] ?? '';
        const reason = text !== '' ? text : (ERROR_NAMES[code] ?? `error ${code}`);
        finish(new NetError(`the TFTP server ${where} refused ${name}: ${reason} (TFTP error ${code})`, code === 1));
      } else if (opcode === OACK) onOack(msg);
      else if (opcode === DATA) onData(msg);
      else abort(4, 'unexpected packet', new NetError(`${what}: the server sent a packet of type ${opcode}, which a reading client never expects`));
    });
    socket.on('error', (err) => finish(new NetError(`the TFTP transfer of ${what} failed: ${err.message}`)));
    socket.bind(0, () => send());
  });
}
