// The Raspberry Pi 3 B boot path under the menu, without the menu, on QEMU's raspi3b:
// the SD card, the spin-table CPUs that cannot be parked ("CPUs are stuck", EBUSY, unless
// the running kernel had nr_cpus=1), and kexec-tools with the running system's device tree.
// Driven from a BusyBox shell (rdinit=/bin/sh). Guest power-off only spins on raspi3b, so
// the test stops QEMU once the marker is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, Vm } from './vm';

async function shell(vm: Vm): Promise<(cmd: string, seconds?: number) => Promise<{ status: number; out: string }>> {
  let mark = 0;
  await vm.waitFor(/^\/ # /m, 150, 'the shell prompt');
  return async (cmd, seconds = 60) => {
    const tag = `DONE-${++mark}`;
    const from = vm.output.length;
    vm.send(`${cmd}; echo "DONE-$((${mark}))=$?"\n`);
    const m = await vm.waitFor(new RegExp(`${tag}=(\\d+)`), seconds, `'${cmd}' to finish`, from);
    return { status: Number(m[1]), out: vm.output.slice(from) };
  };
}

const SETUP = 'mount -t proc proc /proc && mount -t sysfs sysfs /sys && mount -t devtmpfs devtmpfs /dev && for m in $(cat /etc/kexec-menu/modules); do modprobe $m || exit 1; done && sleep 2 && mkdir -p /mnt/sd && mount -o ro /dev/mmcblk0p1 /mnt/sd';
const LOAD = 'kexec -l /mnt/sd/kernel8.img --initrd=/mnt/sd/initrd.img --append="console=ttyS1,115200 test.entry=raspi-plumbing"';

test('raspi3b: with four CPUs kexec_load fails with EBUSY ("CPUs are stuck")', { skip: SKIP_VM, timeout: 240_000 }, async () => {
  const vm = new Vm({ arch: 'arm64', machine: 'raspi3b', disks: [{ name: 'rpi-sd.img' }], append: 'rdinit=/bin/sh' });
  try {
    const run = await shell(vm);
    assert.equal((await run(SETUP, 90)).status, 0);
    const load = await run(LOAD, 120);
    assert.notEqual(load.status, 0, 'kexec -l must fail with 4 spin-table CPUs');
    assert.match(load.out, /Device or resource busy|CPUs are stuck/);
    assert.deepEqual(await vm.changedDisks(), []);
  } finally {
    await vm.stop();
  }
});

test('raspi3b: with nr_cpus=1 kexec-tools loads the SD card\'s kernel8.img and it starts', { skip: SKIP_VM, timeout: 240_000 }, async () => {
  const vm = new Vm({ arch: 'arm64', machine: 'raspi3b', disks: [{ name: 'rpi-sd.img' }], append: 'rdinit=/bin/sh nr_cpus=1' });
  try {
    const run = await shell(vm);
    assert.equal((await run(SETUP, 90)).status, 0);
    // No --dtb: kexec-tools passes the running system's device tree (/sys/firmware/fdt),
    // whose /memory QEMU (like the Pi firmware) has already fixed up.
    const load = await run(LOAD, 120);
    assert.equal(load.status, 0, load.out);
    await run('umount /mnt/sd');
    vm.send('kexec -e\n');
    const marker = await vm.waitFor(/KEXEC-MENU-MARKER cmdline=(.*)\n/, 120, "the second kernel's marker");
    assert.equal(marker[1], 'console=ttyS1,115200 test.entry=raspi-plumbing');
    assert.deepEqual(await vm.changedDisks(), []);
  } finally {
    await vm.stop();
  }
});
