// Network boot end to end on x86_64 (issue 13): no disks, one virtio-net card on QEMU's own
// user-mode network (libslirp: DHCP with the boot file only in the BOOTP header, siaddr
// 10.0.2.2, TFTP from a folder of this test's at 10.0.2.2:69) and an HTTP server of this
// test's on 127.0.0.1, which the guest reaches as 10.0.2.2. The image's settings turn the
// network on (a small cpio appended to the initramfs); udhcpc's script hands the lease to the
// menu, which shows the entries of the MAC's own PXELINUX config (not `default`'s) and boots
// the marker kernel, fetched by TFTP in one boot and by HTTP in the other. The marker prints
// the command line it got and a file only its initrd holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archive } from './installed';
import { DISKS, SKIP_VM, TOP, selectEntry, withVm, type Vm } from './vm';

const MAC = '52:54:00:12:34:56';
const MARKER = /KEXEC-MENU-MARKER cmdline=(.*)\n/;
const PROOF = /KEXEC-MENU-PROOF dt=\S+ initrd=(\S+)\n/;
/** The marker kernel and initrd of the sample extlinux partition (scripts/disks.sh). */
const KERNEL = '/vmlinuz-6.1.0-57-amd64';
const INITRD = '/initrd.img-6.1.0-57-amd64';

let tftpDir = '';
let server: Server | undefined;
let port = 0;
/** The paths the guest asked the HTTP server for. */
const requests: string[] = [];

/** A file of an ext4 image, copied out without mounting (debugfs, e2fsprogs). */
function dumpFromExt4(image: string, path: string, dest: string): void {
  const r = spawnSync('debugfs', ['-R', `dump ${path} ${dest}`, image], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(readFileSync(dest).length > 0, `${path} is not in ${image}: ${r.stderr}`);
}

before(async () => {
  if (SKIP_VM) return;
  tftpDir = mkdtempSync(join(tmpdir(), 'kexec-menu-vm-tftp-'));
  mkdirSync(join(tftpDir, 'pxelinux.cfg'));
  dumpFromExt4(join(DISKS, 'extlinux.ext4'), KERNEL, join(tftpDir, 'vmlinuz'));
  dumpFromExt4(join(DISKS, 'extlinux.ext4'), INITRD, join(tftpDir, 'initrd.img'));
  // The file PXE firmware would run; kexec-menu only takes its folder from the name.
  writeFileSync(join(tftpDir, 'pxelinux.0'), 'not a boot loader\n');
  const files = new Map(['vmlinuz', 'initrd.img'].map((f) => [`/${f}`, readFileSync(join(tftpDir, f))]));
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
  writeFileSync(
    join(tftpDir, `pxelinux.cfg/01-${MAC.replaceAll(':', '-')}`),
    [
      'DEFAULT by-tftp',
      'LABEL by-tftp',
      '  MENU LABEL Marker by TFTP',
      '  KERNEL vmlinuz',
      '  INITRD initrd.img',
      '  APPEND console=ttyS0,115200 test.entry=net-tftp',
      'LABEL by-http',
      '  MENU LABEL Marker by HTTP',
      `  KERNEL http://10.0.2.2:${port}/vmlinuz`,
      `  INITRD http://10.0.2.2:${port}/initrd.img`,
      '  APPEND console=ttyS0,115200 test.entry=net-http',
      '',
    ].join('\n'),
  );
  writeFileSync(join(tftpDir, 'pxelinux.cfg/default'), 'DEFAULT other\nLABEL other\n  MENU LABEL Every other machine\n  KERNEL vmlinuz\n');
});
after(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  if (tftpDir) rmSync(tftpDir, { recursive: true, force: true });
});

/** The image's own settings with the network on. */
function settings(): Buffer {
  const shipped = readFileSync(join(TOP, 'buildroot-external/board/kexec-menu/rootfs-overlay/etc/kexec-menu/config.yaml'), 'utf8');
  return archive({ 'etc/kexec-menu/config.yaml': { text: `${shipped}network:\n  enabled: true\n  timeout: 30\n` } });
}

/** Boots the image on the user network and waits for the boot server's section. */
async function netMenu(vm: Vm): Promise<string> {
  return vm.waitForScreen((t) => /Marker by TFTP/.test(t) && /Marker by HTTP/.test(t), 240, "the boot server's entries in the menu");
}

async function bootMarker(entry: RegExp, expected: string): Promise<void> {
  await withVm({ net: { tftp: tftpDir, bootfile: 'pxelinux.0', mac: MAC }, append: 'kexec_menu.timeout=-1', initramfsExtra: settings() }, async (vm) => {
    const screen = await netMenu(vm);
    assert.match(screen, /tftp:\/\/10\.0\.2\.2 . tftp . network eth0/, "the section's heading names the server and the interface");
    assert.doesNotMatch(screen, /Every other machine/, "the MAC's config wins over default");
    await selectEntry(vm, entry);
    vm.send('\r');
    const m = await vm.waitFor(MARKER, 240, "the network entry's marker");
    assert.equal(m[1]!.trim(), `console=ttyS0,115200 test.entry=${expected}`);
    const proof = await vm.waitFor(PROOF, 30, "the marker's initrd proof");
    assert.equal(proof[1], 'marker-initrd-initrd-amd64', 'the initrd from the boot server was loaded whole');
  });
}

test('network boot: the MAC config by DHCP from QEMU, a kernel and initrd by TFTP', { skip: SKIP_VM, timeout: 600_000 }, async () => {
  requests.length = 0;
  await bootMarker(/Marker by TFTP/, 'net-tftp');
  assert.deepEqual(requests, [], 'nothing came from the HTTP server: the files came by TFTP');
});

test('network boot: the same config, a kernel and initrd by HTTP from the host', { skip: SKIP_VM, timeout: 600_000 }, async () => {
  requests.length = 0;
  await bootMarker(/Marker by HTTP/, 'net-http');
  assert.deepEqual(requests, ['/vmlinuz', '/initrd.img']);
});

test('network boot by itself: no disks, so the countdown waits for the boot server (saying so), then boots its default unasked', { skip: SKIP_VM, timeout: 600_000 }, async () => {
  requests.length = 0;
  await withVm({ net: { tftp: tftpDir, bootfile: 'pxelinux.0', mac: MAC }, append: 'kexec_menu.timeout=2', initramfsExtra: settings() }, async (vm) => {
    await vm.waitForScreen((t) => /Waiting for (network eth0|the network) before the countdown/.test(t), 240, 'the countdown waiting for the network');
    const m = await vm.waitFor(MARKER, 240, "the boot server's default, booted by the countdown");
    assert.equal(m[1]!.trim(), 'console=ttyS0,115200 test.entry=net-tftp', "PXELINUX's DEFAULT, with no key pressed");
  });
});
