import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootError, errnoFromText, explainBootFailure, sentenceFor } from '../../src/kexec/errors';

const sysError = (code: string) => Object.assign(new Error(`kexec_file_load: ${code}`), { code, syscall: 'kexec_file_load' });
const ctx = { kernel: '/mnt/vda2/boot/vmlinuz-6.1.0-13-arm64', arch: 'arm64', cmdlineLength: 123, loadSize: 64 * 1024 * 1024 };

test('each errno becomes its own sentence', () => {
  const expected: Record<string, RegExp> = {
    EPERM: /refused to load vmlinuz-6\.1\.0-13-arm64 \(EPERM\): kernel lockdown or Secure Boot is on, so the kernel must be signed/,
    EKEYREJECTED: /rejected the signature of vmlinuz-6\.1\.0-13-arm64 \(EKEYREJECTED\).*must be signed/,
    ENOEXEC: /is not a kernel this machine can start \(ENOEXEC\)/,
    EBUSY: /^Cannot kexec: CPUs are stuck in the kernel \(EBUSY\), because without PSCI firmware the secondary CPUs cannot be parked; add nr_cpus=1 to the running kernel's command line\.$/,
    ENOMEM: /Not enough memory to load vmlinuz-6\.1\.0-13-arm64 with its initrd \(64\.0 MiB\) \(ENOMEM\)/,
    EINVAL: /rejected vmlinuz-6\.1\.0-13-arm64 or its arguments as invalid \(EINVAL\); the command line is 123 bytes/,
    ENOSYS: /cannot load another kernel \(ENOSYS\): it was built without CONFIG_KEXEC_FILE/,
    ENOENT: /is missing \(ENOENT\)/,
    EACCES: /cannot be read \(EACCES/,
    EIO: /has gone away or fails to read \(EIO\)/,
    ENODEV: /has gone away/,
  };
  const seen = new Set<string>();
  for (const [code, re] of Object.entries(expected)) {
    const s = explainBootFailure(sysError(code), ctx);
    assert.match(s, re, code);
    assert.ok(s.endsWith('.'), `one sentence: ${s}`);
    seen.add(s);
  }
  assert.equal(seen.size, Object.keys(expected).length, 'no two errnos share a sentence');
});

test('the same errno means different things by context', () => {
  assert.match(sentenceFor('EBUSY', { arch: 'x86_64' }), /busy with another kexec/);
  assert.match(sentenceFor('EPERM', { isRoot: false }), /needs root/);
  assert.match(sentenceFor('ENOSYS', { method: 'kexec-tools' }), /without CONFIG_KEXEC\.$/);
  assert.equal(
    explainBootFailure(Object.assign(new Error('x'), { code: 'ENOENT', path: '/mnt/sda1/initrd.img' }), { stage: 'read' }),
    '/mnt/sda1/initrd.img is missing (ENOENT).',
  );
  assert.equal(explainBootFailure(new BootError('Own sentence.', 'EBUSY'), ctx), 'Own sentence.');
});

test('kexec-tools\' own messages map back to the errno', () => {
  // The exact lines kexec-tools prints (kexec/kexec.c and kexec/arch/arm64/kexec-arm64.c).
  assert.equal(errnoFromText("Can't kexec: CPUs are stuck in the kernel.\nkexec_load failed: Device or resource busy\n"), 'EBUSY');
  assert.equal(errnoFromText('kexec_file_load failed: Operation not permitted'), 'EPERM');
  assert.equal(errnoFromText('kexec_load failed: Cannot allocate memory'), 'ENOMEM');
  assert.equal(errnoFromText('Cannot determine the file type of /tmp/x'), undefined);
  const s = explainBootFailure(new Error('kexec exited 255'), { ...ctx, output: 'kexec_load failed: Device or resource busy' });
  assert.match(s, /CPUs are stuck/);
});
