// GRUB's network devices as a netboot grub.cfg uses them: `(tftp)`, `(tftp,$net_default_server)`,
// `($root)` with root=(tftp,SERVER), `(http,…)`, `(pxe)`, `$prefix` and `$cmdpath`, and another
// server named outright; read from a boot server they are paths of that server or URLs of
// another, read from a disk they stay unmappable, with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grubParserFor, type GrubNetwork } from '../../src/entries/grub';
import { MemoryFiles } from '../../src/fs/memory-files';
import type { ParsedEntry, Resource } from '../../src/entries/model';
import { messages, runGrub, self, X64 } from './grub-helpers';

const network: GrubNetwork = { protocol: 'tftp', server: '10.0.2.2', ip: '10.0.2.15', mac: '52:54:00:12:34:56' };
const CFG = `set timeout=3
menuentry 'default server' {
  linux (tftp,$net_default_server)/images/vmlinuz console=ttyS0
  initrd (tftp)/images/initrd.img
}
menuentry 'root' {
  set root=(tftp,10.0.2.2)
  linux ($root)/vmlinuz
  initrd /initrd.img
}
menuentry 'root plain' {
  linux /boot/vmlinuz
  devicetree $prefix/board.dtb
}
menuentry 'over http' {
  linux (http,$net_default_server)/images/vmlinuz
  initrd (http)/images/initrd.img
}
menuentry 'other server' {
  linux (tftp,10.0.2.3)/vmlinuz
  initrd (pxe:10.0.2.3)/initrd.img (http,boot.example.org)/extra.img
}
menuentry 'pxe and cmdpath' {
  linux (pxe)/vmlinuz ip=$net_default_ip mac=$net_default_mac srv=$pxe_default_server
  initrd $cmdpath/initrd.img
}
menuentry 'default moved' {
  set net_default_server=10.0.2.9
  linux (tftp)/vmlinuz
}
menuentry 'no server' {
  linux (tftp,)/vmlinuz
}
`;

const read = (net: GrubNetwork | undefined) =>
  grubParserFor(net).parse(new MemoryFiles({ '/boot/grub/grub.cfg': CFG }), net ? 'tftp' : 'vda2', X64);
const files = (e: ParsedEntry): (Resource | undefined)[] => [e.kernel, ...e.initrds, e.devicetree?.resource];
const byTitle = (entries: readonly ParsedEntry[], title: string): ParsedEntry => entries.find((e) => e.title === title)!;

test('read from a boot server: every network path is a path of that server or a URL of another', () => {
  const r = read(network);
  const url = (path: string): Resource => self(path);
  const want: Record<string, (Resource | undefined)[]> = {
    'default server': [url('/images/vmlinuz'), url('/images/initrd.img'), undefined],
    root: [url('/vmlinuz'), url('/initrd.img'), undefined],
    'root plain': [url('/boot/vmlinuz'), url('/boot/grub/board.dtb')],
    'over http': [url('/http:/10.0.2.2/images/vmlinuz'), url('/http:/10.0.2.2/images/initrd.img'), undefined],
    'other server': [url('/tftp:/10.0.2.3/vmlinuz'), url('/tftp:/10.0.2.3/initrd.img'), url('/http:/boot.example.org/extra.img'), undefined],
    'pxe and cmdpath': [url('/vmlinuz'), url('/boot/grub/initrd.img'), undefined],
    'default moved': [url('/tftp:/10.0.2.9/vmlinuz'), undefined],
    'no server': [{ partition: { by: 'unmappable', value: "(tftp,), GRUB's network device with no server GRUB could reach" }, path: '/vmlinuz' }, undefined],
  };
  assert.deepEqual(r.entries.map((e) => e.title), Object.keys(want));
  for (const [title, resources] of Object.entries(want)) {
    const e = byTitle(r.entries, title);
    // `root plain` has a device tree and no initrd.
    const got = title === 'root plain' ? [e.kernel, e.devicetree?.resource] : files(e);
    assert.deepEqual(got, resources, title);
  }
  assert.equal(byTitle(r.entries, 'default server').cmdline, 'console=ttyS0');
  assert.equal(byTitle(r.entries, 'pxe and cmdpath').cmdline, 'ip=10.0.2.15 mac=52:54:00:12:34:56 srv=10.0.2.2');
  // Another server (or the other protocol) is said in a note; the config's own server is not.
  assert.deepEqual(byTitle(r.entries, 'other server').notes, [
    'some of its files are on tftp://10.0.2.3, another server than the boot server this config came from (tftp://10.0.2.2)',
    'some of its files are on http://boot.example.org, another server than the boot server this config came from (tftp://10.0.2.2)',
  ]);
  assert.deepEqual(byTitle(r.entries, 'over http').notes, ['some of its files are on http://10.0.2.2, another server than the boot server this config came from (tftp://10.0.2.2)']);
  assert.deepEqual(byTitle(r.entries, 'default server').notes, []);
  assert.deepEqual(byTitle(r.entries, 'root').notes, []);
});

