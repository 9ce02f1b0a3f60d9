import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFdt, type FdtNode } from '../../src/kexec/dt/fdt';
import { countCpuList, cpuParkingWarning, readCpuParking } from '../../src/kexec/psci';
import { debianKernel, qemuDtb } from './debian';

/** Lays a DTB out as the kernel shows it in /sys/firmware/devicetree/base: nodes as folders, properties as files. */
function sysfsTree(dtb: Uint8Array, root: string, possible: string): void {
  const base = join(root, 'sys/firmware/devicetree/base');
  const write = (node: FdtNode, dir: string) => {
    mkdirSync(dir, { recursive: true });
    for (const p of node.props) writeFileSync(join(dir, p.name), p.value);
    for (const c of node.children) write(c, join(dir, c.name));
  };
  write(parseFdt(dtb).root, base);
  mkdirSync(join(root, 'sys/devices/system/cpu'), { recursive: true });
  writeFileSync(join(root, 'sys/devices/system/cpu/possible'), possible + '\n');
}

function withTree<T>(dtb: Uint8Array, possible: string, f: (root: string) => T): T {
  const root = mkdtempSync(join(tmpdir(), 'kexec-psci-'));
  try {
    sysfsTree(dtb, root, possible);
    return f(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('CPU lists as the kernel prints them', () => {
  assert.equal(countCpuList('0-3'), 4);
  assert.equal(countCpuList('0\n'), 1);
  assert.equal(countCpuList('0,2-5,7'), 6);
  assert.ok(Number.isNaN(countCpuList('garbage')));
});

test('Raspberry Pi 3 B+ (spin-table, no PSCI): warned with 4 CPUs, not with nr_cpus=1', (t) => {
  const k = debianKernel('arm64');
  if (typeof k === 'string' || !k.dtbDir) return t.skip(typeof k === 'string' ? k : 'no DTBs');
  const running = qemuDtb(['-M', 'raspi3b', '-kernel', k.image, '-dtb', join(k.dtbDir, 'broadcom/bcm2837-rpi-3-b-plus.dtb')]);
  if (typeof running === 'string') return t.skip(running);
  withTree(running, '0-3', (root) => {
    const parking = readCpuParking(root);
    assert.deepEqual(parking, { possible: 4, enableMethods: ['spin-table', 'spin-table', 'spin-table', 'spin-table'] });
    assert.equal(
      cpuParkingWarning(parking, 'arm64'),
      'kexec will fail with "CPUs are stuck in the kernel": this board starts its CPUs by spin-table, without PSCI firmware, so the 3 secondary CPUs cannot be parked; add nr_cpus=1 to the running kernel\'s command line.',
    );
    assert.equal(cpuParkingWarning(parking, 'arm'), undefined, 'the rule is arm64\'s');
  });
  withTree(running, '0', (root) => assert.equal(cpuParkingWarning(readCpuParking(root), 'arm64'), undefined));
});

test('QEMU virt with PSCI: no warning even with several CPUs; no device tree at all: none', (t) => {
  const virt = qemuDtb(['-M', 'virt', '-cpu', 'cortex-a57', '-smp', '4']);
  if (typeof virt === 'string') return t.skip(virt);
  withTree(virt, '0-3', (root) => {
    const parking = readCpuParking(root);
    assert.deepEqual(parking?.enableMethods, ['psci', 'psci', 'psci', 'psci']);
    assert.equal(cpuParkingWarning(parking, 'arm64'), undefined);
  });
  const empty = mkdtempSync(join(tmpdir(), 'kexec-psci-'));
  try {
    assert.equal(readCpuParking(empty), undefined);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
