// The lookup order as pure functions, and the lease as udhcpc's script hands it over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grubCandidates, grubPrefixOf, ipHex, macDashed, pxelinuxCandidates, uuidForm } from '../../src/net/pxe-paths';
import { parseLease, targetOf } from '../../src/net/lease';

test("PXELINUX's order: UUID, 01-MAC, hex IP one digit shorter at a time, default (doc/pxelinux.txt's example)", () => {
  assert.deepEqual(pxelinuxCandidates({ uuid: 'B8945908-D6A6-41A9-611D-74A6AB80B83D', mac: '88:99:AA:BB:CC:DD', ip: '192.168.2.91' }), [
    'pxelinux.cfg/b8945908-d6a6-41a9-611d-74a6ab80b83d',
    'pxelinux.cfg/01-88-99-aa-bb-cc-dd',
    'pxelinux.cfg/C0A8025B',
    'pxelinux.cfg/C0A8025',
    'pxelinux.cfg/C0A802',
    'pxelinux.cfg/C0A80',
    'pxelinux.cfg/C0A8',
    'pxelinux.cfg/C0A',
    'pxelinux.cfg/C0',
    'pxelinux.cfg/C',
    'pxelinux.cfg/default',
  ]);
  assert.deepEqual(pxelinuxCandidates({}), ['pxelinux.cfg/default']);
});

test("GRUB's order: grub.cfg-UUID, grub.cfg-01-MAC, grub.cfg-HEXIP shortened, grub.cfg", () => {
  assert.deepEqual(grubCandidates({ mac: '52-54-00-12-34-56', ip: '10.0.2.15' }), [
    'grub.cfg-01-52-54-00-12-34-56',
    'grub.cfg-0A00020F', 'grub.cfg-0A00020', 'grub.cfg-0A0002', 'grub.cfg-0A000', 'grub.cfg-0A00', 'grub.cfg-0A0', 'grub.cfg-0A', 'grub.cfg-0',
    'grub.cfg',
  ]);
  assert.equal(grubPrefixOf('/boot/grub/x86_64-efi'), '/boot/grub');
  assert.equal(grubPrefixOf('/boot/grub'), '/boot/grub');
  assert.equal(grubPrefixOf('/i386-pc'), '');
});

test('identities in any usual spelling; anything else is not one', () => {
  assert.equal(macDashed('52:54:00:AB:cd:EF'), '52-54-00-ab-cd-ef');
  assert.equal(macDashed('525400abcdef'), '52-54-00-ab-cd-ef');
  assert.equal(macDashed('52:54:00:ab:cd'), undefined);
  assert.equal(ipHex('10.0.2.15'), '0A00020F');
  assert.equal(ipHex('10.0.2.256'), undefined);
  assert.equal(ipHex('10.0.2'), undefined);
  assert.equal(uuidForm('B8945908D6A641A9611D74A6AB80B83D'), 'b8945908-d6a6-41a9-611d-74a6ab80b83d');
  assert.equal(uuidForm('nope'), undefined);
});

test("QEMU's user network: no option 66 or 67, the boot file in the header, the server in siaddr", () => {
  const lease = parseLease('interface=eth0\nip=10.0.2.15\nrouter=10.0.2.2\nserverid=10.0.2.2\nsiaddr=10.0.2.2\nboot_file=pxelinux.0\nmac=52:54:00:12:34:56\n');
  assert.ok(lease);
  assert.deepEqual(targetOf(lease), {
    folder: { protocol: 'tftp', href: 'tftp://10.0.2.2' },
    bootFile: 'pxelinux.0',
    identity: { ip: '10.0.2.15', mac: '52:54:00:12:34:56' },
  });
});

test('option 66 beats siaddr beats the server id; 67 beats the header; 210 is the prefix; 209 is kept', () => {
  const both = parseLease('ip=192.168.1.9\nserverid=192.168.1.1\nsiaddr=192.168.1.2\ntftp=192.168.1.3\nboot_file=x/y.0\nbootfile=boot/pxelinux.0\n')!;
  const t = targetOf(both);
  assert.ok(typeof t !== 'string');
  assert.equal(t.folder.href, 'tftp://192.168.1.3/boot');
  assert.equal(t.bootFile, 'pxelinux.0');
  const noNext = targetOf(parseLease('ip=192.168.1.9\nserverid=192.168.1.1\nsiaddr=0.0.0.0\n')!);
  assert.ok(typeof noNext !== 'string');
  assert.equal(noNext.folder.href, 'tftp://192.168.1.1');
  const prefixed = targetOf(parseLease('ip=192.168.1.9\nsiaddr=192.168.1.2\nbootfile=a/b.0\npxepathprefix=/srv/pxe/\npxeconffile=cfg/fleet\n')!);
  assert.ok(typeof prefixed !== 'string');
  assert.equal(prefixed.folder.href, 'tftp://192.168.1.2/srv/pxe');
  assert.equal(prefixed.configFile, 'cfg/fleet');
  const url = targetOf(parseLease('ip=192.168.1.9\npxepathprefix=http://192.168.1.5/boot/\n')!);
  assert.ok(typeof url !== 'string');
  assert.equal(url.folder.href, 'http://192.168.1.5/boot');
  assert.equal(targetOf(parseLease('ip=192.168.1.9\n')!), 'the lease names no boot server (no option 66, siaddr or server identifier)');
  assert.equal(parseLease('router=1.2.3.4\n'), undefined);
});
