// `default: @saved` on a real efivarfs: the image booted through UEFI (Debian's OVMF, the
// pflash pair) in two QEMU runs that share one writable variable store, so the variables
// live in the firmware's flash across the "reboot" as they would on a machine.
//   Boot 1 (the image's own inittab, the menu on ttyS0): nothing remembered, the automatic
//   default is marked; the extlinux entry is chosen and boots (marker). The host then reads
//   the variable store file: LoaderEntryLastBooted names that entry.
//   Boot 2 (a shell on ttyS0, the menu started from it): the variable is there in efivarfs, and
//   the menu defaults to the extlinux entry; `q`, then LoaderEntryOneShot is written (naming
//   GRUB's Debian entry) and the menu started again boots it by its countdown. The store file
//   then holds no LoaderEntryOneShot, and LoaderEntryLastBooted names the one-shot's entry.
// Every disk is a writable copy whose hash must not change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SKIP_VM, type DiskSpec, type Vm, diskIdentities, ovmfVars, selectEntry, uefiUnavailable, withVm } from './vm';

const id = (() => {
  try {
    return diskIdentities();
  } catch {
    return {} as Record<string, string>;
  }
})();
const skip = SKIP_VM || uefiUnavailable();
const DISKS: DiskSpec[] = [{ name: 'gpt.img' }, { name: 'extlinux.ext4' }];
const MARKER = /KEXEC-MENU-MARKER cmdline=(.*)\n/;
const VENDOR = '4a67b082-0a4c-41cf-b6c7-440b29bb8c4f';
const VARIABLES = ['LoaderEntryOneShot', 'LoaderEntryDefault', 'LoaderEntryLastBooted'];

/**
 * The live variables of systemd's boot loader vendor in an OVMF variable store file (edk2's
 * VariableFormat.h): a firmware volume header (its length at 0x30), the 28-byte variable
 * store header, then 4-byte aligned authenticated variable headers (StartId 0x55AA, State,
 * Attributes, MonotonicCount, TimeStamp, PubKeyIndex, NameSize, DataSize, VendorGuid: 60
 * bytes), each followed by its UTF-16 name and its data. State 0x3F is a live variable; a
 * deleted or replaced one keeps its bytes with State bits cleared.
 */
