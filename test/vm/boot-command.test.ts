// `kexec-menu boot` in the image, started from a BusyBox shell (rdinit=/bin/sh): the bundle
// on Node 22, koffi's binary for the architecture, the image marker that allows the system
// calls, and the loaders: kexec_file_load on x86_64, kexec-menu's own kexec_load with the
// disk's DTB on arm64 (Debian's arm64 kernel has no kexec_file_load, and the arm64 image has
// no kexec-tools). The menu uses the same boot path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, withVm, diskIdentities, type Arch } from './vm';

async function bootCommand(arch: Arch, disk: string, mountCmd: string, boot: string, expected: string): Promise<void> {
  await withVm({ arch, disks: [{ name: disk }], append: 'rdinit=/bin/sh' }, async (vm) => {
    await vm.waitFor(/^\/ # /m, 150, 'the shell prompt');
    vm.send(`mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev; for m in $(cat /etc/kexec-menu/modules); do modprobe $m; done; ${mountCmd} && echo "MOUNTED-$((1+1))"\n`);
    await vm.waitFor(/MOUNTED-2/, 90, 'the disk mounted');
    const from = vm.output.length;
    vm.send(`${boot}; echo "EXIT-$((0+$?))"\n`);
    const m = await vm.waitFor(/KEXEC-MENU-MARKER cmdline=(.*)\n|EXIT-(\d+)/, 150, "kexec-menu boot to start the entry's kernel", from);
    assert.equal(m[2], undefined, `kexec-menu boot returned (exit ${m[2]}):\n${vm.output.slice(from)}`);
    assert.equal(m[1], expected);
  }, 'no disk was written');
}

test('x86_64: kexec-menu boot loads the kernel with kexec_file_load and starts it', { skip: SKIP_VM, timeout: 240_000 }, async () => {
  const k = diskIdentities()['AMD64_KERNEL'];
  await bootCommand('amd64', 'gpt.img', 'mkdir -p /mnt/r && mount -o ro /dev/vda2 /mnt/r',
    `kexec-menu boot --kernel /mnt/r/boot/vmlinuz-${k} --initrd /mnt/r/boot/initrd.img-${k} --cmdline "console=ttyS0,115200 test.entry=boot-command"`,
    'console=ttyS0,115200 test.entry=boot-command');
});

test('arm64: kexec-menu boot loads the kernel and the disk\'s DTB through its own kexec_load and starts it', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  const k = diskIdentities()['ARM64_KERNEL'];
  await bootCommand('arm64', 'arm64-virt.ext4', 'mkdir -p /mnt/a && mount -o ro /dev/vda /mnt/a',
    `kexec-menu boot --kernel /mnt/a/boot/Image-${k} --initrd /mnt/a/boot/initrd.img-${k} --dtb /mnt/a/boot/dtbs/qemu-virt.dtb --cmdline "console=ttyAMA0 test.entry=boot-command"`,
    'console=ttyAMA0 test.entry=boot-command');
});
