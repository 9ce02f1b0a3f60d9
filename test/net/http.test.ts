// The HTTP client against node:http servers of the test's own on 127.0.0.1, each answering
// the way a broken or hostile boot server can.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpGet, MAX_REDIRECTS, NO_HTTPS } from '../../src/net/http';
import { NetError } from '../../src/net/transfer';
import { startHttp } from './servers';
import type { IncomingMessage, ServerResponse } from 'node:http';

const limits = (extra: object = {}) => ({ deadline: Date.now() + 30_000, maxBytes: 1 << 20, idleMs: 2000, ...extra });

async function withServer(handler: (req: IncomingMessage, res: ServerResponse) => void, body: (url: string) => Promise<void>): Promise<void> {
  const s = await startHttp(handler);
  try {
    await body(s.url);
  } finally {
    await s.stop();
  }
}

async function failure(p: Promise<unknown>): Promise<NetError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof NetError, `expected a NetError, got ${String(err)}`);
  return err;
}

test('200: the body, with or without a Content-Length', async () => {
  await withServer(
    (req, res) => (req.url === '/a' ? res.writeHead(200, { 'content-length': 5 }).end('hello') : res.end('chunked')),
    async (url) => {
      assert.equal((await httpGet(`${url}/a`, limits())).toString(), 'hello');
      assert.equal((await httpGet(`${url}/b`, limits())).toString(), 'chunked');
    },
  );
});

test('404 is "missing"; 500 is a sentence with the status', async () => {
  await withServer(
    (req, res) => res.writeHead(req.url === '/gone' ? 404 : 500).end('x'),
    async (url) => {
      const gone = await failure(httpGet(`${url}/gone`, limits()));
      assert.equal(gone.missing, true);
      assert.equal(gone.message, `the HTTP server answered 404 Not Found for ${url}/gone`);
      const broken = await failure(httpGet(`${url}/cfg`, limits()));
      assert.equal(broken.missing, false);
      assert.equal(broken.message, `the HTTP server answered 500 Internal Server Error for ${url}/cfg`);
    },
  );
});

test('redirects on the same server are followed; a loop, a long chain, a redirect to HTTPS and one to another server are refused', async () => {
  await withServer(
    (req, res) => {
      const u = req.url ?? '/';
      if (u === '/old') res.writeHead(301, { location: '/new' }).end();
      else if (u === '/new') res.end('moved');
      else if (u === '/loop-a') res.writeHead(302, { location: '/loop-b' }).end();
      else if (u === '/loop-b') res.writeHead(307, { location: '/loop-a' }).end();
      else if (u.startsWith('/chain/')) res.writeHead(302, { location: `/chain/${Number(u.slice(7)) + 1}` }).end();
      else if (u === '/secure') res.writeHead(308, { location: 'https://127.0.0.1/x' }).end();
      else if (u === '/elsewhere') res.writeHead(302, { location: 'http://127.0.0.2:9/kernel' }).end();
      else res.writeHead(404).end();
    },
    async (url) => {
      assert.equal((await httpGet(`${url}/old`, limits())).toString(), 'moved');
      assert.equal((await failure(httpGet(`${url}/loop-a`, limits()))).message, `${url}/loop-a redirects in a loop (back to ${url}/loop-a)`);
      assert.equal((await failure(httpGet(`${url}/chain/0`, limits()))).message, `${url}/chain/0 redirects more than ${MAX_REDIRECTS} times`);
      assert.equal((await failure(httpGet(`${url}/secure`, limits()))).message, `https://127.0.0.1/x: ${NO_HTTPS}`);
      // Never to another server: refused before any connection is made.
      assert.equal((await failure(httpGet(`${url}/elsewhere`, limits()))).message, `${url}/elsewhere redirects to another server (127.0.0.2:9), which kexec-menu does not follow`);
    },
  );
});

test('https:// is refused before any connection, saying why', async () => {
  const err = await failure(httpGet('https://127.0.0.1:1/vmlinuz', limits()));
  assert.match(err.message, /^https:\/\/127\.0\.0\.1:1\/vmlinuz: HTTPS is not supported: the image's Node\.js is built without OpenSSL/);
});

test('a Content-Length far larger than RAM fails before the body; a body past the limit without one fails too', async () => {
  await withServer(
    (req, res) => {
      if (req.url === '/huge') {
        res.writeHead(200, { 'content-length': String(2 ** 50) });
        res.write('x'); // and never more
      } else {
        res.write(Buffer.alloc(3000)); // chunked: no length announced
        res.end(Buffer.alloc(2000));
      }
    },
    async (url) => {
      assert.equal((await failure(httpGet(`${url}/huge`, limits()))).message, `${url}/huge is ${2 ** 50} bytes, more than the ${1 << 20} accepted`);
      assert.equal((await failure(httpGet(`${url}/long`, limits({ maxBytes: 4096 })))).message, `${url}/long is longer than the 4096 bytes accepted`);
    },
  );
});

test('a body shorter than its Content-Length is an error, not a short file', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(10), () => res.socket?.destroy());
    },
    async (url) => {
      assert.equal((await failure(httpGet(`${url}/k`, limits()))).message, `${url}/k ended after 10 of its 1000 bytes: the connection closed`);
    },
  );
});

test('a silent server and a trickling one each end in a sentence', async () => {
  const timers: NodeJS.Timeout[] = [];
  await withServer(
    (req, res) => {
      if (req.url === '/silent') return; // accepts, never answers
      res.writeHead(200, { 'content-length': 100000 });
      timers.push(setInterval(() => res.write('x'), 5));
    },
    async (url) => {
      assert.equal((await failure(httpGet(`${url}/silent`, limits({ idleMs: 50 })))).message, `the HTTP server of ${url}/silent did not answer within 0.1 s`);
      const slow = await failure(httpGet(`${url}/slow`, limits({ deadline: Date.now() + 200 })));
      assert.match(slow.message, new RegExp(`^${url}/slow did not arrive before the deadline \\(\\d+ bytes received\\)$`));
    },
  );
  for (const t of timers) clearInterval(t);
});