test('a config read over HTTP: (http) is its own server, (tftp) is the other protocol', () => {
  const r = grubParserFor({ protocol: 'http', server: 'boot.lan' }).parse(new MemoryFiles({ '/boot/grub/grub.cfg': CFG }), 'http', X64);
  assert.deepEqual(files(byTitle(r.entries, 'over http')), [self('/images/vmlinuz'), self('/images/initrd.img'), undefined]);
  assert.deepEqual(files(byTitle(r.entries, 'default server')), [self('/tftp:/boot.lan/images/vmlinuz'), self('/tftp:/boot.lan/images/initrd.img'), undefined]);
  assert.deepEqual(files(byTitle(r.entries, 'root')), [self('/tftp:/10.0.2.2/vmlinuz'), self('/tftp:/10.0.2.2/initrd.img'), undefined]);
});

test('the net variables are set only from a boot server; on a disk a network device stays unmappable, saying why', () => {
  const r = read(undefined);
  const onDisk = (device: string, path: string): Resource => ({
    partition: { by: 'unmappable', value: `(${device}) on a boot server (GRUB's network device; this config was read from a disk, not from the network)` },
    path,
  });
  // $net_default_server is empty on a disk: (tftp,) names no server, and still no disk.
  assert.deepEqual(byTitle(r.entries, 'default server').kernel, onDisk('tftp,', '/images/vmlinuz'));
  assert.deepEqual(byTitle(r.entries, 'default server').initrds, [onDisk('tftp', '/images/initrd.img')]);
  assert.deepEqual(byTitle(r.entries, 'root').kernel, onDisk('tftp,10.0.2.2', '/vmlinuz'));
  assert.deepEqual(byTitle(r.entries, 'other server').initrds, [onDisk('pxe:10.0.2.3', '/initrd.img'), onDisk('http,boot.example.org', '/extra.img')]);
  assert.equal(byTitle(r.entries, 'pxe and cmdpath').cmdline, 'ip= mac= srv=');
  // A disk's own paths are unchanged: root is this partition.
  assert.deepEqual(byTitle(r.entries, 'root plain').kernel, self('/boot/vmlinuz'));
  assert.deepEqual(byTitle(r.entries, 'root plain').notes, []);
});

test('GRUB drops the parentheses of root as it is set: ($root)/path names the device', () => {
  const r = runGrub("search --set=boot --fs-uuid 1234\nset root=($boot)\nmenuentry a {\n  linux ($root)/vmlinuz\n}\n");
  assert.deepEqual(r.entries.map((e) => e.kernel), [{ partition: { by: 'uuid', value: '1234' }, path: '/vmlinuz' }]);
  assert.deepEqual(messages(r).filter((m) => m.startsWith('error')), []);
});
