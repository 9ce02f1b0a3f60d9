// The password's back-off outlives the menu: kept in a file of the consoles folder on /run,
// shared by every console's menu, so `q` (or a crash) and init's respawn give no free tries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashPassword } from '../../src/ui/password';
import { PasswordGate } from '../../src/ui/password-gate';
import { fileBackoff, parseBackoff } from '../../src/ui/password-backoff';
import { ManualClock } from './harness';
import { runCliMenu } from './cli-menu';

const HASH = hashPassword('right', Buffer.from('0123456789abcdef'), 1000);

function withDir(fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-backoff-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const gateOn = (file: string, clock: ManualClock, verify?: ConstructorParameters<typeof PasswordGate>[2]) => new PasswordGate(HASH, clock, verify, fileBackoff(file));

test('three wrong tries, then the menu ends and starts again: the new one still waits; the right password then resets the count', withDir((dir) => {
  const file = join(dir, 'consoles', 'password');
  const clock = new ManualClock();
  const first = gateOn(file, clock);
  for (const wrong of ['a', 'b']) assert.deepEqual(first.attempt(wrong), { kind: 'wrong', waitMs: 0 });
  assert.deepEqual(first.attempt('c'), { kind: 'wrong', waitMs: 10_000 });
  // `q`, and init starts a new menu: a new gate on the same file.
  const respawned = gateOn(file, clock);
  assert.deepEqual(respawned.attempt('right'), { kind: 'locked', waitMs: 10_000 }, 'no free try after a respawn');
  clock.advance(10_000);
  assert.deepEqual(respawned.attempt('d'), { kind: 'wrong', waitMs: 20_000 }, 'the count went on: the fourth wrong try waits twice as long');
  clock.advance(20_000);
  assert.deepEqual(respawned.attempt('right'), { kind: 'ok' });
  assert.deepEqual(parseBackoff(readFileSync(file, 'utf8')), { failures: 0, notBefore: 0 });
  assert.deepEqual(readdirSync(join(dir, 'consoles')), ['password'], 'no lock or temporary file left behind');
}));

test('two consoles share one count: their wrong tries add up, and a wait on one holds on the other', withDir((dir) => {
  const file = join(dir, 'password');
  const clock = new ManualClock();
  const [ttyS0, ttyS1] = [gateOn(file, clock), gateOn(file, clock)];
  ttyS0.attempt('a');
  ttyS1.attempt('b');
  assert.deepEqual(ttyS0.attempt('c'), { kind: 'wrong', waitMs: 10_000 });
  assert.deepEqual(ttyS1.attempt('right'), { kind: 'locked', waitMs: 10_000 });
  assert.equal(ttyS1.waitMs(), 10_000);
}));

test('a try is counted before the hash is checked: a menu stopped during the check has spent it', withDir((dir) => {
  const file = join(dir, 'password');
  const clock = new ManualClock();
  const dies = gateOn(file, clock, () => {
    throw new Error('killed during the check');
  });
  for (let i = 0; i < 3; i++) assert.throws(() => dies.attempt('guess'), /killed/);
  assert.deepEqual(gateOn(file, clock).attempt('right'), { kind: 'locked', waitMs: 10_000 });
}));

test('a damaged state counts as every free try spent; a clock set back waits at most the longest delay', withDir((dir) => {
  const file = join(dir, 'password');
  const clock = new ManualClock();
  writeFileSync(file, '{"failures":');
  assert.deepEqual(gateOn(file, clock).attempt('x'), { kind: 'wrong', waitMs: 20_000 }, 'damaged: the next wrong try already waits');
  writeFileSync(file, JSON.stringify({ failures: 9, notBefore: clock.now() + 86_400_000 }));
  const gate = gateOn(file, clock);
  assert.equal(gate.waitMs(), 300_000, 'a day ahead (the clock went back) is five minutes from now');
  assert.deepEqual(gate.attempt('right'), { kind: 'locked', waitMs: 300_000 });
  clock.advance(300_000);
  assert.deepEqual(gate.attempt('right'), { kind: 'ok' }, 'and it does end');
}));

test('a state another live process holds locked, or a folder that cannot be written: the try is refused, not taken for free', withDir((dir) => {
  const file = join(dir, 'password');
  writeFileSync(`${file}.lock`, `${process.ppid} password`);
  const r = gateOn(file, new ManualClock()).attempt('right');
  assert.equal(r.kind, 'refused');
  assert.match(r.kind === 'refused' ? r.reason : '', /cannot be kept .*locked by process \d+/);
  writeFileSync(`${file}.lock`, '999999999 password'); // its process has ended: taken over
  assert.deepEqual(gateOn(file, new ManualClock()).attempt('right'), { kind: 'ok' });
  writeFileSync(join(dir, 'plain-file'), '');
  assert.equal(gateOn(join(dir, 'plain-file', 'password'), new ManualClock()).attempt('right').kind, 'refused');
}));

test('kexec-menu menu --consoles DIR: the back-off survives `q` and the next menu on the same folder (as init respawns it)', withDir(async (dir) => {
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `timeout: -1\ndry-run: true\npassword: "${HASH}"\n`);
  const argv = ['--config', config, '--root', resolve('samples/debian-boot'), '--consoles', join(dir, 'consoles')];
  const CHOICE = /Choice [^\n]*: $/;
  const PASSWORD = /Password [^\n]*: $/;
  const first = await runCliMenu(argv, [[CHOICE, 's'], [PASSWORD, 'a'], [PASSWORD, 'b'], [PASSWORD, 'c'], [/wait 10 s\.\nPassword [^\n]*: $/, ''], [CHOICE, 'q']]);
  assert.match(first, /Wrong password\. Too many wrong tries: wait 10 s\./);
  const second = await runCliMenu(argv, [[CHOICE, 's'], [PASSWORD, 'right'], [PASSWORD, ''], [CHOICE, 'q']]);
  assert.match(second, /Too many wrong passwords: wait \d+ s\./, 'the respawned menu remembers');
  assert.doesNotMatch(second, /this would start a rescue shell/, 'no shell without the wait');
  assert.equal(parseBackoff(readFileSync(join(dir, 'consoles', 'password'), 'utf8')).failures, 3);
}));
