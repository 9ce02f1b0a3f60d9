// The countdown's state on its own (src/ui/countdown.ts): what it waits for, the ticks, the
// boot at zero, and what stops it for good (a key, another console, the end of the menu).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALONE, type ConsoleShare } from '../../src/ui/console-share';
import type { NetworkWait } from '../../src/ui/backend';
import { AutoBoot, type AutoBootHooks } from '../../src/ui/countdown';
import { ManualClock } from './harness';

interface Rig {
  readonly auto: AutoBoot;
  readonly clock: ManualClock;
  readonly boots: () => number;
  readonly changes: () => number;
  readonly messages: string[];
  readonly logs: string[];
}

/** Network boot's first round as the provider gives it: settled by hand, what is awaited by hand. */
class FakeNetwork implements NetworkWait {
  over = false;
  waitingFor: string[] = ['network eth0'];
  private readonly fns: (() => void)[] = [];
  isSettled = (): boolean => this.over;
  onSettled = (fn: () => void): void => void this.fns.push(fn);
  pending = (): readonly string[] => this.waitingFor;
  settle(): void {
    this.over = true;
    this.waitingFor = [];
    this.fns.forEach((f) => f());
  }
}

function rig(o: { timeout: number; settled?: boolean; startGraceMs?: number; share?: ConsoleShare; canBoot?: boolean | (() => boolean); hasEntries?: boolean; network?: NetworkWait; awaitsNetwork?: () => boolean }): Rig {
  const clock = new ManualClock();
  let boots = 0;
  let changes = 0;
  const messages: string[] = [];
  const logs: string[] = [];
  const hooks: AutoBootHooks = {
    canBoot: () => (typeof o.canBoot === 'function' ? o.canBoot() : (o.canBoot ?? true)),
    hasEntries: () => o.hasEntries ?? true,
    awaitsNetwork: o.awaitsNetwork ?? (() => false),
    boot: () => void boots++,
    changed: () => void changes++,
    message: (t) => void messages.push(t),
    log: (l) => void logs.push(l),
  };
  const auto = new AutoBoot({ clock, timeout: o.timeout, settled: o.settled ?? true, ...(o.network ? { network: o.network } : {}), startGraceMs: o.startGraceMs ?? 0, share: o.share ?? ALONE, hooks });
  return { auto, clock, boots: () => boots, changes: () => changes, messages, logs };
}

test('it waits for discovery and the start grace, in either order, then counts down one second a tick and boots once at zero', () => {
  const r = rig({ timeout: 3, settled: false, startGraceMs: 150 });
  r.auto.tryStart();
  assert.deepEqual(r.auto.view, { kind: 'pending' });
  r.auto.settled();
  assert.deepEqual(r.auto.view, { kind: 'pending' }, 'the grace is not over yet');
  r.clock.advance(150);
  assert.deepEqual(r.auto.view, { kind: 'running', remaining: 3 });
  r.clock.advance(1000);
  assert.deepEqual(r.auto.view, { kind: 'running', remaining: 2 });
  r.clock.advance(1999);
  assert.deepEqual(r.auto.view, { kind: 'running', remaining: 1 });
  assert.equal(r.boots(), 0);
  r.clock.advance(1);
  assert.equal(r.boots(), 1);
  assert.equal(r.auto.state.kind, 'booting');
  assert.deepEqual(r.auto.view, { kind: 'off' });
  r.clock.advance(60_000);
  assert.equal(r.boots(), 1, 'no tick outlives the countdown');
  assert.equal(r.changes(), 4, 'running 3, 2, 1, off: each once');

  const other = rig({ timeout: 2, settled: false, startGraceMs: 150 });
  other.clock.advance(150);
  assert.deepEqual(other.auto.view, { kind: 'pending' }, 'discovery has not finished');
  other.auto.settled();
  assert.deepEqual(other.auto.view, { kind: 'running', remaining: 2 });
});

test('a key stops it for good and is told to the other consoles once; it says whether a running countdown stopped', () => {
  let told = 0;
  const share: ConsoleShare = { ...ALONE, keyPressed: () => void told++ };
  const r = rig({ timeout: 5, share });
  r.auto.tryStart();
  r.clock.advance(1000);
  assert.equal(r.auto.key(), true);
  assert.equal(r.auto.manual, true);
  assert.deepEqual(r.auto.view, { kind: 'off' });
  assert.equal(r.auto.key(), false, 'a second key stops nothing');
  r.auto.gaveUp();
  assert.equal(r.auto.manual, true, 'giving up does not forget the key');
  r.clock.advance(60_000);
  assert.equal(r.boots(), 0);
  assert.equal(told, 1);

  const early = rig({ timeout: 0, startGraceMs: 150, share });
  assert.equal(early.auto.key(), false, 'held at start: no countdown was running');
  early.clock.advance(150);
  early.auto.tryStart();
  assert.equal(early.boots(), 0, 'timeout 0 does not boot past a key held at start');
  assert.equal(told, 2);
});

test('timeout 0 boots as soon as nothing holds it back; timeout -1 never counts, yet its first key is still told', () => {
  const now = rig({ timeout: 0 });
  now.auto.tryStart();
  assert.equal(now.boots(), 1);
  now.auto.gaveUp();
  assert.equal(now.auto.state.kind, 'idle', 'the default failed: a person chooses');

  let told = 0;
  const never = rig({ timeout: -1, share: { ...ALONE, keyPressed: () => void told++ } });
  never.auto.tryStart();
  never.clock.advance(60_000);
  assert.deepEqual(never.auto.view, { kind: 'off' });
  assert.equal(never.boots(), 0);
  assert.equal(never.auto.key(), false);
  assert.equal(told, 1);
});

