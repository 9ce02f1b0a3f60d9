// HTTP downloads with node:http alone. There is no HTTPS: the node Buildroot builds for the
// image has no OpenSSL, so an https:// URL (or a redirect to one) is refused with a sentence
// that says so; a kernel fetched over plain HTTP is trusted by its signature (KEXEC_SIG), not
// by the transport. Every size the server announces or sends is checked against the caller's
// limit, and a body shorter than its Content-Length is an error, not a truncated kernel.
import { request, type IncomingMessage } from 'node:http';
import { NetError, Receiver, remaining, type TransferLimits } from './transfer';

export const MAX_REDIRECTS = 5;
const DEFAULT_HTTP_IDLE_MS = 5000;

export const NO_HTTPS =
  "HTTPS is not supported: the image's Node.js is built without OpenSSL (serve the files over http:// or tftp://; signed kernels are the way to trust a download)";

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** One GET without following redirects: the response, or a sentence. */
function getOnce(url: URL, limits: TransferLimits, receiver: () => Receiver): Promise<{ status: number; location?: string; body?: Buffer }> {
  return new Promise((resolve, reject) => {
    const idleMs = limits.idleMs ?? DEFAULT_HTTP_IDLE_MS;
    let settled = false;
    let deadlineTimer: NodeJS.Timeout | undefined;
    const settle = (err: Error | undefined, value?: { status: number; location?: string; body?: Buffer }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadlineTimer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value!);
    };
    const req = request(url, { method: 'GET', agent: false, headers: { 'user-agent': 'kexec-menu', accept: '*/*' } });
    let got = 0;
    deadlineTimer = setTimeout(() => settle(new NetError(`${url.href} did not arrive before the deadline (${got} bytes received)`)), remaining(limits));
    req.setTimeout(idleMs, () =>
      settle(new NetError(got === 0 ? `the HTTP server of ${url.href} did not answer within ${seconds(idleMs)}` : `${url.href} stopped after ${got} bytes: no data for ${seconds(idleMs)}`)),
    );
    req.on('error', (err) => settle(new NetError(`cannot fetch ${url.href}: ${err.message}`)));
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location !== undefined) {
        res.resume();
        settle(undefined, { status, location: res.headers.location });
        return;
      }
      if (status !== 200) {
        res.resume();
        const missing = status === 404 || status === 410;
        settle(new NetError(`the HTTP server answered ${status} ${res.statusMessage ?? ''}`.trimEnd() + ` for ${url.href}`, missing));
        return;
      }
      const sink = receiver();
      const header = res.headers['content-length'];
      const length = header === undefined ? undefined : Number.parseInt(header, 10);
      try {
        if (length !== undefined && Number.isFinite(length)) sink.announce(length);
      } catch (err) {
        settle(err as Error);
        return;
      }
      res.on('data', (chunk: Buffer) => {
        got += chunk.length;
        try {
          sink.push(chunk);
        } catch (err) {
          settle(err as Error);
        }
      });
      res.on('end', () => {
        if (length !== undefined && got < length) settle(new NetError(`${url.href} ended after ${got} of its ${length} bytes`));
        else settle(undefined, { status, body: sink.result() });
      });
      // The connection closed before the body was complete (node reports it as 'aborted' / an error).
      res.on('error', () => settle(new NetError(`${url.href} ended after ${got}${length !== undefined ? ` of its ${length}` : ''} bytes: the connection closed`)));
      res.on('close', () => {
        if (!res.complete) settle(new NetError(`${url.href} ended after ${got}${length !== undefined ? ` of its ${length}` : ''} bytes: the connection closed`));
      });
    });
    req.end();
  });
}

/** Reads one URL (http:// only), following at most MAX_REDIRECTS redirects on the same server and no loop. */
export async function httpGet(href: string, limits: TransferLimits): Promise<Buffer> {
  let url = new URL(href);
  const seen = new Set<string>();
  for (let hops = 0; ; hops++) {
    if (url.protocol === 'https:') throw new NetError(`${url.href}: ${NO_HTTPS}`);
    if (url.protocol !== 'http:') throw new NetError(`${url.href}: only http:// and tftp:// URLs can be fetched`);
    seen.add(url.href);
    const answer = await getOnce(url, limits, () => new Receiver(limits, url.href));
    if (answer.location === undefined) return answer.body!;
    const next = new URL(answer.location, url);
    // Only within the same server: the trust rule (trusted: server/url) and the promise that
    // the menu talks to the configured boot server alone are about the URLs a config names.
    if (next.protocol === url.protocol && next.host !== url.host) throw new NetError(`${href} redirects to another server (${next.host}), which kexec-menu does not follow`);
    if (seen.has(next.href)) throw new NetError(`${href} redirects in a loop (back to ${next.href})`);
    if (hops + 1 > MAX_REDIRECTS) throw new NetError(`${href} redirects more than ${MAX_REDIRECTS} times`);
    url = next;
  }
}
