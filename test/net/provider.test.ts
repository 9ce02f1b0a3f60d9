// The menu's network section: the lease folder the image's udhcpc script writes (status lines,
// then IFACE.lease by rename) watched by src/net/provider.ts, each lease looked up on a
// node:http boot server on the loopback, the entries joining the real SystemBackend after the
// disks' (none here), and a dry-run boot of one downloading a Debian kernel into a memfd with
// the progress in bytes. Every wait is for an event; nothing here sleeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MachineContext } from '../../src/machine/context';
import { DEFAULT_SETTINGS } from '../../src/settings/settings';
import { type NetworkProvider, startNetworkUp, watchNetwork } from '../../src/net/provider';
import type { BootProgress } from '../../src/ui/backend';
import { SystemBackend } from '../../src/ui/system-backend';
import { debianKernel } from '../kexec/debian';
import { startHttp, staticHandler, type HttpServer } from './servers';

const machine: MachineContext = { efiArch: 'x64' };
const kernel = debianKernel('amd64');
const skip = typeof kernel === 'string' ? kernel : false;
const initrd = Buffer.alloc(5000, 3);
let http: HttpServer;
let kernelBytes: Buffer;
const served: string[] = [];

before(async () => {
  kernelBytes = typeof kernel === 'string' ? Buffer.from('not a kernel') : readFileSync(kernel.image);
  const files = {
    'pxelinux.cfg/01-52-54-00-12-34-56': 'DEFAULT net\nLABEL net\n  MENU LABEL Debian from the boot server\n  KERNEL vmlinuz\n  INITRD initrd.img\n  APPEND console=ttyS0 via=net\n',
    'pxelinux.cfg/default': 'DEFAULT other\nLABEL other\n  MENU LABEL Not this one\n  KERNEL vmlinuz\n',
    vmlinuz: kernelBytes,
    'initrd.img': initrd,
  };
  const handler = staticHandler(files);
  http = await startHttp((req, res) => {
    served.push(req.url ?? '');
    handler(req, res);
  });
});
after(() => http.stop());

/** Writes a file as the scripts do: a temporary name, then a rename. */
function put(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, `.${name}.tmp`), text);
  renameSync(join(dir, `.${name}.tmp`), join(dir, name));
}

/** Resolves at the first change after which `test` holds (or at once if it holds now). */
function when(net: NetworkProvider, test: () => boolean): Promise<void> {
  return new Promise((done) => {
    if (test()) return done();
    net.onChange(() => {
      if (test()) done();
    });
  });
}

const lease = (prefix: string) => `interface=eth0\nip=10.0.2.15\nmask=24\nrouter=10.0.2.2\nserverid=10.0.2.2\nsiaddr=10.0.2.2\nboot_file=pxelinux.0\npxepathprefix=${prefix}\nmac=52:54:00:12:34:56\n`;

