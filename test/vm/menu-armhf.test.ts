// 32-bit ARM end to end, in one boot (QEMU's arm virt machine, Debian's armmp kernel: it has
// CONFIG_KEXEC and, as every 32-bit ARM kernel, no kexec_file_load): a BusyBox shell first
// (rdinit=/bin/sh) checks that the image has no kexec program and reads /proc/iomem, which
// must show the System RAM of test/fixtures/iomem/qemu-virt-armhf-1g.iomem (the capture the
// unit tests lay segments out against), then execs the image's own /init, and the menu on
// ttyAMA0 boots the disk's extlinux entry (a zImage, the marker initrd and an `fdt` line)
// after its timeout through kexec-menu's own kexec_load. The second kernel proves what it
// got: its /proc/cmdline, the disk DTB's own property and the initrd's file.
// KEXEC_MENU_IOMEM_CAPTURE=FILE writes the VM's /proc/iomem there (to refresh the fixture).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SKIP_VM, TOP, withVm } from './vm';

const FIXTURE = join(TOP, 'test/fixtures/iomem/qemu-virt-armhf-1g.iomem');

/** The top-level System RAM lines of an iomem text. */
const ramLines = (text: string): string[] => [...text.matchAll(/^[0-9a-f]+-[0-9a-f]+ : System RAM$/gm)].map((m) => m[0]);

test('armhf: the menu on ttyAMA0 boots a zImage with the disk\'s DTB through the native kexec_load: the second kernel has the cmdline, the disk DTB\'s own property and the initrd\'s file', { skip: SKIP_VM, timeout: 900_000 }, async () => {
  await withVm({ arch: 'armhf', disks: [{ name: 'armhf-virt.ext4' }], append: 'rdinit=/bin/sh kexec_menu.timeout=3' }, async (vm) => {
    let mark = 0;
    // One shell command; its tag is computed by the shell so the echoed input never matches.
    const run = async (cmd: string, seconds = 60): Promise<{ status: number; out: string }> => {
      const tag = `DONE-${++mark}`;
      const from = vm.output.length;
      vm.send(`${cmd}; echo "DONE-$((${mark}))=$?"\n`);
      const m = await vm.waitFor(new RegExp(`${tag}=(\\d+)`), seconds, `'${cmd}' to finish`, from);
      return { status: Number(m[1]), out: vm.output.slice(from) };
    };
    await vm.waitFor(/^\/ # /m, 300, 'the shell prompt');
    const which = await run('command -v kexec || ls /usr/sbin/kexec /sbin/kexec /usr/bin/kexec');
    assert.notEqual(which.status, 0, `a kexec program is in the image:\n${which.out}`);
    const iomem = await run('mount -t proc proc /proc && echo "IOMEM-$((6*7))" && cat /proc/iomem && echo "IOMEM-$((6*7+1))" && umount /proc', 60);
    assert.equal(iomem.status, 0, iomem.out);
    const captured = /IOMEM-42\n([\s\S]*?)IOMEM-43\n/.exec(iomem.out)?.[1];
    assert.ok(captured, `no /proc/iomem between the tags:\n${iomem.out}`);
    if (process.env['KEXEC_MENU_IOMEM_CAPTURE']) writeFileSync(process.env['KEXEC_MENU_IOMEM_CAPTURE'], captured);
    assert.deepEqual(ramLines(captured), ['40000000-7fffffff : System RAM']);
    assert.deepEqual(ramLines(captured), ramLines(readFileSync(FIXTURE, 'latin1')), `the VM's System RAM differs from ${FIXTURE}:\n${captured}`);
    // The image's own boot from here: /init, BusyBox init (still PID 1), sysinit, the menu.
    const booted = vm.output.length;
    vm.send('exec /init\n');
    await vm.waitForScreen((t) => /32-bit ARM zImage, device tree from disk/.test(t), 420, 'the menu listing the armhf entry');
    const menuAt = vm.elapsed();
    const m = await vm.waitFor(/KEXEC-MENU-MARKER cmdline=(.*)\n/, 420, "the entry's marker");
    assert.equal(m[1]!.trim(), 'console=ttyAMA0 test.entry=armhf-dtb');
    const proof = await vm.waitFor(/KEXEC-MENU-PROOF (.*)\n/, 60, "the marker's proof line");
    assert.equal(proof[1]!.trim(), 'dt=armhf-virt.ext4 initrd=marker-initrd-initrd-armhf');
    // From init on, nothing ran or named kexec-tools (the shell's check above names the paths).
    assert.doesNotMatch(vm.output.slice(booted), /kexec-tools|\/usr\/sbin\/kexec/);
    process.stdout.write(`armhf: menu after ${menuAt.toFixed(1)} s, marker after ${vm.elapsed().toFixed(1)} s\n${m[0].trim()}\n${proof[0].trim()}\n`);
  }, 'no disk was written');
});
