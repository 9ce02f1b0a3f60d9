// The network's first round (src/net/provider.ts), which the countdown waits for when its
// default may come from a boot server: over when every interface has its lease looked up or
// has given up, and in any case at its bound; then the menu end to end (no disks, the real
// SystemBackend and MenuController): the status line says what it waits for, the boot
// server's entry arrives, the countdown runs and boots it. Waits are for events or short bounds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MachineContext } from '../../src/machine/context';
import { DEFAULT_SETTINGS } from '../../src/settings/settings';
import { LOOKUP_MS, type NetworkProvider, settleBoundMs, watchNetwork } from '../../src/net/provider';
import { MenuController, type Finish } from '../../src/ui/controller';
import { SystemBackend } from '../../src/ui/system-backend';
import { statusText } from '../../src/ui/text';
import { debianKernel } from '../kexec/debian';
import { ManualClock } from '../ui/harness';
import { startHttp, startSilentUdp, staticHandler, type HttpServer } from './servers';

const machine: MachineContext = { efiArch: 'x64' };
const kernel = debianKernel('amd64');
const skip = typeof kernel === 'string' ? kernel : false;
let http: HttpServer;

before(async () => {
  http = await startHttp(
    staticHandler({
      'pxelinux.cfg/default': 'DEFAULT net\nLABEL net\n  MENU LABEL From the boot server\n  KERNEL vmlinuz\n  APPEND console=ttyS0 via=net\n',
      vmlinuz: typeof kernel === 'string' ? Buffer.from('not a kernel') : readFileSync(kernel.image),
    }),
  );
});
after(() => http.stop());

function put(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, `.${name}.tmp`), text);
  renameSync(join(dir, `.${name}.tmp`), join(dir, name));
}
const lease = (prefix: string) => `ip=10.0.2.15\nmask=24\nsiaddr=10.0.2.2\nboot_file=pxelinux.0\npxepathprefix=${prefix}\nmac=52:54:00:12:34:56\n`;
const settled = (net: NetworkProvider) => new Promise<void>((done) => (net.isSettled() ? done() : net.onSettled(done)));

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-net-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the bound: each interface\'s lease timeout (after the link wait, with udhcpc\'s rounding) plus the lookup deadline', () => {
  assert.equal(settleBoundMs(10), (5 + 10 + 3) * 1000 + LOOKUP_MS);
  assert.equal(settleBoundMs(30, 1000), 39_000);
});

test('a started bring-up that said nothing, an interface asking DHCP, a lookup under way: not over; the lookup\'s end is, once', { timeout: 60_000 }, async () => {
  await withDir(async (dir) => {
    const net = watchNetwork({ machine, dir, start: () => {}, boundMs: 60_000 });
    let over = 0;
    net.onSettled(() => over++);
    try {
      assert.equal(net.isSettled(), false, 'the script has not written yet');
      put(dir, 'eth0.status', 'dhcp asking DHCP for a lease on eth0 (up to 10 s)\n');
      put(dir, 'eth1.status', 'nolink eth1 has no link (no cable?); no DHCP asked there\n');
      await new Promise<void>((done) => net.onChange(() => net.pending().length === 1 && done()));
      assert.equal(net.isSettled(), false, 'eth0 asks DHCP');
      put(dir, 'eth0.lease', lease(`${http.url}/`));
      await settled(net);
      assert.equal(net.scans().length, 1, 'over once the lookup has its entries');
      put(dir, 'eth0.status', 'bound eth0 has address 10.0.2.15\n');
      await new Promise<void>((done) => net.onChange(() => done()));
      assert.equal(over, 1);
    } finally {
      net.close();
    }
  });
});

test('over at once without a bring-up and nothing pending; over when the script says no interface could ask', { timeout: 60_000 }, async () => {
  await withDir(async (dir) => {
    const watched = watchNetwork({ machine, dir });
    assert.equal(watched.isSettled(), true);
    watched.close();
    const net = watchNetwork({ machine, dir, start: () => {}, boundMs: 60_000 });
    try {
      put(dir, 'none.status', 'failed no wired interface to ask DHCP on (interfaces: lo)\n');
      await settled(net);
      assert.deepEqual(net.pending(), []);
    } finally {
      net.close();
    }
  });
});

