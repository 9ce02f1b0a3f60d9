// The plan's method line says exactly what will be called: for a boot, kexec_file_load,
// kexec-menu's own kexec_load or `kexec -l`; for a crash kernel (`crash load`), the same
// calls with KEXEC_FILE_ON_CRASH / KEXEC_ON_CRASH, or `kexec -p`; each with its fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPlan, planJson } from '../../src/kexec/plan-format';
import type { BootPlan } from '../../src/kexec/plan';

const BASE: BootPlan = {
  label: 'test',
  method: 'kexec_file_load',
  kexecProgram: '/usr/sbin/kexec',
  kernel: { path: '/boot/vmlinuz', size: 2048, description: 'Linux kernel' },
  initrds: [],
  initrdSize: 0,
  cmdline: 'console=ttyS0',
  warnings: [],
  notes: [],
};

const method = (plan: Partial<BootPlan>): string => /^method: +(.*)$/m.exec(formatPlan({ ...BASE, ...plan }))![1]!;

test('method line of a boot: -l, kexec_load, kexec_file_load and its fallbacks', () => {
  assert.equal(method({ method: 'kexec-tools' }), 'kexec-tools (/usr/sbin/kexec -l)');
  assert.equal(method({ method: 'kexec_load' }), "kexec_load (kexec-menu's own segments, no kexec-tools)");
  assert.equal(method({}), 'kexec_file_load');
  assert.equal(method({ fallback: 'kexec_load' }), "kexec_file_load (falls back to kexec-menu's own kexec_load if the kernel lacks it)");
  assert.equal(method({ fallback: 'kexec-tools' }), 'kexec_file_load (falls back to /usr/sbin/kexec -l if the kernel lacks it)');
});

test('method line of a crash plan: the on-crash flags and kexec -p, the fallbacks too; --json carries crash: true', () => {
  const crash = { crash: true } as const;
  assert.equal(method({ ...crash, method: 'kexec-tools' }), 'kexec-tools (/usr/sbin/kexec -p)');
  assert.equal(method({ ...crash, method: 'kexec_load' }), "kexec_load with KEXEC_ON_CRASH (kexec-menu's own segments, no kexec-tools)");
  assert.equal(method(crash), 'kexec_file_load with KEXEC_FILE_ON_CRASH');
  assert.equal(method({ ...crash, fallback: 'kexec_load' }), "kexec_file_load with KEXEC_FILE_ON_CRASH (falls back to kexec-menu's own kexec_load with KEXEC_ON_CRASH if the kernel lacks it)");
  assert.equal(method({ ...crash, fallback: 'kexec-tools' }), 'kexec_file_load with KEXEC_FILE_ON_CRASH (falls back to /usr/sbin/kexec -p if the kernel lacks it)');
  assert.doesNotMatch(formatPlan({ ...BASE, ...crash, method: 'kexec-tools' }), / -l\b/);
  assert.equal((planJson({ ...BASE, ...crash }) as { crash?: boolean }).crash, true);
});
