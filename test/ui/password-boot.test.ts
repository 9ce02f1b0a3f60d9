// An entry that needs the password (its config names files of another disk: entries/scan/trust.ts)
// on the full screen: marked, explained, booted by Enter only after the password, never by the countdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/ui/password';
import { FakeBackend, SDB1, VDA1, entry, menuOf, startMenu } from './harness';

const HASH = hashPassword('letmein', Buffer.from('0123456789abcdef'), 1000);
const WHY = "kernel /vmlinuz is on vda2, another disk than its config's partition sdb1; the settings do not trust sdb1 (trusted:)";
const OWN = entry('vda1:bls:debian', 'Debian GNU/Linux 12', VDA1, { isDefault: true });
const STICK = entry('sdb1:yaml:shell', 'Root shell', SDB1, { needsPassword: WHY, notes: [`Boots only with the password: ${WHY}.`] });

test('marked # with the reason; Enter asks the password first, a wrong one boots nothing, the right one boots it as it is', async () => {
  const b = new FakeBackend(menuOf([OWN, STICK], OWN.id));
  const m = await startMenu({ backend: b, settings: { password: HASH } });
  assert.match(m.text(), /\| {3}2 {2}# Root shell +\|/);
  await m.send('2');
  assert.match(m.lines()[22]!, /^Boots only with the password: kernel \/vmlinuz is on vda2/, 'the status line says why');
  assert.match(m.text(), /note +Boots only with the password/);
  await m.send('\r');
  assert.match(m.text(), /Password to boot this entry/);
  assert.deepEqual(b.boots, []);
  await m.send('nope\r');
  assert.match(m.text(), /Wrong password\./);
  assert.deepEqual(b.boots, []);
  await m.send('letmein\r');
  assert.deepEqual(b.boots, [{ id: STICK.id }], 'booted with its own command line, not an edited one');
  assert.deepEqual(await m.finished, { kind: 'booted', outcome: { kind: 'dry-run', text: `plan for ${STICK.id}\n` } });
});

test('Esc at the prompt goes back without booting; entries of the machine\'s own disk boot at Enter as before', async () => {
  const b = new FakeBackend(menuOf([OWN, STICK], OWN.id));
  const m = await startMenu({ backend: b, settings: { password: HASH } });
  await m.send('2\r');
  await m.send('\x1b');
  await m.advance(300);
  assert.doesNotMatch(m.text(), /Password to boot/);
  assert.deepEqual(b.boots, []);
  await m.send('1\r');
  assert.deepEqual(b.boots, [{ id: OWN.id }]);
});

test('the countdown never boots it, even when it is all there is or the menu calls it the default', async () => {
  const alone = new FakeBackend({ ...menuOf([STICK], STICK.id), timeout: 2 });
  const m = await startMenu({ backend: alone, settings: { password: HASH, timeout: 2 } });
  await m.advance(60_000);
  assert.deepEqual(alone.boots, []);
  assert.doesNotMatch(m.text(), /Booting '/);
  await m.quit();

  const both = new FakeBackend(menuOf([STICK, OWN], STICK.id));
  const m2 = await startMenu({ backend: both, settings: { password: HASH, timeout: 2 } });
  await m2.advance(60_000);
  assert.deepEqual(both.boots, [{ id: OWN.id }], 'the next candidate, not the entry that needs the password');
});

test('a password that is not a hash: such an entry does not boot at all (failing closed)', async () => {
  const b = new FakeBackend(menuOf([OWN, STICK], OWN.id));
  const m = await startMenu({ backend: b, settings: { password: 'hunter2' } });
  await m.send('2\r');
  assert.match(m.text(), /Locked/);
  assert.deepEqual(b.boots, []);
  await m.quit();
});