test('a silent boot server costs its lookup deadline; a script that never reports again, the bound (with a log line)', { timeout: 60_000 }, async () => {
  const silent = await startSilentUdp();
  try {
    await withDir(async (dir) => {
      const net = watchNetwork({ machine, dir, start: () => {}, lookupMs: 300, idleMs: 50, boundMs: 60_000 });
      try {
        const t0 = Date.now();
        put(dir, 'eth0.lease', lease(`tftp://127.0.0.1:${silent.port}/`));
        await new Promise<void>((done) => net.onChange(() => net.pending().length > 0 && done()));
        assert.equal(net.isSettled(), false, 'the lookup is under way');
        await settled(net);
        assert.ok(Date.now() - t0 < 10_000, 'within the lookup deadline, not the bound');
        assert.equal(net.scans()[0]?.entries.length, 0);
      } finally {
        net.close();
      }
    });
    await withDir(async (dir) => {
      put(dir, 'eth0.status', 'dhcp asking DHCP for a lease on eth0 (up to 10 s)\n');
      const net = watchNetwork({ machine, dir, start: () => {}, boundMs: 200 });
      try {
        const lines: string[] = [];
        net.onLog((l) => lines.push(l));
        await settled(net);
        assert.deepEqual(net.pending(), ['network eth0'], 'still asking, as far as the files say');
        assert.ok(lines.includes('network: the first DHCP leases and lookups did not all end within 0.2 s (still waiting: network eth0); the countdown waits no longer'), lines.join('\n'));
      } finally {
        net.close();
      }
    });
  } finally {
    await silent.stop();
  }
});

test('the menu with no disks: the countdown waits for the boot server, saying so, then counts down and boots its entry', { skip, timeout: 120_000 }, async () => {
  await withDir(async (dir) => {
    put(dir, 'eth0.status', 'dhcp asking DHCP for a lease on eth0 (up to 10 s)\n');
    const net = watchNetwork({ machine, dir, start: () => {}, boundMs: 60_000 });
    const provider = { partitions: () => [], diagnostics: [], close: async () => [] };
    const backend = new SystemBackend({ settings: { ...DEFAULT_SETTINGS, dryRun: true }, provider, machine, network: net });
    const clock = new ManualClock();
    const ctrl = new MenuController({ backend, clock, settings: { ...DEFAULT_SETTINGS, timeout: 2 } });
    const finished = new Promise<Finish>((done) => ctrl.onFinish(done));
    try {
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(ctrl.countdown, { kind: 'network', waitingFor: ['network eth0'] });
      assert.equal(statusText(ctrl), 'Waiting for network eth0 before the countdown — any key to stop');
      clock.advance(600_000);
      assert.equal(ctrl.countdown.kind, 'network', 'no timeout fires while the lookup may still bring the default');
      put(dir, 'eth0.lease', lease(`${http.url}/`));
      await settled(net);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(ctrl.countdown, { kind: 'running', remaining: 2 });
      assert.equal(ctrl.countdownTarget?.title, 'From the boot server');
      clock.advance(2000);
      const end = await finished;
      assert.equal(end.kind, 'booted');
      assert.match(end.kind === 'booted' ? end.outcome.text : '', /console=ttyS0 via=net/);
    } finally {
      ctrl.dispose();
      net.close();
      await backend.close();
    }
  });
});

test('with a password, an untrusted boot server\'s entry is waited for but never booted by the countdown; a trusted one is', { timeout: 60_000 }, async () => {
  for (const trusted of [[], [{ by: 'server', value: '127.0.0.1' }]] as const) {
    await withDir(async (dir) => {
      put(dir, 'eth0.status', 'dhcp asking DHCP for a lease on eth0 (up to 10 s)\n');
      const net = watchNetwork({ machine, dir, start: () => {}, boundMs: 60_000 });
      const settings = { ...DEFAULT_SETTINGS, dryRun: true, timeout: 1, password: '$pbkdf2-sha256$1000$c2FsdA$aGFzaA', trusted };
      const backend = new SystemBackend({ settings, provider: { partitions: () => [], diagnostics: [], close: async () => [] }, machine, network: net });
      const clock = new ManualClock();
      const ctrl = new MenuController({ backend, clock, settings });
      try {
        await new Promise((r) => setImmediate(r));
        assert.equal(ctrl.countdown.kind, 'network');
        put(dir, 'eth0.lease', lease(`${http.url}/`));
        await settled(net);
        await new Promise((r) => setImmediate(r));
        const [e] = ctrl.entries;
        if (trusted.length === 0) {
          assert.match(e?.needsPassword ?? '', /^config http:\/\/127\.0\.0\.1:\d+\/pxelinux\.cfg\/default is on a boot server the settings do not trust \(trusted: \{ server: 127\.0\.0\.1 \}/);
          assert.deepEqual(ctrl.countdown, { kind: 'off' });
          assert.equal(ctrl.message, 'No entry can boot by itself; choose one.');
        } else {
          assert.equal(e?.needsPassword, undefined);
          assert.deepEqual(ctrl.countdown, { kind: 'running', remaining: 1 });
          ctrl.handleKey({ kind: 'named', name: 'escape' }); // stops it: nothing is downloaded here
        }
      } finally {
        ctrl.dispose();
        net.close();
        await backend.close();
      }
    });
  }
});
