// Menus on two console ports of one machine (an inittab line each) share the countdown and
// the boot through a folder: a key on either stops both countdowns, and only one boots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { folderShare } from '../../src/ui/console-share';
import { endedProcessId } from '../ended-process';
import { FakeBackend, VDA1, entry, menuOf, startMenu } from './harness';

let top: string;
before(() => {
  top = mkdtempSync(join(tmpdir(), 'kexec-menu-consoles-'));
});
after(() => rmSync(top, { recursive: true, force: true }));

let n = 0;
const freshDir = () => join(top, `share${n++}`);
/** Two live processes stand for the two menus: this one and its parent. */
const PID_A = process.pid;
const PID_B = process.ppid;
/** A process that has ended. */
test('folderShare: a key is seen by the other console only; one boot claim at a time; a dead claimant is taken over', () => {
  const dir = freshDir();
  const a = folderShare(dir, 'ttyS0', PID_A);
  const b = folderShare(dir, 'tty1', PID_B);
  assert.equal(a.elsewhere(), undefined);
  assert.equal(b.elsewhere(), undefined);
  a.keyPressed();
  assert.equal(a.elsewhere(), undefined, 'its own key does not stop it twice');
  assert.equal(b.elsewhere(), 'a key was pressed on ttyS0.');
  b.keyPressed();
  assert.equal(readFileSync(join(dir, 'key'), 'utf8'), 'ttyS0', 'the first key is the one told');

  assert.equal(a.claimBoot('Debian GNU/Linux'), undefined);
  assert.equal(b.claimBoot('Fedora Linux'), "'Debian GNU/Linux' is already booting on ttyS0.");
  assert.equal(b.elsewhere(), "'Debian GNU/Linux' is booting on ttyS0.");
  a.releaseBoot();
  assert.equal(b.claimBoot('Fedora Linux'), undefined, 'after a failed boot the other console may boot');
  b.releaseBoot();

  writeFileSync(join(dir, 'boot'), `${endedProcessId()} ttyS1 Old entry`);
  assert.equal(a.claimBoot('Debian GNU/Linux'), undefined, 'a claim whose process is gone is stale');
  assert.match(readFileSync(join(dir, 'boot'), 'utf8'), new RegExp(`^${PID_A} ttyS0 Debian`));
});

test('folderShare: a folder that cannot be written leaves the menu working alone', () => {
  const file = join(top, 'not-a-folder');
  writeFileSync(file, '');
  const a = folderShare(join(file, 'share'), 'ttyS0', PID_A);
  a.keyPressed();
  assert.equal(a.claimBoot('Debian'), undefined);
  assert.equal(a.elsewhere(), undefined);
});

const DEBIAN = entry('vda1:bls:debian', 'Debian GNU/Linux 12 (bookworm)', VDA1, { isDefault: true });
const RESCUE = entry('vda1:bls:rescue', 'Debian rescue', VDA1);

test('two menus: a key on one stops the other\'s countdown within a second; while one boots, the other refuses to', async () => {
  const dir = freshDir();
  const serial = new FakeBackend(menuOf([DEBIAN, RESCUE], DEBIAN.id));
  const screen = new FakeBackend(menuOf([DEBIAN, RESCUE], DEBIAN.id));
  const onSerial = await startMenu({ backend: serial, settings: { timeout: 5 }, share: folderShare(dir, 'ttyS0', PID_A) });
  const onScreen = await startMenu({ backend: screen, settings: { timeout: 5 }, share: folderShare(dir, 'tty1', PID_B) });
  assert.match(onScreen.lines()[22]!, /in 5 s/);
  await onSerial.send('\x1b[B'); // the person at the serial port moves to the rescue entry
  await onScreen.advance(1000);
  assert.equal(onScreen.lines()[22], 'Countdown stopped: a key was pressed on ttyS0.');
  await onScreen.advance(10_000);
  await onSerial.advance(10_000);
  assert.deepEqual(screen.boots, [], 'the screen\'s countdown did not boot');
  assert.deepEqual(serial.boots, [], 'nor the serial one');

  // The serial console boots; its boot is slow (reading a kernel from a slow disk).
  let done: (() => void) | undefined;
  serial.onBoot = () => new Promise((resolve) => (done = () => resolve({ kind: 'dry-run', text: 'plan\n' })));
  await onSerial.send('\r');
  assert.deepEqual(serial.boots, [{ id: RESCUE.id }]);
  await onScreen.send('\r');
  assert.deepEqual(screen.boots, [], 'the screen did not start a second boot');
  assert.match(onScreen.text(), /'Debian rescue' is already booting on ttyS0\./);
  done!();
  await onSerial.finished;
  await onScreen.quit();
});

test('two menus: nobody presses a key: exactly one boots the default at the timeout', async () => {
  const dir = freshDir();
  const a = new FakeBackend(menuOf([DEBIAN, RESCUE], DEBIAN.id));
  const b = new FakeBackend(menuOf([DEBIAN, RESCUE], DEBIAN.id));
  let done: (() => void) | undefined;
  a.onBoot = () => new Promise((resolve) => (done = () => resolve({ kind: 'dry-run', text: 'plan\n' })));
  const onA = await startMenu({ backend: a, settings: { timeout: 3 }, share: folderShare(dir, 'ttyS0', PID_A) });
  const onB = await startMenu({ backend: b, settings: { timeout: 3 }, share: folderShare(dir, 'tty1', PID_B) });
  await onA.advance(3000);
  assert.deepEqual(a.boots, [{ id: DEBIAN.id }]);
  await onB.advance(3000);
  assert.deepEqual(b.boots, [], 'the second console saw the boot under way and stood back');
  assert.match(onB.lines()[22]!, /Countdown stopped: 'Debian GNU\/Linux 12 \(bookworm\)' is booting on ttyS0\./);
  done!();
  await onA.finished;
  await onB.quit();
});
