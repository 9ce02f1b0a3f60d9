import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeCmdline, reusableCmdline, splitCmdline } from '../../src/kexec/cmdline';

// /proc/cmdline as GRUB leaves it on Debian and as systemd-boot leaves it (initrd= added by the stub).
const GRUB = 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=2f4a3c1e-0c5e-4d5b-9a4c-6d2f1e0b3a7c ro quiet';
const SDBOOT = 'initrd=\\loader\\initrd.img root=/dev/sda2 rw acpi_osi="!Windows 2012"';

test('words split as the kernel splits them, quotes kept whole', () => {
  assert.deepEqual(splitCmdline('  a=1  b="x y"  c\t"d e"f '), ['a=1', 'b="x y"', 'c', '"d e"f']);
  assert.deepEqual(splitCmdline(''), []);
});

test('reuse drops BOOT_IMAGE= and initrd=, as kexec-tools does', () => {
  assert.equal(reusableCmdline(GRUB), 'root=UUID=2f4a3c1e-0c5e-4d5b-9a4c-6d2f1e0b3a7c ro quiet');
  assert.equal(reusableCmdline(SDBOOT), 'root=/dev/sda2 rw acpi_osi="!Windows 2012"');
  // A parameter that merely starts like one is kept.
  assert.equal(reusableCmdline('initrdmem=0x1000 BOOT_IMAGEX=1'), 'initrdmem=0x1000 BOOT_IMAGEX=1');
});

test('joined: running first, the entry\'s after so its values win; init\'s words stay after --', () => {
  assert.equal(composeCmdline({ own: 'console=ttyS0 quiet', reuse: false, running: GRUB }), 'console=ttyS0 quiet');
  assert.equal(
    composeCmdline({ own: 'console=ttyS0', reuse: true, running: GRUB, append: 'nr_cpus=1' }),
    'root=UUID=2f4a3c1e-0c5e-4d5b-9a4c-6d2f1e0b3a7c ro quiet console=ttyS0 nr_cpus=1',
  );
  assert.equal(
    composeCmdline({ own: 'root=/dev/vda1 -- single', reuse: true, running: 'console=ttyS0 rdinit=/init -- --verbose' }),
    'console=ttyS0 rdinit=/init root=/dev/vda1 -- --verbose single',
  );
  assert.equal(composeCmdline({ own: '', reuse: true, running: '' }), '');
});
