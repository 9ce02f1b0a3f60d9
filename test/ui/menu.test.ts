// The full-screen menu driven through its input stream, read back from what a vt100 would
// show (test/vm/screen.ts fed with blessed's output bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootError } from '../../src/kexec/errors';
import type { BootRequest } from '../../src/ui/backend';
import { hashPassword } from '../../src/ui/password';
import { FakeBackend, SDB1, VDA1, VDA2, entry, menuOf, startMenu } from './harness';

const DEBIAN = entry('vda1:bls:debian', 'Debian GNU/Linux 12 (bookworm)', VDA1, { version: '6.1.0-13-amd64', isDefault: true });
const OLD = entry('vda1:bls:old', 'Debian GNU/Linux 12 (old kernel)', VDA1, {
  resolution: { ok: false, reason: 'kernel /vmlinuz-6.1.0-9-amd64 is not on partition vda1' },
});
const EXT = entry('vda2:extlinux:main', 'Linux (extlinux)', VDA2, { cmdline: 'root=LABEL=root ro console=ttyS0,115200' });
const SINGLE = entry('vda2:extlinux:single', 'Linux (extlinux, single user)', VDA2, { cmdline: 'root=LABEL=root ro single' });

function backend(): FakeBackend {
  return new FakeBackend(menuOf([DEBIAN, OLD, EXT, SINGLE], DEBIAN.id));
}

const DOWN = '\x1b[B';
const UP = '\x1b[A';

