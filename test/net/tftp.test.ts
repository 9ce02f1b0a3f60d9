// The TFTP client against Debian's tftpd-hpa on the loopback (started by the test), and
// against servers of the test's own that misbehave the ways a boot server can.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tftpGet } from '../../src/net/tftp';
import { NetError } from '../../src/net/transfer';
import { TFTPD, removeTree, startSilentUdp, startTftpd, writeTree, type Tftpd } from './servers';

const big = randomBytes(200_000);
const exact = randomBytes(1468 * 3); // ends with an empty block
let server: Tftpd | undefined;
const skip = existsSync(TFTPD) ? false : `${TFTPD} is not installed (Debian package tftpd-hpa)`;

before(async () => {
  if (skip) return;
  server = await startTftpd(writeTree({ 'boot/vmlinuz': big, 'exact.bin': exact, 'empty': '', 'pxelinux.cfg/default': 'DEFAULT x\n' }));
});
after(async () => {
  await server?.stop();
  if (server) removeTree(server.root);
});

const limits = (extra: object = {}) => ({ deadline: Date.now() + 30_000, maxBytes: 1 << 24, idleMs: 200, ...extra });
const get = (path: string, extra: object = {}, blksize?: number) =>
  tftpGet({ host: '127.0.0.1', port: server!.port, path, ...(blksize !== undefined ? { blksize } : {}) }, limits(extra));

test('a file arrives whole with blksize and tsize negotiated, and with no options at all', { skip }, async () => {
  assert.deepEqual(await get('/boot/vmlinuz'), big);
  assert.deepEqual(await get('boot/vmlinuz', {}, 0), big); // 512-byte blocks, 391 of them
  assert.deepEqual(await get('exact.bin'), exact);
  assert.deepEqual(await get('empty'), Buffer.alloc(0));
});

test('progress counts bytes and knows the size from tsize; onData takes the pieces', { skip }, async () => {
  const seen: [number, number | undefined][] = [];
  const pieces: Buffer[] = [];
  const out = await get('boot/vmlinuz', { onProgress: (n: number, t: number | undefined) => seen.push([n, t]), onData: (c: Buffer) => pieces.push(c) });
  assert.equal(out.length, 0);
  assert.deepEqual(Buffer.concat(pieces), big);
  assert.deepEqual(seen.at(-1), [big.length, big.length]);
  assert.ok(seen.length >= Math.ceil(big.length / 1468));
});

test('a missing file is an error packet turned into a sentence, marked missing', { skip }, async () => {
  const err = await get('pxelinux.cfg/01-52-54-00-12-34-56').catch((e: unknown) => e);
  assert.ok(err instanceof NetError);
  assert.equal(err.missing, true);
  assert.match(err.message, /^the TFTP server 127\.0\.0\.1:\d+ refused pxelinux\.cfg\/01-52-54-00-12-34-56: File not found \(TFTP error 1\)$/);
});

test('a file larger than the limit fails on its tsize before the data', { skip }, async () => {
  const got: number[] = [];
  const err = await get('boot/vmlinuz', { maxBytes: 1000, onProgress: (n: number) => got.push(n) }).catch((e: unknown) => e);
  assert.ok(err instanceof NetError);
  assert.equal(err.message, `boot/vmlinuz is ${big.length} bytes, more than the 1000 accepted`);
  assert.deepEqual(got, []);
});

test('a silent server: the request is sent again with back-off, then one sentence', async () => {
  const silent = await startSilentUdp();
  try {
    const err = await tftpGet({ host: '127.0.0.1', port: silent.port, path: 'pxelinux.0' }, { deadline: Date.now() + 30_000, maxBytes: 1 << 20, idleMs: 10 }).catch((e: unknown) => e);
    assert.ok(err instanceof NetError);
    assert.match(err.message, /^the TFTP server 127\.0\.0\.1:\d+ did not answer the request for pxelinux\.0 \(6 tries in [\d.]+ s\)$/);
    assert.equal(silent.received(), 6);
  } finally {
    await silent.stop();
  }
});

test('the total deadline ends even a server that never answers', async () => {
  const silent = await startSilentUdp();
  try {
    const err = await tftpGet({ host: '127.0.0.1', port: silent.port, path: 'x' }, { deadline: Date.now() + 50, maxBytes: 1 << 20, idleMs: 5000 }).catch((e: unknown) => e);
    assert.ok(err instanceof NetError);
    assert.match(err.message, /^x from the TFTP server 127\.0\.0\.1:\d+ did not finish within [\d.]+ s \(0 bytes received\)$/);
  } finally {
    await silent.stop();
  }
});

