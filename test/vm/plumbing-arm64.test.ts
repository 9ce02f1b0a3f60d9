// The arm64 boot path under the menu, without the menu: on QEMU's virt machine, Debian's
// arm64 kernel has no kexec_file_load, so kexec-tools' kexec_load with a device tree from
// the disk (--dtb) is the way; driven from a BusyBox shell (rdinit=/bin/sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, withVm, diskIdentities } from './vm';

test('arm64: a BusyBox shell kexecs the disk\'s kernel with kexec-tools and the DTB from the disk', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  const id = diskIdentities();
  await withVm({ arch: 'arm64', disks: [{ name: 'arm64-virt.ext4' }], append: 'rdinit=/bin/sh' }, async (vm) => {
    let mark = 0;
    const run = async (cmd: string, seconds = 60): Promise<string> => {
      const tag = `DONE-${++mark}`;
      const from = vm.output.length;
      vm.send(`${cmd}; echo "DONE-$((${mark}))=$?"\n`);
      const m = await vm.waitFor(new RegExp(`${tag}=(\\d+)`), seconds, `'${cmd}' to finish`, from);
      return `${m[1]}\n${vm.output.slice(from)}`;
    };
    const ok = async (cmd: string, seconds = 60): Promise<string> => {
      const r = await run(cmd, seconds);
      assert.ok(r.startsWith('0\n'), `'${cmd}' failed:\n${r}`);
      return r;
    };
    await vm.waitFor(/^\/ # /m, 150, 'the shell prompt');
    await ok('mount -t proc proc /proc && mount -t sysfs sysfs /sys && mount -t devtmpfs devtmpfs /dev');
    await ok('for m in $(cat /etc/kexec-menu/modules); do modprobe $m || exit 1; done', 90);
    await ok('mkdir -p /mnt/a && mount -o ro /dev/vda /mnt/a');
    const k = `/mnt/a/boot/Image-${id['ARM64_KERNEL']}`;
    const i = `/mnt/a/boot/initrd.img-${id['ARM64_KERNEL']}`;
    // No kexec_file_load in this kernel: -s must fail, and say so.
    const fileLoad = await run(`kexec -s -l ${k} --initrd=${i} --append=x`);
    assert.ok(!fileLoad.startsWith('0\n'), 'kexec_file_load is not available on Debian arm64');
    await ok(`kexec -l ${k} --initrd=${i} --dtb=/mnt/a/boot/dtbs/qemu-virt.dtb --append="console=ttyAMA0 test.entry=arm64-plumbing"`, 120);
    await ok('umount /mnt/a');
    vm.send('kexec -e\n');
    const marker = await vm.waitFor(/KEXEC-MENU-MARKER cmdline=(.*)\n/, 120, "the second kernel's marker");
    assert.equal(marker[1], 'console=ttyAMA0 test.entry=arm64-plumbing');
    await vm.exited;
  }, 'no disk was written');
});
