// The boot path under the menu, without the menu: the image's kernel modules, BusyBox,
// kexec-tools and its libraries, and the sample disks, driven from a plain BusyBox shell
// (rdinit=/bin/sh on the image's own kernel command line). If this fails, the menu's
// scenarios cannot pass, and the failure says which layer broke.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, Vm, diskIdentities, sha256File } from './vm';

test('a BusyBox shell in the image loads the modules, mounts a disk read-only and kexecs its kernel with kexec-tools', { skip: SKIP_VM, timeout: 180_000 }, async () => {
  const id = diskIdentities();
  const vm = new Vm({ disks: [{ name: 'gpt.img' }, { name: 'dirty-journal.ext4' }], append: 'rdinit=/bin/sh' });
  try {
    let mark = 0;
    const run = async (cmd: string, seconds = 30): Promise<string> => {
      const tag = `DONE-${++mark}`;
      const from = vm.output.length;
      // The tag is built by the shell, so the echo of the typed line does not match it.
      vm.send(`${cmd}; echo "DONE-$((${mark}))=$?"\n`);
      const m = await vm.waitFor(new RegExp(`${tag}=(\\d+)`), seconds, `'${cmd}' to finish`, from);
      assert.equal(m[1], '0', `'${cmd}' failed:\n${vm.output.slice(from)}`);
      return vm.output.slice(from);
    };
    await vm.waitFor(/^\/ # /m, 90, 'the shell prompt');
    await run('mount -t proc proc /proc && mount -t sysfs sysfs /sys && mount -t devtmpfs devtmpfs /dev');
    await run('for m in $(cat /etc/kexec-menu/modules); do modprobe $m || exit 1; done', 60);
    const parts = await run('cat /proc/partitions');
    assert.match(parts, /vda1/);
    assert.match(parts, /vda2/);
    await run('mkdir -p /mnt/root && mount -o ro /dev/vda2 /mnt/root && grep -c menuentry /mnt/root/boot/grub/grub.cfg');
    await run('test -f /etc/kexec-menu/image');

    // The disk-hash check of the menu's scenarios can fail: a plain read-only mount of an
    // ext4 whose journal needs recovery writes to the disk; `noload` does not.
    const dirty = vm.diskFiles.get('dirty-journal.ext4')!;
    const pristine = await sha256File(dirty);
    await run('mkdir -p /mnt/d && mount -o ro,noload /dev/vdb /mnt/d && ls /mnt/d/boot && umount /mnt/d && sync');
    assert.equal(await sha256File(dirty), pristine, 'ro,noload left the dirty ext4 as it was');
    await run('mount -o ro /dev/vdb /mnt/d && umount /mnt/d && sync');
    assert.notEqual(await sha256File(dirty), pristine, 'a plain ro mount replayed the journal, writing to the disk');
    const kernel = `/mnt/root/boot/vmlinuz-${id['AMD64_KERNEL']}`;
    const initrd = `/mnt/root/boot/initrd.img-${id['AMD64_KERNEL']}`;
    await run(`kexec -s -l ${kernel} --initrd=${initrd} --append="console=ttyS0,115200 test.entry=plumbing"`, 60);
    await run('umount /mnt/root');
    vm.send('kexec -e\n');
    const marker = await vm.waitFor(/KEXEC-MENU-MARKER cmdline=(.*)\n/, 90, 'the second kernel\'s marker');
    assert.equal(marker[1], 'console=ttyS0,115200 test.entry=plumbing');
    await vm.exited;
    assert.deepEqual(await vm.changedDisks(), ['dirty-journal.ext4'], 'only the disk mounted without noload was written');
  } finally {
    await vm.stop();
  }
});
