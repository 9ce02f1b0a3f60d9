// The product end to end on arm64 (QEMU virt, Debian's arm64 kernel, which has no
// kexec_file_load): the menu boots an extlinux entry with an `fdt` line through kexec-menu's
// own kexec_load (no kexec-tools in the image) with the device tree from the disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, withVm } from './vm';

test('arm64: the default extlinux entry with its DTB boots after the timeout through the native kexec_load: the second kernel has the cmdline, the disk DTB\'s own property and the initrd\'s file', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  await withVm({ arch: 'arm64', disks: [{ name: 'arm64-virt.ext4' }], append: 'kexec_menu.timeout=3' }, async (vm) => {
    await vm.waitForScreen((t) => /arm64, device tree from disk/.test(t), 180, 'the menu listing the arm64 entry');
    const m = await vm.waitFor(/KEXEC-MENU-MARKER cmdline=(.*)\n/, 150, "the entry's marker");
    assert.equal(m[1]!.trim(), 'console=ttyAMA0 test.entry=arm64-dtb');
    const proof = await vm.waitFor(/KEXEC-MENU-PROOF (.*)\n/, 30, "the marker's proof line");
    assert.equal(proof[1]!.trim(), 'dt=arm64-virt.ext4 initrd=marker-initrd-initrd-arm64');
    // The menu's log line of the load, printed before the hand-over.
    assert.doesNotMatch(vm.output, /kexec-tools|\/usr\/sbin\/kexec/);
  }, 'no disk was written');
});
