import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('build/src/cli.js');
const F = resolve('test/fixtures/multi-os');
const FEDORA = `${F}/fedora-boot=uuid:0e5b7c3a-44d2-4f1b-9a8e-6c2d1b0f3e71,label:fedora-boot,name:vda2`;
const USB = `${F}/usb=uuid:2C4F-81A0,name:sdb1`;

function list(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'list', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--json: the exact shape and values; a broken menu on one root does not cost the others', () => {
  const r = list('--json', '--config', `${F}/list.yaml`, '--root', FEDORA, '--root', USB, '--root', `${F}/broken`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const fedoraKernel = `${F}/fedora-boot/vmlinuz-6.7.4-200.fc39.x86_64`;
  const fedoraInitrd = `${F}/fedora-boot/initramfs-6.7.4-200.fc39.x86_64.img`;
  const base = { version: null, dtb: null, dtbKind: null, reuseCmdline: false, default: false, resolved: true, notes: [] };
  const yamlSource = (line: number) => ({ format: 'yaml', file: '/kexec-menu.yaml', line, partition: 'sdb1' });
  assert.deepEqual(JSON.parse(r.stdout), {
    entries: [
      {
        ...base,
        id: '0e5b7c3a-44d2-4f1b-9a8e-6c2d1b0f3e71:bls:4d1f6a2b9c8e4f7a8b3c2d1e0f9a8b7c-6.7.4-200.fc39.x86_64',
        title: 'Fedora Linux (6.7.4-200.fc39.x86_64) 39 (Server Edition)',
        version: '6.7.4-200.fc39.x86_64',
        kernel: fedoraKernel,
        initrd: [fedoraInitrd],
        cmdline: 'root=/dev/mapper/fedora-root ro rd.lvm.lv=fedora/root console=ttyS0,115200n8',
        source: { format: 'bls', file: '/loader/entries/4d1f6a2b9c8e4f7a8b3c2d1e0f9a8b7c-6.7.4-200.fc39.x86_64.conf', line: 1, partition: 'vda2' },
      },
      {
        ...base,
        id: '2C4F-81A0:yaml:alpine',
        title: 'Alpine rescue',
        kernel: `${F}/usb/boot/vmlinuz-lts`,
        initrd: [`${F}/usb/boot/initramfs-lts`],
        cmdline: 'modules=loop,squashfs,sd-mod,usb-storage quiet',
        source: yamlSource(4),
      },
      {
        ...base,
        id: '2C4F-81A0:yaml:fedora-39-debug',
        title: 'Fedora 39 (debug)',
        kernel: fedoraKernel,
        initrd: [fedoraInitrd],
        cmdline: 'root=/dev/mapper/fedora-root ro rd.lvm.lv=fedora/root systemd.log_level=debug',
        default: true,
        source: yamlSource(9),
      },
      {
        ...base,
        id: '2C4F-81A0:yaml:fedora-39-by-label-with-this-machine-s-command-line',
        title: "Fedora 39 by label, with this machine's command line",
        kernel: fedoraKernel,
        initrd: [],
        cmdline: '',
        reuseCmdline: true,
        source: yamlSource(15),
      },
      {
        ...base,
        id: '2C4F-81A0:yaml:old-disk',
        title: 'Old disk',
        kernel: null,
        initrd: [],
        cmdline: '',
        resolved: false,
        reason: 'kernel /vmlinuz: partition UUID=00000000-0000-0000-0000-000000000000 is not present',
        source: yamlSource(19),
      },
    ],
    default: '2C4F-81A0:yaml:fedora-39-debug',
    timeout: 4,
    timeoutSource: { from: 'settings', file: `${F}/list.yaml`, line: 3 },
    diagnostics: [{ severity: 'error', file: `${F}/broken/kexec-menu.yaml`, line: 3, message: 'Missing closing "quote' }],
  });
});

test('the plain table: index, default marker, title, version, partition, format, kernel or reason; then diagnostics', () => {
  const r = list('--config', `${F}/list.yaml`, '--root', FEDORA, '--root', USB, '--root', `${F}/broken`);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], `5 entries; default 2C4F-81A0:yaml:fedora-39-debug; boots the default after 4 s (timeout in ${F}/list.yaml:3)`);
  assert.match(lines[1]!, /^#\s+TITLE\s+VERSION\s+PARTITION\s+FORMAT\s+KERNEL$/);
  assert.match(lines[2]!, /^1 {5}Fedora Linux \(6\.7\.4-200\.fc39\.x86_64\) 39 \(Server Edition\) +6\.7\.4-200\.fc39\.x86_64 +vda2 +bls +\S+\/fedora-boot\/vmlinuz-6\.7\.4-200\.fc39\.x86_64$/);
  assert.match(lines[4]!, /^3 {2}\* {2}Fedora 39 \(debug\) +- +sdb1 +yaml +\S+\/fedora-boot\/vmlinuz-6\.7\.4-200\.fc39\.x86_64$/);
  assert.match(lines[6]!, /^5 +Old disk .* cannot boot: kernel \/vmlinuz: partition UUID=00000000-0000-0000-0000-000000000000 is not present$/);
  assert.equal(lines[7], '');
  assert.equal(lines[8], `error: ${F}/broken/kexec-menu.yaml:3: Missing closing "quote`);
  assert.equal(lines.length, 9);
});

