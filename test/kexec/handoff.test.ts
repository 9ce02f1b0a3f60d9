import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BootError } from '../../src/kexec/errors';
import { cancelBoot, detectInit, handOverDirect, handOverInit } from '../../src/kexec/handoff';
import type { KexecLoader } from '../../src/kexec/loader';

function recorder(reboot: () => void = () => {}) {
  const calls: string[] = [];
  return {
    calls,
    sys: {
      sync: () => calls.push('sync'),
      reboot: (how: 'kexec') => {
        calls.push(`reboot ${how}`);
        reboot();
      },
    },
    unmountAll: async () => {
      calls.push('unmount');
      return ['/mnt/sdb1'];
    },
  };
}

test('direct: sync, unmount, sync, reboot(KEXEC) — in that order; a refused reboot is a sentence', async () => {
  const r = recorder(() => {
    throw Object.assign(new Error('reboot: EPERM'), { code: 'EPERM', syscall: 'reboot' });
  });
  const log: string[] = [];
  await assert.rejects(handOverDirect({ sys: r.sys, unmountAll: r.unmountAll, log: (l) => log.push(l) }), (e: unknown) => e instanceof BootError && e.code === 'EPERM');
  assert.deepEqual(r.calls, ['sync', 'unmount', 'sync', 'reboot kexec']);
  assert.ok(log[0]!.includes('/mnt/sdb1'), 'what stayed mounted is logged');
  // reboot(2) returning at all means nothing was started.
  const back = recorder();
  await assert.rejects(handOverDirect({ sys: back.sys, unmountAll: back.unmountAll }), /returned without starting the loaded kernel/);
});

test('init: systemd, BusyBox with and without a restart action, anything else', async () => {
  const root = mkdtempSync(join(tmpdir(), 'kexec-init-'));
  try {
    assert.deepEqual(detectInit(root), { kind: 'other', name: 'unknown' });
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/inittab'), '::sysinit:/etc/init.d/rcS\nttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n# ::restart:/sbin/init\n');
    assert.deepEqual(detectInit(root), { kind: 'busybox', restart: false });
    writeFileSync(join(root, 'etc/inittab'), '::sysinit:/etc/init.d/rcS\nnull::restart:/usr/sbin/kexec -f -e\n');
    assert.deepEqual(detectInit(root), { kind: 'busybox', restart: true });
    mkdirSync(join(root, 'run/systemd/system'), { recursive: true });
    assert.deepEqual(detectInit(root), { kind: 'systemd' });

    const signals: string[] = [];
    const signalInit = (s: NodeJS.Signals) => void signals.push(s);
    await handOverInit({ init: { kind: 'busybox', restart: true }, signalInit });
    assert.deepEqual(signals, ['SIGQUIT']);
    await assert.rejects(handOverInit({ init: { kind: 'busybox', restart: false }, signalInit }), /no restart action in \/etc\/inittab.*::restart:\/usr\/sbin\/kexec -e/);
    await assert.rejects(handOverInit({ init: { kind: 'other', name: '/sbin/runit' }, signalInit }), /\(\/sbin\/runit\) is neither systemd nor BusyBox init/);
    assert.deepEqual(signals, ['SIGQUIT'], 'no signal sent when refusing');

    // systemctl stands in for itself: a script recording its argument.
    const systemctl = join(root, 'systemctl');
    writeFileSync(systemctl, `#!/bin/sh\necho "$@" > ${root}/systemctl.args\n[ "$FAIL" = 1 ] && { echo "Failed to execute kexec: no kernel loaded" >&2; exit 1; }\nexit 0\n`);
    chmodSync(systemctl, 0o755);
    await handOverInit({ init: { kind: 'systemd' }, signalInit, systemctl });
    process.env.FAIL = '1';
    await assert.rejects(handOverInit({ init: { kind: 'systemd' }, signalInit, systemctl }), /systemctl kexec failed \(status 1\): Failed to execute kexec: no kernel loaded\./);
    delete process.env.FAIL;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('cancel unloads; a failing unload is reported, not thrown', async () => {
  let unloaded = 0;
  const ok: KexecLoader = { method: 'kexec_file_load', load: async () => {}, unload: async () => void unloaded++ };
  assert.equal(await cancelBoot(ok), undefined);
  assert.equal(unloaded, 1);
  const bad: KexecLoader = { ...ok, unload: async () => { throw Object.assign(new Error('x'), { code: 'EBUSY' }); } };
  assert.match((await cancelBoot(bad))!, /EBUSY/);
});
