// The whole lookup against tftpd-hpa and a node:http server on the loopback: which config
// wins for which client, what the disks' readers make of it, and every way the server can
// fail, each ending in diagnostics and never in a hang or an exception.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { MachineContext } from '../../src/machine/context';
import { parseFolder } from '../../src/net/fetch';
import { MAX_FANOUT } from '../../src/net/net-files';
import { scanNetwork, type NetLookup } from '../../src/net/source';
import { TFTPD, removeTree, startHttp, startSilentUdp, staticHandler, startTftpd, writeTree, type HttpServer, type Tftpd } from './servers';

const machine: MachineContext = { efiArch: 'x64' };
const skip = existsSync(TFTPD) ? false : `${TFTPD} is not installed (Debian package tftpd-hpa)`;
const label = (name: string) => `DEFAULT ${name}\nLABEL ${name}\n  KERNEL vmlinuz-${name}\n  INITRD initrd-${name}\n  APPEND ${name}=1\n`;
const tree: Record<string, string> = {
  'pxe/pxelinux.cfg/b8945908-d6a6-41a9-611d-74a6ab80b83d': label('by-uuid'),
  'pxe/pxelinux.cfg/01-52-54-00-12-34-56': 'INCLUDE pxelinux.cfg/common\n' + label('by-mac') + 'LABEL web\n  KERNEL http://127.0.0.1:9/k\n',
  'pxe/pxelinux.cfg/common': 'LABEL shared\n  KERNEL shared/vmlinuz\n  INCLUDE pxelinux.cfg/common\n',
  'pxe/pxelinux.cfg/C0A802': label('by-subnet'),
  'pxe/pxelinux.cfg/default': label('fallback'),
  'pxe/fleet.cfg': label('option-209'),
  'pxe/pxelinux.cfg/01-52-54-00-00-00-01': Array.from({ length: 20 }, (_, i) => `INCLUDE missing-${i}.cfg\n`).join('') + label('fan'),
  'grub/boot/grub/grub.cfg-01-52-54-00-aa-bb-cc': "menuentry 'Net Debian' {\n  linux (tftp)/images/vmlinuz console=ttyS0\n  initrd /images/initrd.img\n}\n",
};
let tftp: Tftpd | undefined;
let http: HttpServer | undefined;
before(async () => {
  http = await startHttp(staticHandler(Object.fromEntries(Object.entries(tree).map(([k, v]) => [k.replace(/^pxe\//, ''), v]))));
  if (!skip) tftp = await startTftpd(writeTree(tree));
});
after(async () => {
  await tftp?.stop();
  if (tftp) removeTree(tftp.root);
  await http?.stop();
});

const lookup = (folder: string, identity: NetLookup['identity'], extra: Partial<NetLookup> = {}): NetLookup => ({
  folder: parseFolder(folder),
  identity,
  deadline: Date.now() + 30_000,
  idleMs: 200,
  ...extra,
});
const titles = (scan: Awaited<ReturnType<typeof scanNetwork>>) => scan.entries.map((e) => e.title);

test('PXELINUX over TFTP: UUID first, then the MAC, then the hex address shortened, then default', { skip }, async () => {
  const base = `tftp://127.0.0.1:${tftp!.port}/pxe`;
  const uuid = await scanNetwork(lookup(base, { uuid: 'B8945908D6A641A9611D74A6AB80B83D', mac: '52:54:00:12:34:56', ip: '192.168.2.7' }), machine);
  assert.deepEqual(titles(uuid), ['by-uuid']);
  assert.equal(uuid.config, `${base}/pxelinux.cfg/b8945908-d6a6-41a9-611d-74a6ab80b83d`);
  const mac = await scanNetwork(lookup(base, { mac: '52:54:00:12:34:56', ip: '192.168.2.7' }), machine);
  assert.deepEqual(titles(mac), ['shared', 'by-mac', 'web']);
  const subnet = await scanNetwork(lookup(base, { mac: '52:54:00:99:99:99', ip: '192.168.2.7' }), machine);
  assert.deepEqual(titles(subnet), ['by-subnet']);
  const fallback = await scanNetwork(lookup(base, { ip: '10.1.1.1' }), machine);
  assert.deepEqual(titles(fallback), ['fallback']);
});

test('entries have the disk entries\' shape, with URLs as files, resolved against the path prefix', { skip }, async () => {
  const base = `tftp://127.0.0.1:${tftp!.port}/pxe`;
  const scan = await scanNetwork(lookup(base, { mac: '52-54-00-12-34-56' }), machine);
  const byMac = scan.entries.find((e) => e.title === 'by-mac')!;
  assert.deepEqual(byMac.resolution, { ok: true, files: { kernel: `${base}/vmlinuz-by-mac`, initrds: [`${base}/initrd-by-mac`], overlays: [] } });
  assert.equal(byMac.cmdline, 'by-mac=1');
  assert.equal(byMac.isDefault, true);
  assert.equal(byMac.id, `${base}:extlinux:by-mac`);
  assert.deepEqual(byMac.source, { format: 'extlinux', file: `${base}/pxelinux.cfg/01-52-54-00-12-34-56`, line: 3, partition: base });
  // A whole URL in the config stays that URL; an included file's paths resolve against the prefix too.
  assert.equal(scan.entries.find((e) => e.title === 'web')!.resolution.ok && (scan.entries.find((e) => e.title === 'web')!.resolution as { files: { kernel: string } }).files.kernel, 'http://127.0.0.1:9/k');
  const shared = scan.entries.find((e) => e.title === 'shared')!;
  assert.equal(shared.resolution.ok && shared.resolution.files.kernel, `${base}/shared/vmlinuz`);
  // The config that includes itself: a warning, read once.
  assert.deepEqual(
    scan.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`),
    [`${base}/pxelinux.cfg/common:3: include pxelinux.cfg/common includes itself: not read again`],
  );
});

test('option 209 names the config outright; the same tree over HTTP reads the same', { skip }, async () => {
  const viaTftp = await scanNetwork(lookup(`tftp://127.0.0.1:${tftp!.port}/pxe`, { mac: '52:54:00:12:34:56' }, { configFile: 'fleet.cfg' }), machine);
  assert.deepEqual(titles(viaTftp), ['option-209']);
  const viaHttp = await scanNetwork(lookup(http!.url, { mac: '52:54:00:12:34:56' }), machine);
  assert.deepEqual(titles(viaHttp), ['shared', 'by-mac', 'web']);
  assert.equal(viaHttp.entries[1]!.resolution.ok && viaHttp.entries[1]!.resolution.files.kernel, `${http!.url}/vmlinuz-by-mac`);
});

test('GRUB as grub-mknetdir lays it out: grub.cfg-01-MAC in the prefix above the core image, (tftp) paths from the server root', { skip }, async () => {
  const server = `tftp://127.0.0.1:${tftp!.port}`;
  const base = `${server}/grub`;
  const scan = await scanNetwork(lookup(`${base}/boot/grub/x86_64-efi`, { mac: '52:54:00:aa:bb:cc', ip: '10.0.2.15' }), machine);
  assert.deepEqual(titles(scan), ['Net Debian']);
  const e = scan.entries[0]!;
  assert.equal(e.source.format, 'grub');
  assert.equal(e.source.file, `${base}/boot/grub/grub.cfg-01-52-54-00-aa-bb-cc`);
  assert.deepEqual(e.resolution, { ok: true, files: { kernel: `${server}/images/vmlinuz`, initrds: [`${server}/images/initrd.img`], overlays: [] } });
  assert.equal(e.cmdline, 'console=ttyS0');
});

test('a config naming more new files than the fan-out cap: the cap holds, the entries stay', { skip }, async () => {
  const scan = await scanNetwork(lookup(`tftp://127.0.0.1:${tftp!.port}/pxe`, { mac: '52:54:00:00:00:01' }), machine);
  assert.deepEqual(titles(scan), ['fan']);
  assert.ok(scan.diagnostics.some((d) => d.message.startsWith(`20 new files named at once; only ${MAX_FANOUT} fetched in this round`)));
});

test('a server that fails: 500 on a config, a silent TFTP server, a lookup out of time — diagnostics, no entries, no hang', async () => {
  const broken = await startHttp((_req, res) => res.writeHead(500).end());
  const silent = await startSilentUdp();
  try {
    const fiveHundred = await scanNetwork(lookup(broken.url, { mac: '52:54:00:12:34:56' }), machine);
    assert.deepEqual(fiveHundred.entries, []);
    assert.deepEqual(fiveHundred.diagnostics.map((d) => d.message), [`the HTTP server answered 500 Internal Server Error for ${broken.url}/pxelinux.cfg/01-52-54-00-12-34-56`]);
    const quiet = await scanNetwork(lookup(`tftp://127.0.0.1:${silent.port}/`, { mac: '52:54:00:12:34:56' }, { idleMs: 5 }), machine);
    assert.deepEqual(quiet.entries, []);
    assert.match(quiet.diagnostics[0]!.message, /did not answer the request for pxelinux\.cfg\/01-52-54-00-12-34-56 \(6 tries/);
    assert.equal(quiet.diagnostics.length, 1); // the lookup stops at the first silence, it does not try every name
    const late = await scanNetwork(lookup(broken.url, {}, { deadline: Date.now() - 1 }), machine);
    assert.match(late.diagnostics[0]!.message, /was not fetched: the network lookup ran out of time$/);
  } finally {
    await broken.stop();
    await silent.stop();
  }
});

test('nothing for this client: one info line naming every file tried', async () => {
  const empty = await startHttp((_req, res) => res.writeHead(404).end());
  try {
    const scan = await scanNetwork(lookup(empty.url, { ip: '10.0.0.1' }), machine);
    assert.deepEqual(scan.entries, []);
    assert.equal(scan.diagnostics.length, 1);
    assert.match(scan.diagnostics[0]!.message, /^no boot config for this client: none of pxelinux\.cfg\/0A000001, .*, grub\.cfg is there$/);
  } finally {
    await empty.stop();
  }
});
