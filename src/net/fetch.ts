// One entry point for both protocols: a URL in, its bytes (or a NetError sentence) out. The
// boot server's folder is a URL too (tftp://HOST[:PORT]/DIR or http://HOST[:PORT]/DIR), and
// the paths a config names are joined to it here.
import { httpGet, NO_HTTPS } from './http';
import { tftpGet } from './tftp';
import { NetError, type TransferLimits } from './transfer';

export const TFTP_PORT = 69;

/** A boot server folder: every path a config names relative to it is fetched from there. */
export interface NetFolder {
  readonly protocol: 'tftp' | 'http';
  /** Without a trailing '/' (`tftp://10.0.2.2`, `http://127.0.0.1:8080/boot`). */
  readonly href: string;
}

/** Parses a folder URL; throws a NetError sentence for anything but tftp:// and http://. */
export function parseFolder(text: string): NetFolder {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new NetError(`${text} is not a URL (give tftp://HOST[:PORT]/DIR or http://HOST[:PORT]/DIR)`);
  }
  if (url.protocol === 'https:') throw new NetError(`${text}: ${NO_HTTPS}`);
  if (url.protocol !== 'tftp:' && url.protocol !== 'http:') throw new NetError(`${text}: only tftp:// and http:// boot servers are read`);
  if (url.hostname === '') throw new NetError(`${text} names no server`);
  if (url.search !== '' || url.hash !== '') throw new NetError(`${text}: a boot server folder takes no ?query or #fragment`);
  const href = `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
  return { protocol: url.protocol === 'tftp:' ? 'tftp' : 'http', href };
}

/** Whether a path as written in a config is a whole URL rather than a name on the server. */
export function isUrl(path: string): boolean {
  return /^(tftp|https?):\/\//i.test(path);
}

/** The URL of `path` (absolute inside the folder, or a whole URL) on the folder's server. */
export function urlIn(folder: NetFolder, path: string): string {
  if (isUrl(path)) return path;
  return folder.href + '/' + path.replace(/^\/+/, '');
}

/** Fetches one URL; `limits` bound its size and its time. */
export async function fetchUrl(href: string, limits: TransferLimits): Promise<Buffer> {
  if (/^tftp:\/\//i.test(href)) {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      throw new NetError(`${href} is not a URL`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port === '' ? TFTP_PORT : Number(url.port);
    return tftpGet({ host, port, path: decodeURIComponent(url.pathname) }, limits);
  }
  return httpGet(href, limits);
}
