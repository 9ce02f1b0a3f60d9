import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machineName, productVersion } from '../../src/ui/identity';

function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'kexec-menu-id-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('the machine: device-tree model on ARM, DMI vendor and product on a PC, nothing for firmware placeholders', () => {
  const cases: [Record<string, string>, string | undefined][] = [
    [{ 'proc/device-tree/model': 'Raspberry Pi 3 Model B Plus Rev 1.3\0' }, 'Raspberry Pi 3 Model B Plus Rev 1.3'],
    [{ 'sys/class/dmi/id/product_name': 'Standard PC (Q35 + ICH9, 2009)\n', 'sys/class/dmi/id/sys_vendor': 'QEMU\n' }, 'QEMU Standard PC (Q35 + ICH9, 2009)'],
    [{ 'sys/class/dmi/id/product_name': 'ThinkPad X13\n', 'sys/class/dmi/id/sys_vendor': 'LENOVO\n' }, 'LENOVO ThinkPad X13'],
    [{ 'sys/class/dmi/id/product_name': 'To Be Filled By O.E.M.\n', 'sys/class/dmi/id/sys_vendor': 'To Be Filled By O.E.M.\n' }, undefined],
    [{}, undefined],
  ];
  for (const [files, want] of cases) {
    const root = fakeRoot(files);
    try {
      assert.equal(machineName(root), want, JSON.stringify(files));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test('the version comes from the package.json above the module (a checkout) or beside it (the image)', () => {
  const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string };
  assert.equal(productVersion(resolve('build/src/ui')), pkg.version);
  const beside = fakeRoot({ 'package.json': JSON.stringify({ name: 'kexec-menu', version: '7.8.9' }) });
  const other = fakeRoot({ 'package.json': JSON.stringify({ name: 'something-else', version: '1.0.0' }) });
  try {
    assert.equal(productVersion(beside), '7.8.9');
    assert.equal(productVersion(join(other)), undefined);
  } finally {
    rmSync(beside, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});