test('status lines are logged and keep an interface pending; a lease fills in its section; a lease that goes takes its entries', { skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-net-'));
  let starts = 0;
  const net = watchNetwork({ machine, dir, start: () => starts++ });
  const lines: string[] = [];
  net.onLog((l) => lines.push(l));
  try {
    assert.equal(starts, 1, 'the bring-up is started once');
    assert.deepEqual([net.scans(), net.pending()], [[], []]);
    put(dir, 'eth0.status', 'dhcp asking DHCP for a lease on eth0 (up to 10 s)\n');
    put(dir, 'eth1.status', 'nolink eth1 has no link (no cable?); no DHCP asked there\n');
    await when(net, () => lines.length >= 2);
    assert.deepEqual(net.pending(), ['network eth0'], 'eth1 has no link: not pending');
    assert.ok(lines.includes('network eth0: asking DHCP for a lease on eth0 (up to 10 s)'), lines.join('\n'));
    assert.ok(lines.includes('network eth1: eth1 has no link (no cable?); no DHCP asked there'), lines.join('\n'));

    put(dir, 'eth0.lease', lease(`${http.url}/`));
    await when(net, () => net.scans().length === 1);
    const scan = net.scans()[0]!;
    assert.equal(scan.config, `${http.url}/pxelinux.cfg/01-52-54-00-12-34-56`, 'the MAC config, not default');
    assert.deepEqual(scan.entries.map((e) => [e.title, e.partition.partlabel]), [['Debian from the boot server', 'network eth0']]);
    assert.deepEqual(net.pending(), [], 'looked up: no longer pending');
    assert.ok(lines.some((l) => l === `network eth0: 1 entry from ${scan.config}`), lines.join('\n'));

    unlinkSync(join(dir, 'eth0.lease'));
    await when(net, () => net.scans().length === 0);
  } finally {
    net.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lease naming no boot server costs a log line and no entries', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-net-'));
  put(dir, 'eth0.lease', 'ip=192.168.1.20\nmask=24\nmac=52:54:00:12:34:56\n');
  const lines: string[] = [];
  const net = watchNetwork({ machine, dir });
  net.onLog((l) => lines.push(l));
  try {
    // The folder was read before onLog: the line went out already; a new lease says it again.
    put(dir, 'eth0.lease', 'ip=192.168.1.21\nmask=24\nmac=52:54:00:12:34:56\n');
    await new Promise<void>((done) => net.onChange(() => lines.length > 0 && done()));
    assert.deepEqual(lines, ['network eth0: the lease names no boot server (no option 66, siaddr or server identifier); no boot server is read']);
    assert.deepEqual([net.scans(), net.pending()], [[], []]);
  } finally {
    net.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the menu: the section joins the (empty) disks, is checked only at boot, and a dry-run boot downloads the files into memfds with the gauge in bytes', { skip, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-net-'));
  put(dir, 'eth0.status', 'dhcp asking DHCP for a lease on eth0 (up to 10 s)\n');
  const net = watchNetwork({ machine, dir });
  const provider = { partitions: () => [], diagnostics: [], close: async () => [] };
  const backend = new SystemBackend({ settings: { ...DEFAULT_SETTINGS, dryRun: true }, provider, machine, network: net });
  try {
    assert.deepEqual(backend.current().entries, []);
    assert.deepEqual(backend.scanning(), ['network eth0'], 'the waiting interface is marked in the menu');
    put(dir, 'eth0.lease', lease(`${http.url}/`));
    await new Promise<void>((done) => backend.subscribe({ menu: (m) => m.entries.length > 0 && done(), log: () => {}, settled: () => {} }));
    const entry = backend.current().entries[0]!;
    assert.equal(backend.current().defaultId, entry.id, 'nothing on the disks: the network entry is the default');
    assert.equal(entry.resolution.ok && entry.resolution.files.kernel, `${http.url}/vmlinuz`);
    assert.equal(await backend.check(entry), undefined, 'not checked before the download');
    served.length = 0;
    const progress: BootProgress[] = [];
    const outcome = await backend.boot(entry, { progress: (p) => progress.push(p) });
    assert.equal(outcome.kind, 'dry-run');
    assert.deepEqual(served, ['/vmlinuz', '/initrd.img'], 'each file downloaded once');
    // The plan names the memfds, not the URLs; the command line is the config's.
    assert.match(outcome.text, /\/proc\/\d+\/fd\/\d+/);
    assert.match(outcome.text, /console=ttyS0 via=net/);
    const last = (file: string) => progress.filter((p) => p.file === file).at(-1);
    assert.deepEqual(last(`${http.url}/vmlinuz`), { file: `${http.url}/vmlinuz`, done: kernelBytes.length, total: kernelBytes.length });
    assert.deepEqual(last(`${http.url}/initrd.img`), { file: `${http.url}/initrd.img`, done: initrd.length, total: initrd.length });
  } finally {
    net.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bring-up script is started only where it exists', () => {
  assert.equal(startNetworkUp(DEFAULT_SETTINGS.network, '/nonexistent/network-up'), undefined);
  assert.equal(typeof startNetworkUp(DEFAULT_SETTINGS.network, '/bin/true'), 'function');
});