test('the first frame at 80x24 on a vt100 without UTF-8: header, groups, numbers, default and broken marks, details, status, help', async () => {
  const m = await startMenu({ backend: backend() });
  const l = m.lines();
  assert.equal(l.length, 24);
  assert.match(l[0]!, /^ kexec-menu 9\.9\.9 +QEMU Standard PC$/);
  assert.match(l[1]!, /^\+- Boot menu -+\+$/);
  assert.equal(l[2], '| vda1 - vfat - ESP                                                            |');
  assert.equal(l[3], '|>  1 *  Debian GNU/Linux 12 (bookworm) (6.1.0-13-amd64)                       |');
  assert.equal(l[4], '|   2  ! Debian GNU/Linux 12 (old kernel)                                      |');
  assert.equal(l[5], '| vda2 - ext4 - root                                                           |');
  assert.match(l[6]!, /^\| {3}3 {4}Linux \(extlinux\) +\|$/);
  assert.match(l[8]!, /^\| Actions +\|$/);
  assert.match(l[9]!, /^\| {8}Rescue shell \(s\) +\|$/);
  assert.match(l[10]!, /Reboot/);
  assert.match(l[11]!, /Power off/);
  assert.match(l[15]!, /^\+- Details -+\+$/);
  assert.match(l[16]!, /^\|kernel {2}\/vmlinuz +\|$/);
  assert.match(l[17]!, /^\|initrd {2}\/initrd\.img +\|$/);
  assert.match(l[18]!, /^\|cmdline root=LABEL=root ro quiet +\|$/);
  assert.match(l[19]!, /^\|source {2}bls \/loader\/entries\/vda1:bls:debian\.conf:1 on vda1 +\|$/);
  assert.equal(l[22], '', 'no countdown (timeout -1), no message');
  assert.equal(l[23], '^v select  Enter boot  e edit  d details  r rescan  l log  s shell  ? help');
  assert.deepEqual(m.inverse(), ['|>  1 *  Debian GNU/Linux 12 (bookworm) (6.1.0-13-amd64)                       |'], 'the selection is in reverse video');
  assert.doesNotMatch(m.output.written, /[^\x00-\x7f]/, 'nothing but ASCII is sent');
  assert.doesNotMatch(m.output.written, /\x1b\(0|\x0e/, 'no line-drawing character set');
  await m.quit();
});

test('countdown: ticks redraw only the status line, then the default boots and the menu ends with its plan', async () => {
  const b = backend();
  const m = await startMenu({ backend: b, settings: { timeout: 3 } });
  assert.equal(m.lines()[22], "Booting 'Debian GNU/Linux 12 (bookworm)' in 3 s - any key to stop");
  const before = m.lines();
  const mark = m.output.written.length;
  await m.advance(1000);
  const tick = m.output.written.slice(mark);
  assert.equal(m.lines()[22], "Booting 'Debian GNU/Linux 12 (bookworm)' in 2 s - any key to stop");
  assert.deepEqual(m.lines().slice(0, 22), before.slice(0, 22), 'nothing else changed');
  assert.ok(tick.length > 0 && tick.length <= 24, `a tick writes ${tick.length} bytes: ${JSON.stringify(tick)}`);
  await m.advance(1000);
  assert.deepEqual(b.boots, []);
  await m.advance(1000);
  assert.deepEqual(b.boots, [{ id: DEBIAN.id }]);
  const f = await m.finished;
  assert.deepEqual(f, { kind: 'booted', outcome: { kind: 'dry-run', text: `plan for ${DEBIAN.id}\n` } });
});

test('any key stops the countdown and still does its job; Esc only stops it', async () => {
  const b = backend();
  const m = await startMenu({ backend: b, settings: { timeout: 5 } });
  await m.send('j');
  assert.equal(m.lines()[22], "Cannot boot: kernel /vmlinuz-6.1.0-9-amd64 is not on partition vda1", 'moved to entry 2, whose problem shows');
  assert.match(m.inverse()[0]!, /2 {2}! Debian GNU\/Linux 12 \(old kernel\)/);
  await m.advance(20_000);
  assert.deepEqual(b.boots, [], 'nothing boots after a key');

  const b2 = backend();
  const m2 = await startMenu({ backend: b2, settings: { timeout: 5 } });
  await m2.send('\x1b');
  await m2.advance(300); // the escape timeout: it was a lone Esc
  assert.equal(m2.lines()[22], '');
  assert.match(m2.inverse()[0]!, /1 \* {2}Debian/, 'selection unchanged');
  await m2.advance(20_000);
  assert.deepEqual(b2.boots, []);
  await m.quit();
  await m2.quit();
});

test('timeout 0 boots the default at once, unless a key was pressed at start', async () => {
  const b = backend();
  const m = await startMenu({ backend: b, settings: { timeout: 0 }, startGraceMs: 150 });
  assert.deepEqual(b.boots, [], 'not before the start grace is over');
  await m.advance(150);
  assert.deepEqual(b.boots, [{ id: DEBIAN.id }]);
  await m.finished;

  const b2 = backend();
  const m2 = await startMenu({ backend: b2, settings: { timeout: 0 }, startGraceMs: 150 });
  await m2.send(' '); // held at start: already in the terminal's buffer
  await m2.advance(10_000);
  assert.deepEqual(b2.boots, []);
  await m2.quit();
});

test('the countdown waits for discovery to settle before it starts', async () => {
  const b = new FakeBackend(menuOf([DEBIAN], DEBIAN.id), false);
  const m = await startMenu({ backend: b, settings: { timeout: 2 } });
  await m.advance(10_000);
  assert.deepEqual(b.boots, []);
  assert.equal(m.lines()[22], '');
  b.settle();
  await m.advance(0);
  assert.match(m.lines()[22]!, /in 2 s/);
  await m.advance(2000);
  assert.deepEqual(b.boots, [{ id: DEBIAN.id }]);
});

test('arrows split across reads, one byte at a time, and line noise: the menu moves once per key and stays up', async () => {
  const m = await startMenu({ backend: backend() });
  await m.send('\x1b');
  await m.send('[');
  await m.send('B'); // Down, in three reads
  assert.match(m.inverse()[0]!, /2 {2}! Debian GNU\/Linux 12 \(old kernel\)/);
  await m.send('\x1b[');
  await m.send('6~'); // PgDn split
  assert.match(m.inverse()[0]!, /Power off/, 'a page down from entry 2 reaches the end');
  await m.send(Buffer.from([0xff, 0x1b, 0x5b, 0x39, 0x39, 0x39, 0x39, 0x7a, 0x00, 0x9b, 0x80, 0x1b, 0x5b, 0x3f, 0x36, 0x63]));
  await m.advance(300);
  assert.match(m.inverse()[0]!, /Power off/, 'noise moved nothing');
  assert.equal(m.lines().length, 24);
  await m.send('\x1b[H'); // Home
  assert.match(m.inverse()[0]!, /1 \* {2}Debian/);
  await m.send('\x1b[F'); // End
  assert.match(m.inverse()[0]!, /Power off/);
  await m.send('kkk');
  assert.match(m.inverse()[0]!, /4 {4}Linux \(extlinux, single user\)/);
  await m.send(UP + UP);
  assert.match(m.inverse()[0]!, /2 {2}!/);
  await m.quit();
});

test('digits jump to the numbered entry; two digits typed quickly make one number', async () => {
  const many = Array.from({ length: 12 }, (_, i) => entry(`vda2:bls:e${i + 1}`, `Entry ${i + 1}`, VDA2));
  const m = await startMenu({ backend: new FakeBackend(menuOf(many, many[0]!.id)) });
  await m.send('3');
  assert.match(m.inverse()[0]!, /3 {4}Entry 3 /);
  await m.advance(2000);
  await m.send('1');
  await m.send('2');
  assert.match(m.inverse()[0]!, /12 {4}Entry 12 /);
  assert.match(m.text(), /Entry 12/, 'the list scrolled to show it');
  await m.advance(2000);
  await m.send('9');
  await m.send('9');
  assert.match(m.inverse()[0]!, /9 {4}Entry 9 /, '99 does not exist: the last digit alone');
  await m.quit();
});

test('e edits the command line for this boot only; Enter boots with it', async () => {
  const b = backend();
  const m = await startMenu({ backend: b });
  await m.send('3'); // Linux (extlinux)
  await m.send('e');
  assert.match(m.text(), /Command line of 'Linux \(extlinux\)'/);
  assert.match(m.text(), /root=LABEL=root ro console=ttyS0,115200/);
  assert.match(m.lines()[23]!, /Enter boot {2}Esc cancel/);
  await m.send('\x05 test.edited=yes'); // Ctrl-E, then type
  assert.match(m.text(), /console=ttyS0,115200 test\.edited=yes/);
  await m.send('\x01\x0b'); // Ctrl-A, Ctrl-K: all gone
  await m.send('root=/dev/vda2 single');
  await m.send('\r');
  assert.deepEqual(b.boots, [{ id: EXT.id, cmdline: 'root=/dev/vda2 single' }]);
  await m.finished;
});

test('Esc leaves the editor without booting; editor: false refuses to edit', async () => {
  const b = backend();
  const m = await startMenu({ backend: b });
  await m.send('e');
  await m.send('xyz\x1b');
  await m.advance(300);
  assert.doesNotMatch(m.text(), /Command line of/);
  assert.match(m.lines()[18]!, /cmdline root=LABEL=root ro quiet +\|/, 'the entry is as it was');
  assert.deepEqual(b.boots, []);
  await m.quit();

  const m2 = await startMenu({ backend: backend(), settings: { editor: false } });
  await m2.send('e');
  assert.equal(m2.lines()[22], 'Editing is turned off in the settings (editor: false).');
  assert.doesNotMatch(m2.text(), /Command line of/);
  assert.doesNotMatch(m2.lines()[23]!, /e edit/);
  await m2.quit();
});

test('with a password, editing and the shell ask for it; three wrong tries make further tries wait', async () => {
  const b = backend();
  const hash = hashPassword('letmein', Buffer.from('0123456789abcdef'), 1000);
  const m = await startMenu({ backend: b, settings: { password: hash } });
  await m.send('e');
  assert.match(m.text(), /Password for the editor/);
  assert.doesNotMatch(m.text(), /Command line of/, 'no editor before the password');
  await m.send('wrong');
  assert.match(m.text(), /Password: +\*{5} /, 'typed characters are masked');
  assert.doesNotMatch(m.output.written, /wrong/, 'the password never reaches the terminal');
  await m.send('\r');
  assert.match(m.text(), /Wrong password\./);
  await m.send('wrong2\r');
  await m.send('wrong3\r');
  assert.match(m.text(), /Too many wrong tries: wait 10 s/);
  await m.send('letmein\r');
  assert.match(m.text(), /Too many wrong passwords: wait 10 s/, 'even the right password waits');
  assert.doesNotMatch(m.text(), /Command line of/);
  await m.advance(10_000);
  await m.send('letmein\r');
  assert.match(m.text(), /Command line of 'Debian GNU\/Linux 12 \(bookworm\)'/);
  await m.send('\x1b');
  await m.advance(300);
  // The shell asks again: the editor's password does not unlock it.
  await m.send('s');
  assert.match(m.text(), /Password for the shell/);
  await m.send('letmein\r');
  assert.equal(b.shells, 1);
  assert.equal(m.lines()[22], 'The rescue shell ended (status 0).');
  await m.quit();
});

test('a password that is not a hash locks editing and the shell, saying why', async () => {
  const m = await startMenu({ backend: backend(), settings: { password: 'hunter2' } });
  await m.send('e');
  assert.match(m.text(), /Locked/);
  assert.match(m.text(), /stay locked/);
  await m.quit();
});

test('a failed boot shows the kexec layer\'s sentence in a dialog; Esc returns to the list, which still works', async () => {
  const b = backend();
  b.onBoot = async () => {
    throw new BootError('vmlinuz is not a kernel this machine can start (ENOEXEC): it is for another architecture.', 'ENOEXEC');
  };
  const m = await startMenu({ backend: b });
  await m.send('\r');
  assert.match(m.text(), /Cannot boot 'Debian GNU\/Linux 12 \(bookworm\)'/);
  assert.match(m.text(), /vmlinuz is not a kernel this machine can start \(ENOEXEC\)/);
  assert.equal(m.lines()[23], 'Enter or Esc: back to the menu');
  await m.send('\x1b');
  await m.advance(300);
  assert.doesNotMatch(m.text(), /Cannot boot/);
  assert.match(m.inverse()[0]!, /1 \* {2}Debian/, 'the selection is where it was');
  await m.send(DOWN);
  assert.match(m.inverse()[0]!, /2 {2}!/);
  await m.quit();
});

test('an entry that cannot boot says why on Enter, without calling the backend', async () => {
  const b = backend();
  const m = await startMenu({ backend: b });
  await m.send('2\r');
  assert.match(m.text(), /Cannot boot 'Debian GNU\/Linux 12 \(old kernel\)'/);
  assert.match(m.text(), /is not on partition vda1/);
  assert.deepEqual(b.boots, []);
  await m.quit();
});

test('the default fails at the timeout: the next candidate boots; when both fail the menu stays with both reasons', async () => {
  const b = backend();
  b.onBoot = async (e) => {
    if (e.id === DEBIAN.id) throw new Error('The device holding vmlinuz has gone away or fails to read (EIO); reconnect it and rescan.');
    return { kind: 'dry-run', text: 'second\n' };
  };
  const m = await startMenu({ backend: b, settings: { timeout: 1 } });
  await m.advance(1000);
  assert.deepEqual(b.boots.map((x) => x.id), [DEBIAN.id, EXT.id], 'the broken entry 2 is skipped');
  assert.deepEqual(await m.finished, { kind: 'booted', outcome: { kind: 'dry-run', text: 'second\n' } });

  const b2 = backend();
  b2.onBoot = async (e) => {
    throw new Error(`${e.title} fails.`);
  };
  const m2 = await startMenu({ backend: b2, settings: { timeout: 1 } });
  await m2.advance(1000);
  assert.deepEqual(b2.boots.map((x) => x.id), [DEBIAN.id, EXT.id], 'two tries, not every entry');
  assert.match(m2.text(), /The default entries cannot boot/);
  assert.match(m2.text(), /\| 'Debian GNU\/Linux 12 \(bookworm\)': Debian GNU\/Linux 12 \(bookworm\) +\|/);
  assert.match(m2.text(), /Linux \(extlinux\) fails\./);
  await m2.advance(60_000);
  assert.equal(b2.boots.length, 2, 'and then it waits for a person');
  await m2.quit();
});

test('hot-plug: a new partition\'s entries appear in place, the selection stays on its entry; a vanished selection moves to its neighbour', async () => {
  const b = backend();
  const m = await startMenu({ backend: b });
  await m.send('3');
  const usb = entry('sdb1:extlinux:hot', 'Hot-plugged Linux', SDB1);
  b.setMenu(menuOf([DEBIAN, OLD, usb, EXT, SINGLE], DEBIAN.id), 'New: sdb1.');
  await m.advance(0);
  assert.match(m.text(), /sdb1 - vfat - USB/);
  assert.match(m.text(), /3 {4}Hot-plugged Linux/);
  assert.match(m.inverse()[0]!, /4 {4}Linux \(extlinux\)/, 'still on the same entry, now number 4');
  assert.equal(m.lines()[22], 'New: sdb1.');
  b.setMenu(menuOf([DEBIAN, OLD, usb, SINGLE], DEBIAN.id), 'Gone: vda2.');
  await m.advance(0);
  assert.match(m.inverse()[0]!, /4 {4}Linux \(extlinux, single user\)/);
  await m.quit();
});

test('disks found after the first frame: each device still being scanned is a heading; the selection goes to the default they bring unless the user moved it', async () => {
  const b = new FakeBackend(menuOf([]), false);
  b.scanningNow = ['vda1', 'vda2'];
  const m = await startMenu({ backend: b, settings: { timeout: 5 } });
  assert.match(m.text(), /vda1 - scanning\.\.\./);
  assert.match(m.text(), /vda2 - scanning\.\.\./);
  b.setMenu(menuOf([DEBIAN, OLD], DEBIAN.id), undefined, ['vda2']);
  await m.advance(0);
  assert.doesNotMatch(m.text(), /vda1 - scanning/);
  assert.match(m.text(), /vda2 - scanning\.\.\./);
  assert.match(m.inverse()[0]!, /1 \* {2}Debian GNU\/Linux 12 \(bookworm\)/, 'the default that arrived is selected');
  b.setMenu(menuOf([DEBIAN, OLD, EXT, SINGLE], DEBIAN.id), undefined, []);
  b.settle();
  await m.advance(0);
  assert.doesNotMatch(m.text(), /scanning/);
  assert.match(m.lines()[22]!, /Booting 'Debian GNU\/Linux 12 \(bookworm\)' in 5 s/);

  // Once the user has moved, a new default does not take the selection.
  const b2 = new FakeBackend(menuOf([EXT]), false);
  b2.scanningNow = ['vda1'];
  const m2 = await startMenu({ backend: b2 });
  await m2.send(DOWN);
  const moved = m2.inverse()[0]!;
  assert.match(moved, /Rescue shell/);
  b2.setMenu(menuOf([DEBIAN, EXT], DEBIAN.id), undefined, []);
  await m2.advance(0);
  assert.equal(m2.inverse()[0], moved, 'still on what the user chose');
  await m.quit();
  await m2.quit();
});

test('r rescans; the background check marks a kernel that cannot start here and shows why', async () => {
  const b = backend();
  b.checks.set(EXT.id, 'it is a kernel for arm64; this machine is x86_64');
  const m = await startMenu({ backend: b });
  await m.advance(0);
  assert.match(m.text(), /3 {2}! Linux \(extlinux\)/);
  await m.send('3');
  assert.equal(m.lines()[22], 'Cannot boot: it is a kernel for arm64; this machine is x86_64');
  assert.match(m.lines()[16]!, /cannot {2}it is a kernel for arm64/);
  await m.send('r');
  assert.equal(b.rescans, 1);
  assert.equal(m.lines()[22], 'Rescanned.');
  await m.quit();
});

test('Tab hides and shows the details; l shows the log; ? shows the keys', async () => {
  const b = backend();
  const m = await startMenu({ backend: b });
  await m.send('\t');
  assert.doesNotMatch(m.text(), /Details/);
  assert.match(m.text(), /Power off/);
  await m.send('d');
  assert.match(m.text(), /Details/);
  b.log('vda1 (vfat, label "ESP") mounted read-only at /run/kexec-menu/vda1');
  await m.send('l');
  assert.match(m.text(), /\+- Log -/);
  assert.match(m.text(), /vda1 \(vfat, label "ESP"\) mounted read-only/);
  assert.doesNotMatch(m.text(), /Details/);
  await m.send('l?');
  assert.match(m.text(), /Keys/);
  assert.match(m.text(), /e {16}edit the command line for this boot only/);
  await m.send('x');
  assert.doesNotMatch(m.text(), /\+- Keys/);
  await m.quit();
});

test('reboot and power off ask first; in a dry run they only say what they would do', async () => {
  const b = backend();
  const m = await startMenu({ backend: b });
  await m.send('\x1b[F' + UP + '\r'); // Reboot
  assert.match(m.text(), /Reboot the machine now\? Enter or y: yes, Esc or n: no\./);
  await m.send('n');
  assert.deepEqual(b.powers, []);
  await m.send('\x1b[F\r');
  await m.send('y');
  assert.deepEqual(b.powers, ['power-off']);
  assert.equal(m.lines()[22], 'Dry run: this would power-off the machine now.');
  await m.quit();
});

test('a smaller terminal loses the details pane, a resize redraws at the new size, and the selection stays visible', async () => {
  const many = Array.from({ length: 30 }, (_, i) => entry(`vda2:bls:e${i + 1}`, `Entry ${i + 1}`, VDA2));
  const m = await startMenu({ backend: new FakeBackend(menuOf(many, many[0]!.id)), columns: 60, rows: 16 });
  assert.doesNotMatch(m.text(), /Details/, 'no room for details at 16 rows');
  assert.match(m.lines()[1]!, /^\+- Boot menu {2}v -+\+$/, 'the frame says more is below');
  assert.equal(m.lines()[1]!.length, 60);
  await m.send('\x1b[F');
  assert.match(m.inverse()[0]!, /Power off/);
  m.output.resize(80, 24);
  await m.advance(0);
  const l = m.lines();
  assert.match(l[1]!, /^\+- Boot menu \^ {2}-+\+$/);
  assert.equal(l[1]!.length, 80);
  assert.match(m.text(), /Details/);
  assert.match(m.inverse()[0]!, /Power off/);
  assert.match(l[23]!, /\? help/);
  await m.quit();
});

test('with UTF-8 the frame uses box-drawing characters, never the ACS switch', async () => {
  const m = await startMenu({ backend: backend(), mode: { kind: 'full', terminal: 'linux', ascii: false } });
  assert.match(m.lines()[1]!, /^┌─ Boot menu ─+┐$/);
  assert.doesNotMatch(m.output.written, /\x1b\(0|\x0e/);
  await m.quit();
});

test('titles with control characters cannot reach the terminal as escape sequences', async () => {
  const evil = entry('vda1:bls:evil', 'Evil\x1b[2J\x1b]0;pwned\x07 title\r\n', VDA1);
  const m = await startMenu({ backend: new FakeBackend(menuOf([evil], evil.id)) });
  assert.match(m.text(), /Evil\?\[2J\?\]0;pwned\? title\?\?/);
  assert.doesNotMatch(m.output.written, /pwned\x07/);
  await m.quit();
});

test('q leaves the menu', async () => {
  const m = await startMenu({ backend: backend() });
  await m.send('q');
  assert.deepEqual(await m.finished, { kind: 'quit' });
});

test('while a boot reads the kernel and initrds, the bytes read and a gauge show; keys wait', async () => {
  const b = backend();
  const MiB = 1024 * 1024;
  let progress!: BootRequest['progress'];
  let done!: () => void;
  b.onBoot = (e, r) =>
    new Promise((resolve) => {
      progress = r.progress;
      done = () => resolve({ kind: 'dry-run', text: `plan for ${e.id}\n` });
    });
  const m = await startMenu({ backend: b });
  await m.send('\r');
  assert.match(m.text(), /Booting 'Debian GNU\/Linux 12 \(bookworm\)'/);
  progress({ file: '/vmlinuz', done: 2 * MiB, total: 8 * MiB });
  await m.advance(0);
  assert.match(m.text(), /Reading \/vmlinuz: 2\.0 MiB of 8\.0 MiB/);
  assert.match(m.text(), /25%/);
  progress({ file: '/initrd.img', done: 6 * MiB, total: 8 * MiB });
  await m.advance(0);
  assert.match(m.text(), /Reading \/initrd\.img: 6\.0 MiB of 8\.0 MiB/);
  assert.match(m.text(), /75%/);
  await m.send('jjq');
  assert.match(m.text(), /Reading \/initrd\.img/, 'keys do nothing while loading');
  done();
  assert.deepEqual(await m.finished, { kind: 'booted', outcome: { kind: 'dry-run', text: `plan for ${DEBIAN.id}\n` } });
});

test('on a colour terminal the progress is blessed-contrib\'s gauge', async () => {
  const b = backend();
  let progress!: BootRequest['progress'];
  b.onBoot = (_e, r) =>
    new Promise(() => {
      progress = r.progress;
    });
  const m = await startMenu({ backend: b, mode: { kind: 'full', terminal: 'linux', ascii: false } });
  await m.send('\r');
  const mark = m.output.written.length;
  progress({ file: '/vmlinuz', done: 1, total: 2 });
  await m.advance(0);
  assert.match(m.text(), /50%/);
  assert.doesNotMatch(m.text(), /\[#+\.+\]/, 'no character bar');
  assert.match(m.output.written.slice(mark), /\x1b\[[0-9;]*47m {10,}/, 'a bar of white cells');
});