test('--cmdline overrides the settings file (and /proc/cmdline is not read for sample roots)', () => {
  const r = list('--json', '--config', `${F}/list.yaml`, '--root', USB, '--cmdline', 'quiet kexec_menu.timeout=0 kexec_menu.default=*alpine kexec_menu.bogus=1');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { default: string; timeout: number; diagnostics: { file: string; message: string }[] };
  assert.equal(out.timeout, 0);
  assert.equal(out.default, '2C4F-81A0:yaml:alpine');
  assert.deepEqual(
    out.diagnostics.map((d) => `${d.file}: ${d.message}`),
    ["kernel command line: 'kexec_menu.bogus=1' ignored: kexec_menu.bogus is not an option (options: kexec_menu.timeout, kexec_menu.default, kexec_menu.dry_run)"],
  );
  const stale = JSON.parse(list('--json', '--config', `${F}/list.yaml`, '--root', USB, '--cmdline', 'kexec_menu.default=windows*').stdout) as typeof out;
  // Back to auto: the entry marked default boots from the Fedora disk, absent here, so the first bootable one.
  assert.equal(stale.default, '2C4F-81A0:yaml:alpine');
  assert.deepEqual(
    stale.diagnostics.map((d) => `${d.file}: ${d.message}`),
    ["kernel command line: default 'windows*' matches no entry's id or title; using the automatic default"],
  );
});

test('bad usage and bad settings exit 2 with one line on stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-list-'));
  try {
    const badConfig = join(dir, 'bad.yaml');
    writeFileSync(badConfig, 'timeout: 5\nformats: [grub, extlinux]\ndefualt: auto\n');
    const cases: [string[], string][] = [
      [['--jsn'], 'kexec-menu list: unknown option --jsn'],
      [['--root', join(dir, 'missing')], `kexec-menu list: --root ${join(dir, 'missing')}: not a folder`],
      // 'uid' is no key, so '=uid:x' is taken as part of the folder's name.
      [['--root', `${F}/usb=uid:x`], `kexec-menu list: --root ${F}/usb=uid:x: not a folder`],
      [['--root', `${F}/usb=uuid:`], `kexec-menu list: --root ${F}/usb=uuid:: uuid has no value`],
      [['--root', `${F}/usb=label:a,size:3`], `kexec-menu list: --root ${F}/usb=label:a,size:3: 'size:3' is not KEY:VALUE with KEY one of uuid, partuuid, label, partlabel, name`],
      [['--config', badConfig, '--root', `${F}/usb`], `kexec-menu list: ${badConfig}:3: key 'defualt' is not known (did you mean 'default'?)`],
      [['--config', join(dir, 'none.yaml'), '--root', `${F}/usb`], `kexec-menu list: ${join(dir, 'none.yaml')}: no such file`],
      [['extra', '--root', `${F}/usb`], "kexec-menu list: unexpected argument 'extra' (kexec-menu list [--json] [--config FILE] [--root DIR[=uuid:X,label:Y,partuuid:Z,partlabel:W,name:N] ...] [--cmdline STRING] [--net tftp://HOST[:PORT]/DIR|http://HOST[:PORT]/DIR [--mac MAC] [--ip IP] [--uuid UUID]])"],
      [['--config', 'a.yaml', '--config', 'b.yaml'], 'kexec-menu list: --config given twice'],
    ];
    for (const [args, message] of cases) {
      const r = list(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, message + '\n', args.join(' '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the demo settings scan the bundled samples, cross-partition references included', () => {
  const r = list('--json', '--config', 'configs/demo.yaml');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { entries: { id: string; kernel: string | null; reason?: string }[]; timeout: number };
  assert.equal(out.timeout, 10);
  const byId = new Map(out.entries.map((e) => [e.id, e]));
  const samples = resolve('samples');
  assert.equal(byId.get('2C4F-81A0:yaml:alpine-rescue')?.kernel, `${samples}/usb-yaml/boot/vmlinuz-lts`);
  assert.equal(byId.get('2C4F-81A0:yaml:debian-12-on-the-serial-console')?.kernel, `${samples}/debian-boot/vmlinuz-6.1.0-13-amd64`);
  assert.equal(byId.get('2C4F-81A0:yaml:arch-linux-fallback-initramfs')?.kernel, `${samples}/arch-root/boot/vmlinuz-linux`);
  assert.equal(byId.get('2C4F-81A0:yaml:nas-system-old-disk')?.reason, 'kernel /boot/vmlinuz: partition UUID=00000000-1111-2222-3333-444444444444 is not present');
  assert.equal(byId.get('image:yaml:debian-emergency')?.kernel, `${samples}/debian-boot/vmlinuz-6.1.0-13-amd64`);
  assert.equal(byId.get('image:yaml:rpi-verbose')?.kernel, `${samples}/rpi-boot/kernel8.img`);
});
