// The arm64 boot path under the menu, without the menu: on QEMU's virt machine, Debian's
// arm64 kernel has no kexec_file_load, and the image has no kexec-tools: `kexec-menu boot`
// from a BusyBox shell (rdinit=/bin/sh) places the segments itself and kexec_load's them,
// with the device tree from the disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, withVm, diskIdentities } from './vm';

test('arm64: no kexec program in the image; kexec-menu boot loads the disk\'s kernel, initrd and DTB with its own kexec_load', { skip: SKIP_VM, timeout: 300_000 }, async () => {
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
    const which = await run('command -v kexec || ls /usr/sbin/kexec /sbin/kexec /usr/bin/kexec');
    assert.ok(!which.startsWith('0\n'), `a kexec program is in the image:\n${which}`);
    await ok('for m in $(cat /etc/kexec-menu/modules); do modprobe $m || exit 1; done', 90);
    await ok('mkdir -p /mnt/a && mount -o ro /dev/vda /mnt/a');
    const k = `/mnt/a/boot/Image-${id['ARM64_KERNEL']}`;
    const i = `/mnt/a/boot/initrd.img-${id['ARM64_KERNEL']}`;
    const args = `--kernel ${k} --initrd ${i} --dtb /mnt/a/boot/dtbs/qemu-virt.dtb --cmdline "console=ttyAMA0 test.entry=arm64-native"`;
    const plan = await ok(`kexec-menu boot ${args} --dry-run`, 120);
    assert.match(plan, /method: +kexec_load \(kexec-menu's own segments, no kexec-tools\)/);
    assert.match(plan, /note: +Loaded with kexec-menu's own kexec_load \(no kexec-tools\): the entry has its own device tree/);
    // The real load, then reboot(LINUX_REBOOT_CMD_KEXEC) (the direct hand-over).
    vm.send(`kexec-menu boot ${args} --handoff direct\n`);
    const marker = await vm.waitFor(/KEXEC-MENU-MARKER cmdline=(.*)\n/, 180, "the second kernel's marker");
    assert.equal(marker[1], 'console=ttyAMA0 test.entry=arm64-native');
    const proof = await vm.waitFor(/KEXEC-MENU-PROOF (.*)\n/, 30, "the marker's proof line");
    assert.equal(proof[1], 'dt=arm64-virt.ext4 initrd=marker-initrd-initrd-arm64');
    await vm.exited;
  }, 'no disk was written');
});