test('another console stops it at the start or at a tick, saying why; nothing bootable says so only when there are entries', () => {
  let why: string | undefined;
  const share: ConsoleShare = { ...ALONE, elsewhere: () => why };
  const r = rig({ timeout: 5, share });
  r.auto.tryStart();
  why = 'a key was pressed on ttyS1.';
  r.clock.advance(1000);
  assert.equal(r.auto.state.kind, 'idle');
  assert.deepEqual(r.logs, ['Countdown stopped: a key was pressed on ttyS1.']);
  assert.deepEqual(r.messages, ['Countdown stopped: a key was pressed on ttyS1.']);
  r.clock.advance(60_000);
  assert.equal(r.boots(), 0);

  const atStart = rig({ timeout: 5, share });
  atStart.auto.tryStart();
  assert.equal(atStart.auto.state.kind, 'idle');

  const none = rig({ timeout: 5, canBoot: false });
  none.auto.tryStart();
  assert.equal(none.auto.state.kind, 'idle');
  assert.deepEqual(none.messages, ['No entry can boot by itself; choose one.']);
  const empty = rig({ timeout: 5, canBoot: false, hasEntries: false });
  empty.auto.tryStart();
  assert.deepEqual(empty.messages, []);
});

test('the end of the menu stops a running countdown and ignores keys', () => {
  const r = rig({ timeout: 2 });
  r.auto.tryStart();
  r.auto.finish();
  assert.equal(r.auto.finished, true);
  assert.equal(r.auto.key(), false);
  r.clock.advance(60_000);
  assert.equal(r.boots(), 0);
  r.auto.gaveUp();
  assert.equal(r.auto.finished, true);
});

test('the default may come from the network: after the disks and the grace it waits for the lookups, saying for what, then counts down and boots', () => {
  const net = new FakeNetwork();
  let fromNet = false; // the boot server's entry arrives with the lookup
  const r = rig({ timeout: 2, settled: false, startGraceMs: 150, network: net, awaitsNetwork: () => !fromNet, canBoot: () => fromNet });
  r.auto.tryStart();
  assert.deepEqual(r.auto.view, { kind: 'pending' }, 'the disks come first');
  r.clock.advance(150);
  r.auto.settled();
  assert.deepEqual(r.auto.view, { kind: 'network', waitingFor: ['network eth0'] });
  assert.deepEqual(r.logs, ['The countdown waits for the network: the default may come from a boot server.']);
  net.waitingFor = ['network eth0', 'network eth1'];
  assert.deepEqual(r.auto.view, { kind: 'network', waitingFor: ['network eth0', 'network eth1'] }, 'what is awaited is asked each time');
  r.auto.tryStart();
  assert.equal(r.logs.length, 1, 'said once');
  r.clock.advance(600_000);
  assert.equal(r.boots(), 0, 'nothing fires before the lookups had their chance');
  assert.deepEqual(r.messages, [], 'not "no entry can boot" while the network may still bring one');
  fromNet = true;
  net.settle();
  assert.deepEqual(r.auto.view, { kind: 'running', remaining: 2 });
  r.clock.advance(2000);
  assert.equal(r.boots(), 1);
});

test('the wait for the network ends with the round (nothing came: "choose one"), with a default that arrives, or at a key; it is skipped when it does not matter', () => {
  const nothing = new FakeNetwork();
  const empty = rig({ timeout: 5, network: nothing, awaitsNetwork: () => true, canBoot: false });
  empty.auto.tryStart();
  assert.equal(empty.auto.view.kind, 'network');
  nothing.settle(); // the provider's bound ends it even if a script never reports
  assert.equal(empty.auto.state.kind, 'idle');
  assert.deepEqual(empty.messages, ['No entry can boot by itself; choose one.']);

  // eth0's server brought the default while eth1 still looks: the menu's change starts it.
  const net = new FakeNetwork();
  let arrived = false;
  const early = rig({ timeout: 3, network: net, awaitsNetwork: () => !arrived });
  early.auto.tryStart();
  assert.equal(early.auto.view.kind, 'network');
  arrived = true;
  early.auto.tryStart();
  assert.deepEqual(early.auto.view, { kind: 'running', remaining: 3 });

  const keyed = new FakeNetwork();
  const k = rig({ timeout: 1, network: keyed, awaitsNetwork: () => true });
  k.auto.tryStart();
  assert.equal(k.auto.key(), false, 'no countdown was running');
  assert.equal(k.auto.manual, true);
  keyed.settle();
  k.clock.advance(60_000);
  assert.equal(k.boots(), 0, 'a key during the wait is a person choosing');

  const disks = rig({ timeout: 1, network: new FakeNetwork(), awaitsNetwork: () => false });
  disks.auto.tryStart();
  assert.deepEqual(disks.auto.view, { kind: 'running', remaining: 1 }, "the disks' default does not wait for the network");

  const done = new FakeNetwork();
  done.settle();
  const over = rig({ timeout: 1, network: done, awaitsNetwork: () => true });
  over.auto.tryStart();
  assert.deepEqual(over.auto.view, { kind: 'running', remaining: 1 }, 'a round already over holds nothing');

  const never = rig({ timeout: -1, network: new FakeNetwork(), awaitsNetwork: () => true });
  never.auto.tryStart();
  assert.deepEqual(never.auto.view, { kind: 'off' }, 'timeout -1 waits for nothing');
});
