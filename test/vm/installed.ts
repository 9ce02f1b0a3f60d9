// What the crash-kernel and installed-system VM scenarios add to the image: a gzip'd cpio
// appended to its initramfs (files that replace or join the image's), a crash initrd whose
// /init reports whether /proc/vmcore exists, and a small installed system's /boot partition
// (its own grub.cfg and grubenv) made as an ext4 image without root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Arch, DISKS, TOP, type Vm, diskIdentities, withVm } from './vm';

/** The files of `files` (path in the archive → contents, or a host file to copy; mode 0755 when `exec`) as a gzip'd newc cpio. */
export function archive(files: Record<string, { text?: string | Buffer; from?: string; exec?: boolean }>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-extra-'));
  try {
    for (const [path, f] of Object.entries(files)) {
      const dest = join(dir, path);
      mkdirSync(dirname(dest), { recursive: true });
      if (f.from) copyFileSync(f.from, dest);
      else writeFileSync(dest, f.text ?? '');
      chmodSync(dest, f.exec ? 0o755 : 0o644);
    }
    const cpio = spawnSync('sh', ['-c', 'find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet'], { cwd: dir, maxBuffer: 1 << 30 });
    assert.equal(cpio.status, 0, cpio.stderr.toString());
    return gzipSync(cpio.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Debian's busybox-static for `arch`, as scripts/debian-packages.sh unpacked it. */
export function busybox(arch: Arch): string {
  return join(TOP, 'cache/debian', arch, 'root/busybox-static/bin/busybox');
}

/** The image's kernel (Debian's: CONFIG_CRASH_DUMP and CONFIG_PROC_VMCORE are on). */
export function imageKernel(arch: Arch): string {
  return join(TOP, 'cache/image', arch, 'vmlinuz');
}

/** The crash initrd's report line: whether /proc/vmcore exists, its size and the command line. */
export const CRASH_REPORT = /KEXEC-MENU-CRASH vmcore=(\S+) size=(\d+) cmdline=(.*)\n/;

/** A crash kernel's initrd: /init prints CRASH_REPORT on every serial port, then powers off. */
export function crashInitrd(arch: Arch): Buffer {
  const init = `#!/bin/busybox sh
/bin/busybox dmesg -n 1
/bin/busybox mkdir -p /proc /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs devtmpfs /dev
if [ -e /proc/vmcore ]; then v=present; s=$(/bin/busybox stat -c %s /proc/vmcore); else v=absent; s=0; fi
line="KEXEC-MENU-CRASH vmcore=$v size=$s cmdline=$(/bin/busybox cat /proc/cmdline)"
for tty in /dev/ttyS0 /dev/ttyAMA0; do [ -c $tty ] && echo "$line" 2>/dev/null > $tty; done
/bin/busybox poweroff -f
`;
  return archive({ init: { text: init, exec: true }, 'bin/busybox': { from: busybox(arch), exec: true } });
}

/** `crash load` of the crash scenarios' files (withCrashShell), the crash initrd's /init as init. */
export const CRASH_LOAD = 'kexec-menu crash load --kernel /crash/vmlinuz --initrd /crash/initrd.img --rdinit /init';

/**
 * The crash scenarios' VM (crash.test.ts, crash-arm64.test.ts): the image's kernel with
 * crashkernel=256M and a BusyBox shell, the image's kernel again as /crash/vmlinuz and
 * crashInitrd as /crash/initrd.img in its initramfs (a gzip'd cpio appended to it), /proc,
 * /sys, /dev and /run mounted before `body` runs. The console log is saved to
 * $KEXEC_MENU_VM_LOG when set.
 */
export async function withCrashShell(arch: 'amd64' | 'arm64', bootSeconds: number, body: (vm: Vm) => Promise<void>): Promise<void> {
  const initramfsExtra = archive({ 'crash/vmlinuz': { from: imageKernel(arch) }, 'crash/initrd.img': { text: crashInitrd(arch) } });
  await withVm({ arch, append: 'rdinit=/bin/sh crashkernel=256M', initramfsExtra }, async (vm) => {
    try {
      await vm.waitFor(/^\/ # /m, bootSeconds, 'the shell prompt');
      assert.equal((await shell(vm, 'mount -t proc proc /proc && mount -t sysfs sysfs /sys && mount -t devtmpfs devtmpfs /dev && mount -t tmpfs tmpfs /run')).status, 0);
      await body(vm);
    } finally {
      if (process.env['KEXEC_MENU_VM_LOG']) vm.saveLog(process.env['KEXEC_MENU_VM_LOG']);
    }
  });
}

/**
 * Checks the crash initrd's report after a panic: /proc/vmcore present and larger than 512 MiB
 * (the first kernel's 1 GiB less the reservation), the crash command line as crash.ts makes it
 * (nr_cpus=1 reset_devices irqpoll rdinit=/init, `console`, no crashkernel= or the shell's
 * rdinit). Returns the crash kernel's command-line words.
 */
export function checkCrashReport(report: RegExpExecArray, console_: string): string[] {
  assert.equal(report[1], 'present', 'the crash kernel has /proc/vmcore');
  assert.ok(Number(report[2]) > 512 * 1024 * 1024, `/proc/vmcore holds the first kernel's memory (${report[2]} bytes)`);
  const words = report[3]!.trim().split(' ');
  for (const w of ['nr_cpus=1', 'reset_devices', 'irqpoll', 'rdinit=/init', console_]) assert.ok(words.includes(w), `${w} in ${report[3]}`);
  assert.ok(!words.some((w) => w.startsWith('crashkernel=') || w === 'rdinit=/bin/sh'), `crashkernel= and the old rdinit dropped: ${report[3]}`);
  return words;
}

/** Runs one shell command on the VM's console shell; resolves with its status and output. */
export async function shell(vm: Vm, command: string, seconds = 60): Promise<{ status: number; output: string }> {
  const from = vm.output.length;
  const tag = `END${Math.floor(Math.random() * 1e9)}`;
  // The shell builds the tag from two halves, so the echoed command line does not match it.
  vm.send(`${command}; echo "${tag.slice(0, 4)}""${tag.slice(4)}:$?"\n`);
  const m = await vm.waitFor(new RegExp(`${tag}:(\\d+)`), seconds, `'${command}'`, from);
  return { status: Number(m[1]), output: vm.output.slice(from, from + m.index) };
}

/** The UUID of the installed system's /boot partition (fixed, so the grub.cfg can search for it). */
export const BOOT_UUID = '0b0a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';

/** The marker initrd of the sample disks, taken out of debian-root.ext4. */
function markerInitrd(dest: string, kver: string): void {
  const r = spawnSync('debugfs', ['-R', `dump /boot/initrd.img-${kver} ${dest}`, join(DISKS, 'debian-root.ext4')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

function grubEntry(id: string, kver: string): string {
  return `menuentry 'Installed ${id}' --class debian $menuentry_id_option 'installed-${id}' {
	search --no-floppy --fs-uuid --set=root ${BOOT_UUID}
	linux	/vmlinuz-${kver} root=UUID=${BOOT_UUID} ro console=ttyS0,115200 test.entry=installed-${id}
	initrd	/initrd.img-${kver}
}
`;
}

/** A GRUB environment block: the signature, the lines, '#' up to 1024 bytes (as grub-editenv writes it). */
export function grubenvBlock(vars: Record<string, string>): string {
  const body = `# GRUB Environment Block\n${Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join('')}`;
  return body + '#'.repeat(1024 - body.length);
}

/**
 * A separate /boot as Debian or Fedora lay it out (kernel,
 * initrd, grub/grub.cfg in grub-mkconfig's 00_header shape, grub/grubenv with saved_entry=b
 * and the one-shot next_entry=c), written to cache/disks/vm-installed-boot.ext4 (the tree
 * stays in cache/vm-installed/). Returns its name in cache/disks/, as Vm takes it.
 */
export function installedBootDisk(): { name: string; kver: string } {
  const kver = diskIdentities()['AMD64_KERNEL']!;
  const out = join(TOP, 'cache/vm-installed');
  const tree = join(out, 'tree');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(tree, 'grub'), { recursive: true });
  copyFileSync(imageKernel('amd64'), join(tree, `vmlinuz-${kver}`));
  markerInitrd(join(tree, `initrd.img-${kver}`), kver);
  writeFileSync(join(tree, 'grub/grub.cfg'), `if [ -s $prefix/grubenv ]; then
  set have_grubenv=true
  load_env
fi
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="\${saved_entry}"
fi
menuentry_id_option="--id"
${['a', 'b', 'c'].map((id) => grubEntry(id, kver)).join('')}`);
  writeFileSync(join(tree, 'grub/grubenv'), grubenvBlock({ saved_entry: 'installed-b', next_entry: 'installed-c' }));
  const name = 'vm-installed-boot.ext4';
  const img = join(DISKS, name);
  const mk = spawnSync('mkfs.ext4', ['-q', '-F', '-d', tree, '-U', BOOT_UUID, '-L', 'boot', '-E', 'root_owner=0:0', img, '64M'], { encoding: 'utf8' });
  assert.equal(mk.status, 0, mk.stderr);
  assert.ok(readdirSync(tree).length === 3);
  return { name, kver };
}

/** A file of an ext4 image, read with debugfs (no mount). */
export function ext4File(img: string, path: string): string {
  const r = spawnSync('debugfs', ['-R', `cat ${path}`, img], { encoding: 'latin1' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
