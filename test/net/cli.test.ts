// `kexec-menu list --net` and `boot --dry-run --net` as child processes against tftpd-hpa and
// a node:http server on the loopback: the real CLI, downloads into memfds, never a load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { debianKernel } from '../kexec/debian';
import { TFTPD, removeTree, startHttp, staticHandler, startTftpd, writeTree, type HttpServer, type Tftpd } from './servers';

const CLI = resolve('build/src/cli.js');
const skip = existsSync(TFTPD) ? false : `${TFTPD} is not installed (Debian package tftpd-hpa)`;
let tftp: Tftpd | undefined;
let http: HttpServer | undefined;
const initrd = Buffer.alloc(3000, 7);
const GRUB_NETDIR_CFG = `set default=net
menuentry 'Net default server' --id net {
  linux (tftp,$net_default_server)/images/vmlinuz console=ttyS0 ip=$net_default_ip
  initrd ($root)/images/initrd.img
}
menuentry 'From the prefix' --id prefix {
  linux $prefix/vmlinuz
  initrd $cmdpath/initrd.img
}
menuentry 'Over HTTP' --id http {
  linux (http,$net_default_server)/images/vmlinuz
}
menuentry 'Another server' --id other {
  linux (tftp,10.0.2.3)/images/vmlinuz
}
`;

/** Async, so the servers in this process keep answering while the CLI runs. */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

before(async () => {
  const k = debianKernel('amd64');
  const kernel = typeof k === 'string' ? Buffer.from('not a kernel') : readFileSync(k.image);
  const files = {
    'pxe/pxelinux.cfg/01-52-54-00-12-34-56': `DEFAULT tftp\nLABEL tftp\n  KERNEL vmlinuz\n  INITRD initrd.img\n  APPEND console=ttyS0 via=tftp\nLABEL web\n  KERNEL ${'HTTP'}/vmlinuz\n  APPEND via=http\n`,
    'pxe/vmlinuz': kernel,
    'pxe/initrd.img': initrd,
    // grub-mknetdir's layout: the core image in boot/grub/x86_64-efi, the configs in boot/grub.
    'boot/grub/grub.cfg-01-52-54-00-aa-bb-cc': GRUB_NETDIR_CFG,
  };
  http = await startHttp(staticHandler({ vmlinuz: kernel }));
  files['pxe/pxelinux.cfg/01-52-54-00-12-34-56'] = files['pxe/pxelinux.cfg/01-52-54-00-12-34-56'].replace('HTTP', http.url);
  if (!skip) tftp = await startTftpd(writeTree(files));
});
after(async () => {
  await tftp?.stop();
  if (tftp) removeTree(tftp.root);
  await http?.stop();
});

test('list --json --net: the MAC-specific config, entries shaped like the disks\' with URLs', { skip }, async () => {
  const base = `tftp://127.0.0.1:${tftp!.port}/pxe`;
  const r = await cli(['list', '--json', '--net', base, '--mac', '52:54:00:12:34:56', '--ip', '10.0.2.15']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.default, `${base}:extlinux:tftp`);
  assert.deepEqual(out.entries.map((e: { kernel: string; initrd: string[]; cmdline: string; source: { format: string } }) => [e.kernel, e.initrd, e.cmdline, e.source.format]), [
    [`${base}/vmlinuz`, [`${base}/initrd.img`], 'console=ttyS0 via=tftp', 'extlinux'],
    [`${http!.url}/vmlinuz`, [], 'via=http', 'extlinux'],
  ]);
});

test('list --json --net: a grub-mknetdir tree, $net_default_server, ($root) and (tftp,…) paths as URLs', { skip }, async () => {
  const server = `tftp://127.0.0.1:${tftp!.port}`;
  const base = `${server}/boot/grub/x86_64-efi`;
  const r = await cli(['list', '--json', '--net', base, '--mac', '52:54:00:aa:bb:cc', '--ip', '10.0.2.15']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.default, `${base}:grub:net`);
  type Listed = { title: string; kernel: string; initrd: string[]; cmdline: string; notes: string[]; source: { format: string; file: string } };
  assert.deepEqual(out.entries.map((e: Listed) => [e.title, e.kernel, e.initrd, e.cmdline, e.source.format]), [
    ['Net default server', `${server}/images/vmlinuz`, [`${server}/images/initrd.img`], 'console=ttyS0 ip=10.0.2.15', 'grub'],
    ['From the prefix', `${server}/boot/grub/vmlinuz`, [`${server}/boot/grub/initrd.img`], '', 'grub'],
    // GRUB names no port: (http,SERVER) is port 80 of the same host.
    ['Over HTTP', 'http://127.0.0.1/images/vmlinuz', [], '', 'grub'],
    ['Another server', 'tftp://10.0.2.3/images/vmlinuz', [], '', 'grub'],
  ]);
  assert.equal(out.entries[0].source.file, `${server}/boot/grub/grub.cfg-01-52-54-00-aa-bb-cc`);
  assert.deepEqual(out.entries[0].notes, []);
  assert.deepEqual(out.entries[3].notes, ['some of its files are on tftp://10.0.2.3, another server than the boot server this config came from (tftp://127.0.0.1)']);
});

test('list --net with bad options is a usage error (exit 2)', async () => {
  assert.equal((await cli(['list', '--net', 'https://127.0.0.1/x'])).status, 2);
  assert.equal((await cli(['list', '--net', 'tftp://127.0.0.1/x', '--mac', 'zz'])).status, 2);
  assert.equal((await cli(['list', '--mac', '52:54:00:12:34:56'])).status, 2);
});

test('boot --dry-run --net downloads by TFTP and by HTTP, with progress in bytes, and prints the plan', { skip }, async (t) => {
  const k = debianKernel('amd64');
  if (typeof k === 'string') return t.skip(k);
  const size = readFileSync(k.image).length;
  const base = `tftp://127.0.0.1:${tftp!.port}/pxe`;
  const net = ['--net', base, '--mac', '52:54:00:12:34:56', '--dry-run', '--json'];
  const viaTftp = await cli(['boot', `${base}:extlinux:tftp`, ...net]);
  assert.equal(viaTftp.status, 0, viaTftp.stderr);
  const plan = JSON.parse(viaTftp.stdout);
  assert.equal(plan.kernel.size, size);
  assert.ok(plan.kernel.version.startsWith(k.release));
  assert.deepEqual(plan.initrds.map((i: { size: number }) => i.size), [initrd.length]);
  assert.match(viaTftp.stderr, new RegExp(`${base}/vmlinuz: ${size} of ${size} bytes`));
  const viaHttp = await cli(['boot', `${base}:extlinux:web`, ...net]);
  assert.equal(viaHttp.status, 0, viaHttp.stderr);
  assert.equal(JSON.parse(viaHttp.stdout).kernel.size, size);
  assert.match(viaHttp.stderr, new RegExp(`${http!.url}/vmlinuz: ${size} of ${size} bytes`));
});

test('boot --net of a kernel whose HTTP server is gone: one sentence, exit 1', { skip }, async () => {
  const base = `tftp://127.0.0.1:${tftp!.port}/pxe`;
  await http!.stop();
  http = undefined;
  const r = await cli(['boot', `${base}:extlinux:web`, '--net', base, '--mac', '52:54:00:12:34:56', '--dry-run']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^kexec-menu boot: cannot fetch http:\/\/127\.0\.0\.1:(\d+)\/vmlinuz: connect ECONNREFUSED 127\.0\.0\.1:\1; nothing was loaded\.\n$/);
});