/** A server of the test's own: `answer` gets each packet and replies through `send`. */
async function scripted(answer: (msg: Buffer, from: RemoteInfo, send: (b: Buffer) => void) => void) {
  const s = createSocket('udp4');
  s.on('message', (msg, from) => answer(msg, from, (b) => s.send(b, from.port, from.address)));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, stop: () => new Promise<void>((r) => s.close(() => r())) };
}

const data = (block: number, bytes: number) => Buffer.concat([Buffer.from([0, 3, block >> 8, block & 0xff]), Buffer.alloc(bytes, 0x41)]);

test('a transfer that stops half-way: the last ACK is sent again, then a sentence with the bytes received', async () => {
  let acks = 0;
  const s = await scripted((msg, _from, send) => {
    if (msg.readUInt16BE(0) === 1) send(data(1, 512)); // ignores the options: 512-byte blocks
    else if (msg.readUInt16BE(0) === 4) acks++;
  });
  try {
    const err = await tftpGet({ host: '127.0.0.1', port: s.port, path: 'vmlinuz' }, { deadline: Date.now() + 30_000, maxBytes: 1 << 20, idleMs: 10 }).catch((e: unknown) => e);
    assert.ok(err instanceof NetError);
    assert.equal(err.message, 'the transfer of vmlinuz from the TFTP server 127.0.0.1:' + s.port + ' stopped after 512 bytes: no answer to 6 tries');
    assert.equal(acks, 6);
  } finally {
    await s.stop();
  }
});

test('an error packet with a message of its own, and one with only a code', async () => {
  const s = await scripted((msg, _from, send) => {
    const name = msg.subarray(2).toString('latin1').split('\0')[0];
    send(name === 'a' ? Buffer.from('\0\x05\0\x02go away\0', 'latin1') : Buffer.from('\0\x05\0\x03\0', 'latin1'));
  });
  try {
    const a = await tftpGet({ host: '127.0.0.1', port: s.port, path: 'a' }, limits()).catch((e: unknown) => e);
    assert.ok(a instanceof NetError && !a.missing);
    assert.equal(a.message, `the TFTP server 127.0.0.1:${s.port} refused a: go away (TFTP error 2)`);
    const b = await tftpGet({ host: '127.0.0.1', port: s.port, path: 'b' }, limits()).catch((e: unknown) => e);
    assert.ok(b instanceof NetError);
    assert.equal(b.message, `the TFTP server 127.0.0.1:${s.port} refused b: disk full or allocation exceeded (TFTP error 3)`);
  } finally {
    await s.stop();
  }
});

test('a server that answers a larger block size than asked is refused with error 8', async () => {
  let refused: (code: number) => void = () => {};
  const errorCode = new Promise<number>((r) => (refused = r));
  const s = await scripted((msg, _from, send) => {
    if (msg.readUInt16BE(0) === 1) send(Buffer.from('\0\x06blksize\x0065464\0', 'latin1'));
    if (msg.readUInt16BE(0) === 5) refused(msg.readUInt16BE(2));
  });
  try {
    const err = await tftpGet({ host: '127.0.0.1', port: s.port, path: 'k' }, limits()).catch((e: unknown) => e);
    assert.ok(err instanceof NetError);
    assert.equal(err.message, `k from the TFTP server 127.0.0.1:${s.port}: the server answered a block size of 65464, not one up to 1468`);
    assert.equal(await errorCode, 8); // the server is told why, as RFC 2347 asks
  } finally {
    await s.stop();
  }
});

test('a reply from another host than the server asked is not taken: a forged first block and a forged error are ignored, the server\'s own answer is', async () => {
  // Another host on the LAN (127.0.0.2, still this machine's loopback) races the real server.
  const forger = createSocket('udp4');
  await new Promise<void>((r) => forger.bind(0, '127.0.0.2', () => r()));
  const s = await scripted((msg, from, send) => {
    if (msg.readUInt16BE(0) !== 1) return;
    forger.send(Buffer.from('\0\x05\0\x01forged\0', 'latin1'), from.port, from.address);
    forger.send(Buffer.concat([Buffer.from([0, 3, 0, 1]), Buffer.from('evil kernel')]), from.port, from.address, () => {
      // The real server answers after the forger's packets have arrived.
      setTimeout(() => send(Buffer.concat([Buffer.from([0, 3, 0, 1]), Buffer.from('real kernel')])), 50);
    });
  });
  try {
    const got = await tftpGet({ host: '127.0.0.1', port: s.port, path: 'vmlinuz', blksize: 0 }, { deadline: Date.now() + 30_000, maxBytes: 1 << 20, idleMs: 2000 });
    assert.equal(got.toString(), 'real kernel');
  } finally {
    await s.stop();
    await new Promise<void>((r) => forger.close(() => r()));
  }
});
