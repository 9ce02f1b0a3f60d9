import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PasswordGate } from '../../src/ui/password-gate';
import { ab64Decode, ab64Encode, hashPassword, hmacSha256, parsePasswordHash, pbkdf2Sha256, sha256, verifyPassword } from '../../src/ui/password';
import { ManualClock } from './harness';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('SHA-256 equals node:crypto at every length around the block and padding boundaries', () => {
  for (let n = 0; n <= 200; n++) {
    const data = Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff));
    assert.equal(hex(sha256(data)), createHash('sha256').update(data).digest('hex'), `length ${n}`);
  }
  assert.equal(hex(sha256(Buffer.alloc(1_000_000, 0x61))), createHash('sha256').update(Buffer.alloc(1_000_000, 0x61)).digest('hex'));
  // FIPS 180-4 example.
  assert.equal(hex(sha256(Buffer.from('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('HMAC-SHA256 equals node:crypto, with short, block-sized and long keys', () => {
  for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
    const key = Buffer.alloc(keyLength, 0x0b + keyLength);
    const data = Buffer.from(`message for key ${keyLength}`);
    assert.equal(hex(hmacSha256(key, data)), createHmac('sha256', key).update(data).digest('hex'), `key ${keyLength}`);
  }
});

test('PBKDF2-HMAC-SHA256 equals node:crypto for several rounds, salts and lengths (incl. RFC 7914 vectors)', () => {
  const cases: [string, string, number, number][] = [
    ['passwd', 'salt', 1, 64],
    ['Password', 'NaCl', 80000, 64],
    ['', '', 2, 32],
    ['pässwörd', 'x'.repeat(100), 1000, 33],
    ['p'.repeat(100), 'salt', 29000, 32],
  ];
  for (const [pw, salt, rounds, length] of cases) {
    const ours = pbkdf2Sha256(Buffer.from(pw), Buffer.from(salt), rounds, length);
    assert.equal(hex(ours), pbkdf2Sync(pw, salt, rounds, length, 'sha256').toString('hex'), `${pw}/${salt}/${rounds}/${length}`);
  }
  assert.equal(
    hex(pbkdf2Sha256(Buffer.from('passwd'), Buffer.from('salt'), 1, 64)),
    '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
  );
});

test('the hash format: made and checked, wrong passwords refused, damaged hashes named', () => {
  const salt = Buffer.from('0123456789abcdef');
  const h = hashPassword('s3cret', salt, 1000);
  assert.match(h, /^\$pbkdf2-sha256\$1000\$[A-Za-z0-9./]+\$[A-Za-z0-9./]{43}$/);
  const parsed = parsePasswordHash(h);
  assert.ok(typeof parsed !== 'string');
  assert.equal(verifyPassword('s3cret', parsed), true);
  assert.equal(verifyPassword('s3cret ', parsed), false);
  assert.equal(verifyPassword('', parsed), false);
  assert.match(parsePasswordHash('s3cret') as string, /not a '\$pbkdf2-sha256/);
  assert.match(parsePasswordHash('$pbkdf2-sha256$0$c2FsdA$' + 'A'.repeat(43)) as string, /0 rounds/);
  assert.match(parsePasswordHash('$pbkdf2-sha256$1000$c2FsdA$AAAA') as string, /damaged/);
  for (const n of [0, 1, 2, 3, 16, 17, 32]) {
    const b = Buffer.from(Array.from({ length: n }, (_, i) => (i * 97) & 0xff));
    assert.equal(hex(ab64Decode(ab64Encode(b))!), b.toString('hex'));
  }
});

const PYTHON = '/usr/bin/python3';
const passlib = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import passlib'], { timeout: 30_000 }).status === 0;

test('passlib (python3-passlib) verifies our hashes, and we verify passlib\'s', () => {
  assert.ok(passlib, 'python3-passlib is installed (.ci/apt-packages; npm test installs it)');
  const ours = hashPassword('correct horse', Buffer.from('kexec-menu-salt!'), 29000);
  const script = [
    'import sys',
    'from passlib.hash import pbkdf2_sha256 as h',
    'print(h.verify("correct horse", sys.argv[1]), h.verify("wrong", sys.argv[1]))',
    'print(h.using(rounds=2000).hash("from passlib"))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script, ours], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const [verdicts, theirs] = r.stdout.trim().split('\n');
  assert.equal(verdicts, 'True False');
  const parsed = parsePasswordHash(theirs!);
  assert.ok(typeof parsed !== 'string', String(parsed));
  assert.equal(verifyPassword('from passlib', parsed), true);
  assert.equal(verifyPassword('from passlib!', parsed), false);
});

test('three wrong tries, then each try waits, longer each time; the right password resets it', () => {
  const clock = new ManualClock();
  const gate = new PasswordGate(hashPassword('pw', Buffer.from('salt'), 1000), clock);
  assert.equal(gate.required, true);
  assert.deepEqual(gate.attempt('a'), { kind: 'wrong', waitMs: 0 });
  assert.deepEqual(gate.attempt('b'), { kind: 'wrong', waitMs: 0 });
  assert.deepEqual(gate.attempt('c'), { kind: 'wrong', waitMs: 10_000 });
  assert.deepEqual(gate.attempt('pw'), { kind: 'locked', waitMs: 10_000 }, 'even the right one waits');
  clock.advance(9_999);
  assert.equal(gate.attempt('pw').kind, 'locked');
  clock.advance(1);
  assert.deepEqual(gate.attempt('d'), { kind: 'wrong', waitMs: 20_000 });
  clock.advance(20_000);
  assert.deepEqual(gate.attempt('pw'), { kind: 'ok' });
  assert.deepEqual(gate.attempt('e'), { kind: 'wrong', waitMs: 0 });
});

test('no password: nothing asked; a damaged hash locks (fails closed) and says why', () => {
  const clock = new ManualClock();
  assert.equal(new PasswordGate(undefined, clock).required, false);
  const bad = new PasswordGate('hunter2', clock);
  assert.equal(bad.required, true);
  assert.match(bad.problem!, /not a '\$pbkdf2-sha256.*stay locked/);
  assert.equal(bad.attempt('hunter2').kind, 'wrong', 'the clear-text password in the settings is not accepted');
});

test('kexec-menu passwd prints a hash the menu accepts; rejects arguments and empty passwords', () => {
  const cli = resolve('build/src/cli.js');
  const r = spawnSync(process.execPath, [cli, 'passwd', '--rounds', '2000'], { input: 'open sesame\n', encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const parsed = parsePasswordHash(r.stdout.trim());
  assert.ok(typeof parsed !== 'string');
  assert.equal(parsed.rounds, 2000);
  assert.equal(parsed.salt.length, 16);
  assert.equal(verifyPassword('open sesame', parsed), true);
  const again = spawnSync(process.execPath, [cli, 'passwd', '--rounds', '2000'], { input: 'open sesame\n', encoding: 'utf8', timeout: 30_000 });
  assert.notEqual(again.stdout, r.stdout, 'a fresh salt each time');
  assert.equal(spawnSync(process.execPath, [cli, 'passwd', 'secret'], { encoding: 'utf8' }).status, 2);
  const empty = spawnSync(process.execPath, [cli, 'passwd'], { input: '\n', encoding: 'utf8' });
  assert.equal(empty.status, 1);
  assert.equal(empty.stdout, '');
});
