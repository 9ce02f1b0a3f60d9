// Issue 17 in QEMU: the machine's disk (gpt.img: ESP + Debian root) and a USB stick
// (trust-stick.vfat, a second disk) whose YAML menu boots the machine's own kernel, named by
// UUID, with a command line of the stick's. The image's settings are replaced by ones with a
// password (a small cpio appended to the initramfs): that entry is marked '#', asks the
// password at Enter, refuses a wrong one and boots with the right one; the stick's entry on
// its own kernel is not marked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { hashPassword } from '../../src/ui/password';
import { SKIP_VM, selectEntry, withVm } from './vm';

const MARKER = /KEXEC-MENU-MARKER cmdline=(.*)\n/;
/** Few rounds: the image's PBKDF2 is pure JavaScript, and QEMU emulates the CPU here. */
const HASH = hashPassword('right', Buffer.from('kexec-menu-vm-salt'), 1000);

/** A gzip'd cpio holding /etc/kexec-menu/config.yaml with `settings`. */
function settingsCpio(settings: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-settings-'));
  try {
    mkdirSync(join(dir, 'etc/kexec-menu'), { recursive: true });
    writeFileSync(join(dir, 'etc/kexec-menu/config.yaml'), settings);
    const cpio = spawnSync('sh', ['-c', 'printf "etc\\netc/kexec-menu\\netc/kexec-menu/config.yaml\\n" | cpio -o -H newc -R 0:0 --quiet'], { cwd: dir });
    assert.equal(cpio.status, 0, cpio.stderr.toString());
    return gzipSync(cpio.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a stick\'s entry on the machine\'s kernel boots only with the password; the stick\'s own kernel needs none', { skip: SKIP_VM, timeout: 400_000 }, async () => {
  const settings = `timeout: -1\ndefault: auto\nmenus: [/usr/share/kexec-menu/menus]\neditor: true\nshell: true\npassword: "${HASH}"\n`;
  await withVm({ disks: [{ name: 'gpt.img' }, { name: 'trust-stick.vfat' }], initramfsExtra: settingsCpio(settings) }, async (vm) => {
    const listed = await vm.waitForScreen((t) => /Stick's own kernel/.test(t) && /Debian GNU\/Linux/.test(t), 150, 'the menu listing both disks');
    assert.match(listed, /\d {2}# Stick: root shell on the machine's kernel/, 'marked as needing the password');
    assert.match(listed, /\d {4}Stick's own kernel/, "the stick's own kernel is not marked");
    await selectEntry(vm, /Stick: root shell/);
    await vm.waitForScreen((t) => /Boots only with the password: kernel \/boot\/vmlinuz-\S+ is on vda2/.test(t), 30, 'the reason on the status line (cut at 80 columns)');
    vm.send('\r');
    await vm.waitForScreen((t) => t.includes('Password to boot this entry'), 30, 'the password prompt');
    vm.send('wrong\r');
    await vm.waitForScreen((t) => t.includes('Wrong password.'), 60, 'the wrong password refused');
    assert.doesNotMatch(vm.output, MARKER, 'nothing booted');
    vm.send('right\r');
    const m = await vm.waitFor(MARKER, 150, "the stick entry's marker");
    assert.equal(m[1]!.trim(), 'console=ttyS0,115200 test.entry=stick-cross');
  });
});
