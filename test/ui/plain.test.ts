// TERM unset or `dumb`: the numbered prompt instead of the full screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { terminalMode } from '../../src/ui/run';
import { hashPassword } from '../../src/ui/password';
import { FakeBackend, VDA1, VDA2, entry, menuOf, startMenu } from './harness';

const A = entry('vda1:bls:a', 'Debian GNU/Linux', VDA1, { isDefault: true });
const B = entry('vda2:extlinux:b', 'Linux (extlinux)', VDA2, { cmdline: 'root=LABEL=root ro' });
const BROKEN = entry('vda2:extlinux:c', 'Gone kernel', VDA2, { resolution: { ok: false, reason: 'kernel /old is not on partition vda2' } });
const PLAIN = { kind: 'plain', ascii: true } as const;

const backend = () => new FakeBackend(menuOf([A, B, BROKEN], A.id));
/** What was printed, as lines (the plain menu writes CR LF). */
const printed = (m: { output: { written: string } }) => m.output.written.replace(/\r\n/g, '\n');

test('full screen for named terminals; the prompt when TERM is unset or dumb; ASCII without a UTF-8 locale', () => {
  assert.deepEqual(terminalMode({ TERM: 'vt100' }, false), { kind: 'full', terminal: 'vt100', ascii: true });
  assert.deepEqual(terminalMode({ TERM: 'linux', LANG: 'C.UTF-8' }, false), { kind: 'full', terminal: 'linux', ascii: false });
  assert.deepEqual(terminalMode({ TERM: 'xterm-256color', LANG: 'en_US.UTF-8', LC_ALL: 'C' }, false), { kind: 'full', terminal: 'xterm-256color', ascii: true }, 'LC_ALL wins');
  assert.deepEqual(terminalMode({ TERM: 'xterm', LC_CTYPE: 'de_DE.utf8' }, true), { kind: 'full', terminal: 'xterm', ascii: true }, 'the settings may force ASCII');
  assert.deepEqual(terminalMode({}, false), { kind: 'plain', ascii: true });
  assert.deepEqual(terminalMode({ TERM: 'dumb', LANG: 'C.UTF-8' }, false), { kind: 'plain', ascii: false });
});

test('the numbered list with marks and reasons, the countdown said once, a number and Enter boots that entry', async () => {
  const b = backend();
  const m = await startMenu({ backend: b, mode: PLAIN, settings: { timeout: 5 } });
  const out = printed(m);
  assert.match(out, /kexec-menu 9\.9\.9 on QEMU Standard PC/);
  assert.match(out, / {4}1\. \* Debian GNU\/Linux\n/);
  assert.match(out, / {4}2\. {3}Linux \(extlinux\)\n/);
  assert.match(out, / {4}3\. ! Gone kernel \(cannot boot: kernel \/old is not on partition vda2\)\n/);
  assert.match(out, / {7}s {2}Rescue shell\n/);
  assert.match(out, /Booting 'Debian GNU\/Linux' in 5 s - press Enter to stop/);
  assert.doesNotMatch(out, /\x1b/, 'no escape sequences at all');
  await m.advance(1000);
  assert.equal((printed(m).match(/Booting 'Debian/g) ?? []).length, 1, 'not repeated every second');
  await m.send('2');
  await m.advance(10_000);
  assert.deepEqual(b.boots, [], 'typing stopped the countdown');
  await m.send('\n');
  assert.deepEqual(b.boots, [{ id: B.id }]);
  assert.deepEqual(await m.finished, { kind: 'booted', outcome: { kind: 'dry-run', text: `plan for ${B.id}\n` } });
});

test('e N edits entry N\'s command line: +WORDS appends, a new line replaces; the password is asked first', async () => {
  const b = backend();
  const hash = hashPassword('pw', Buffer.from('saltsalt'), 1000);
  const m = await startMenu({ backend: b, mode: PLAIN, settings: { password: hash } });
  await m.send('e 2\n');
  assert.match(printed(m), /Password \(empty line cancels\): $/);
  await m.send('nope\n');
  assert.match(printed(m), /Wrong password\./);
  await m.send('pw\n');
  assert.match(printed(m), /Command line of 'Linux \(extlinux\)' \(this boot only\):\n {2}root=LABEL=root ro\n/);
  await m.send('+ single\n');
  assert.deepEqual(b.boots, [{ id: B.id, cmdline: 'root=LABEL=root ro single' }]);
  assert.doesNotMatch(printed(m), /nope|pw\n/, 'passwords are not echoed');
});

test('a failed boot prints the sentence and the prompt comes back; unknown input is said to be unknown', async () => {
  const b = backend();
  b.onBoot = async () => {
    throw new Error('The running kernel cannot load another kernel (ENOSYS).');
  };
  const m = await startMenu({ backend: b, mode: PLAIN });
  await m.send('1\n');
  assert.match(printed(m), /Cannot boot 'Debian GNU\/Linux': The running kernel cannot load another kernel \(ENOSYS\)\.\n\[Enter\] $/);
  await m.send('\n');
  await m.send('banana\n');
  assert.match(printed(m), /Unknown choice 'banana'\./);
  await m.send('q\n');
  assert.deepEqual(await m.finished, { kind: 'quit' });
});

test('the password prompt on a terminal: one * for each key, the prompt said once for each try; an empty line cancels', async () => {
  const b = backend();
  const hash = hashPassword('pw', Buffer.from('saltsalt'), 1000);
  const m = await startMenu({ backend: b, mode: PLAIN, settings: { password: hash }, tty: true });
  await m.send('s\r');
  const start = m.output.written.length;
  await m.send('nope');
  assert.equal(m.output.written.slice(start), '****', 'each key shows as one *, and nothing else is written');
  await m.send('\x7f');
  assert.equal(m.output.written.slice(start), '****\b \b', 'Backspace takes one * back');
  await m.send('\r');
  const tried = m.output.written.slice(start).replace(/\r\n/g, '\n');
  assert.equal((tried.match(/Password/g) ?? []).length, 1, `one new prompt after the try, not one a key:\n${tried}`);
  assert.equal(tried, '****\b \b\n\nWrong password.\nPassword (empty line cancels): ');
  await m.send('\r');
  assert.match(printed(m), /Choice \(number, e N edit, s shell, r rescan, \? help, q quit\): $/, 'an empty line leaves the password prompt');
  assert.equal(b.shells, 0);
  assert.doesNotMatch(printed(m), /nop/, 'the password never reaches the terminal');
  await m.send('s\rpw\r');
  assert.equal(b.shells, 1);
  await m.send('q\r');
  assert.deepEqual(await m.finished, { kind: 'quit' });
});

test('an entry whose files are on another disk than its config: marked #, and a number boots it only after the password', async () => {
  const stick = entry('sdb1:yaml:shell', 'Root shell', VDA2, { needsPassword: 'kernel /vmlinuz is on vda2, another disk than its config\'s partition sdb1' });
  const b = new FakeBackend(menuOf([A, stick], A.id));
  const hash = hashPassword('pw', Buffer.from('saltsalt'), 1000);
  const m = await startMenu({ backend: b, mode: PLAIN, settings: { password: hash } });
  assert.match(printed(m), / {4}2\. # Root shell \(boots with the password\)\n/);
  await m.send('2\n');
  assert.match(printed(m), /Password \(empty line cancels\): $/);
  assert.deepEqual(b.boots, []);
  await m.send('nope\n');
  assert.deepEqual(b.boots, [], 'a wrong password boots nothing');
  await m.send('pw\n');
  assert.deepEqual(b.boots, [{ id: stick.id }]);
});
