// Servers the network tests start themselves, on 127.0.0.1 only: Debian's tftpd-hpa on a
// free port (in the foreground, -L, so the test owns the process), a node:http server whose
// handler each test writes, and a UDP socket that never answers (a silent TFTP server).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const TFTPD = '/usr/sbin/in.tftpd';

/** Writes a tree (path → contents) under a fresh folder every user can read (tftpd drops to nobody). */
export function writeTree(tree: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'kexec-menu-net-'));
  chmodSync(root, 0o755);
  for (const [path, data] of Object.entries(tree)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    writeFileSync(file, data, { mode: 0o644 });
  }
  return root;
}

/** A UDP port free now (bound and released: tftpd binds it right after). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Tftpd {
  readonly port: number;
  readonly root: string;
  stop(): Promise<void>;
}

/** Starts in.tftpd serving `root` on 127.0.0.1; waits until it answers (a read of a missing file gets an error packet). */
export async function startTftpd(root: string, extra: readonly string[] = []): Promise<Tftpd> {
  const port = await freeUdpPort();
  const child: ChildProcess = spawn(TFTPD, ['-L', '-a', `127.0.0.1:${port}`, '-s', ...extra, root], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const probe = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      const rrq = Buffer.from('\0\x01kexec-menu-probe\0octet\0', 'latin1');
      const timer = setInterval(() => probe.send(rrq, port, '127.0.0.1'), 50);
      probe.on('message', () => {
        clearInterval(timer);
        resolve();
      });
      child.on('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`in.tftpd exited (${code}): ${stderr}`));
      });
    });
  } finally {
    probe.close();
  }
  return {
    port,
    root,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface HttpServer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startHttp(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<HttpServer> {
  const server: Server = createServer(handler);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Serves a tree of files by path (404 for anything else), like a plain static server. */
export function staticHandler(tree: Record<string, string | Buffer>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const body = tree[decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '')];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  };
}

/** A UDP port that receives and never answers. */
export async function startSilentUdp(): Promise<{ port: number; received: () => number; stop(): Promise<void> }> {
  const s: Socket = createSocket('udp4');
  let count = 0;
  s.on('message', () => count++);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, received: () => count, stop: () => new Promise<void>((r) => s.close(() => r())) };
}

export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}