export function storeVariables(file: string): Map<string, string> {
  const b = readFileSync(file);
  const out = new Map<string, string>();
  const guid = (o: number) => {
    const h = (s: number, e: number) => b.subarray(o + s, o + e).toString('hex');
    const le = (s: number, e: number) => Buffer.from(b.subarray(o + s, o + e)).reverse().toString('hex');
    return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${h(8, 10)}-${h(10, 16)}`;
  };
  let o = b.readUInt16LE(0x30) + 28;
  while (o + 60 <= b.length && b.readUInt16LE(o) === 0x55aa) {
    const state = b[o + 2]!;
    const nameSize = b.readUInt32LE(o + 36);
    const dataSize = b.readUInt32LE(o + 40);
    const name = b.subarray(o + 60, o + 60 + nameSize).toString('utf16le').replace(/\0+$/, '');
    const data = b.subarray(o + 60 + nameSize, o + 60 + nameSize + dataSize);
    if (state === 0x3f && guid(o + 44) === VENDOR && VARIABLES.includes(name)) out.set(name, data.toString('utf16le').replace(/\0+$/, ''));
    o = (o + 60 + nameSize + dataSize + 3) & ~3;
  }
  return out;
}

/** A gzip'd cpio: a shell on the console instead of the menu, and the helper `efivar-test`. */
function shellImage(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-saved-'));
  try {
    mkdirSync(join(dir, 'etc'));
    mkdirSync(join(dir, 'usr/local/bin'), { recursive: true });
    writeFileSync(join(dir, 'etc/inittab'), '::sysinit:/usr/libexec/kexec-menu/sysinit\nconsole::respawn:-/bin/sh\nnull::restart:/usr/sbin/kexec -f -e\n');
    // show: the three variables as efivarfs has them; oneshot TEXT: LoaderEntryOneShot names
    // the entry whose command line has TEXT (its id from `kexec-menu list --json`), written
    // as bootctl set-oneshot does (attributes 7, UTF-16LE with the NUL, one write).
    writeFileSync(
      join(dir, 'usr/local/bin/efivar-test'),
      `#!/usr/bin/node
const fs = require('fs');
const file = (n) => '/sys/firmware/efi/efivars/' + n + '-${VENDOR}';
const [cmd, arg] = process.argv.slice(2);
if (cmd === 'show') {
  for (const n of ${JSON.stringify(VARIABLES)}) {
    let v = '(none)';
    try { v = fs.readFileSync(file(n)).subarray(4).toString('utf16le').replace(/\\0+$/, ''); } catch {}
    console.log('EFIVAR ' + n + '=' + v);
  }
} else if (cmd === 'oneshot') {
  const list = JSON.parse(require('child_process').execFileSync('/usr/bin/kexec-menu', ['list', '--json'], { encoding: 'utf8' }));
  const e = list.entries.find((x) => x.cmdline.includes(arg));
  const fd = fs.openSync(file('LoaderEntryOneShot'), 'wx');
  fs.writeSync(fd, Buffer.concat([Buffer.from([7, 0, 0, 0]), Buffer.from(e.id + '\\0', 'utf16le')]));
  fs.closeSync(fd);
  console.log('ONESHOT=' + e.id);
}
`,
    );
    chmodSync(join(dir, 'usr/local/bin/efivar-test'), 0o755);
    const cpio = spawnSync('sh', ['-c', 'find etc usr | cpio -o -H newc -R 0:0 --quiet'], { cwd: dir });
    assert.equal(cpio.status, 0, cpio.stderr.toString());
    return gzipSync(cpio.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The screen's line marked '*' (the default), or ''. */
const trimBox = (l: string) => l.replace(/^\|/, '').replace(/\|\s*$/, '').trim();
const defaultLine = (vm: Vm) =>
  vm.screen
    .toString()
    .split('\n')
    .map(trimBox)
    .find((l) => /^>?\s*\d+ \*/.test(l)) ?? '';
/** The selected line (reverse video), trimmed as defaultLine is. */
const selected = (vm: Vm) => vm.screen.inverseLines().map(trimBox).join(' / ');

/** Waits until discovery is over (no "scanning..." heading) and the extlinux disk's entry is listed. */
async function menuSettled(vm: Vm): Promise<void> {
  await vm.waitForScreen((t) => /\(extlinux\)/.test(t) && /Debian GNU\/Linux/.test(t) && !/scanning/.test(t), 150, 'the menu with every disk read');
}

test('default: @saved under UEFI: the chosen entry is remembered in LoaderEntryLastBooted, the next boot defaults to it, a LoaderEntryOneShot boots once and is consumed', { skip, timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-ovmf-'));
  const times: string[] = [];
  try {
    const vars = ovmfVars(dir);
    const extlinux = `root=UUID=${id['EXTLINUX_UUID']} ro console=ttyS0,115200 test.entry=extlinux`;

    // Boot 1: the menu as the image starts it; nothing remembered yet.
    await withVm({ disks: DISKS, uefi: { vars }, append: 'kexec_menu.default=@saved kexec_menu.timeout=-1' }, async (vm) => {
      await menuSettled(vm);
      times.push(`boot 1: menu settled at ${vm.elapsed().toFixed(1)} s`);
      assert.match(defaultLine(vm), /Debian GNU\/Linux 12 \(bookworm\)/, `the automatic default (the ESP's loader.conf): ${vm.describe()}`);
      assert.equal(selected(vm), defaultLine(vm), 'the selection starts on the default');
      vm.send('l');
      await vm.waitForScreen((t) => /nothing is remembered in EFI/.test(t), 30, 'the log saying nothing is remembered yet');
      vm.send('l');
      await selectEntry(vm, /\(extlinux\)/);
      vm.send('\r');
      const m = await vm.waitFor(MARKER, 120, "the extlinux entry's marker");
      assert.equal(m[1]!.trim(), extlinux);
      await vm.exited;
      times.push(`boot 1: marker at ${vm.elapsed().toFixed(1)} s`);
    });
    const after1 = storeVariables(vars);
    const last = after1.get('LoaderEntryLastBooted');
    assert.ok(last?.startsWith(`${id['EXTLINUX_UUID']}:extlinux:`), `LoaderEntryLastBooted names the extlinux entry: ${JSON.stringify([...after1])}`);
    assert.equal(after1.has('LoaderEntryOneShot'), false);

    // Boot 2: a shell first, the menu started from it.
    await withVm({ disks: DISKS, uefi: { vars }, append: 'kexec_menu.default=@saved', initramfsExtra: shellImage() }, async (vm) => {
      await vm.waitFor(/\/ # /, 120, "the shell");
      vm.send('/usr/local/bin/efivar-test show\n');
      await vm.waitFor(/EFIVAR LoaderEntryLastBooted=(.*)\n/, 30, 'the variables in efivarfs');
      assert.match(vm.output, new RegExp(`EFIVAR LoaderEntryLastBooted=${last!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`), 'efivarfs shows the value written before the reboot');
      assert.match(vm.output, /EFIVAR LoaderEntryOneShot=\(none\)/);
      const menu = (timeout: number) => `stty rows 24 cols 80; TERM=vt100 /usr/bin/kexec-menu menu --config /etc/kexec-menu/config.yaml --cmdline 'kexec_menu.default=@saved kexec_menu.timeout=${timeout}'\n`;
      vm.send(menu(-1));
      await menuSettled(vm);
      times.push(`boot 2: menu settled at ${vm.elapsed().toFixed(1)} s`);
      assert.match(defaultLine(vm), /\(extlinux\)/, `the second boot defaults to the last choice: ${vm.describe()}`);
      assert.equal(selected(vm), defaultLine(vm));
      const shellAgain = vm.output.length;
      vm.send('q');
      await vm.waitFor(/\/ # /, 60, 'the shell again after q', shellAgain);
      vm.send('/usr/local/bin/efivar-test oneshot test.entry=debian\n');
      const shot = await vm.waitFor(/ONESHOT=(\S+)\n/, 60, 'the one-shot written', shellAgain);
      const oneshot = shot[1]!;
      assert.match(oneshot, new RegExp(`^${id['ROOT_UUID']}:grub:`), 'GRUB’s Debian entry on the root partition');
      vm.send(menu(3));
      // The one-shot wins over LoaderEntryLastBooted; the countdown boots it.
      const m = await vm.waitFor(MARKER, 180, "the one-shot entry's marker", shellAgain);
      assert.match(m[1]!, /test\.entry=debian/);
      assert.doesNotMatch(m[1]!, /test\.entry=(extlinux|bls)/);
      await vm.exited;
      times.push(`boot 2: marker at ${vm.elapsed().toFixed(1)} s`);
      const after2 = storeVariables(vars);
      assert.equal(after2.has('LoaderEntryOneShot'), false, `the one-shot is consumed: ${JSON.stringify([...after2])}`);
      assert.equal(after2.get('LoaderEntryLastBooted'), oneshot, 'and LoaderEntryLastBooted now names what it booted');
    });
    process.stderr.write(`saved-choice (OVMF): ${times.join('; ')}; LoaderEntryLastBooted ${last}, then LoaderEntryOneShot ${storeVariables(vars).get('LoaderEntryLastBooted')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
