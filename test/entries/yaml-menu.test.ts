import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFiles } from '../../src/fs/memory-files';
import { idFromTitle, imageMenuParser, parseYamlMenu, yamlParser } from '../../src/entries/yaml-menu';

const MACHINE = { efiArch: 'x64' } as const;
const FILE = '/boot/kexec-menu.yaml';

test('a full entry becomes a ParsedEntry with paths on the named partition', () => {
  const r = parseYamlMenu(
    `entries:
  - title: Debian 12 on the serial console
    id: debian-serial
    version: 6.1.0-13-amd64
    partition: { uuid: 5b1c9e0a-7d2f-4a51-9b3e-2c8f0d6a7e14 }
    kernel: /vmlinuz-6.1.0-13-amd64
    initrd: [/initrd.img-6.1.0-13-amd64, ../extra.img]
    dtb: dtbs/board.dtb
    cmdline: "  root=UUID=0f7e ro console=ttyS0  "
    reuse-cmdline: true
    default: true
    sort-key: debian
`,
    FILE,
    'sdb1',
  );
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.entries.length, 1);
  const e = r.entries[0]!;
  const uuid = { by: 'uuid', value: '5b1c9e0a-7d2f-4a51-9b3e-2c8f0d6a7e14' };
  assert.equal(e.localId, 'debian-serial');
  assert.equal(e.title, 'Debian 12 on the serial console');
  assert.equal(e.version, '6.1.0-13-amd64');
  assert.deepEqual(e.kernel, { partition: uuid, path: '/vmlinuz-6.1.0-13-amd64' });
  // Relative paths are taken from the menu file's folder (/boot), '..' from there.
  assert.deepEqual(e.initrds, [
    { partition: uuid, path: '/initrd.img-6.1.0-13-amd64' },
    { partition: uuid, path: '/extra.img' },
  ]);
  assert.deepEqual(e.devicetree, { kind: 'file', resource: { partition: uuid, path: '/boot/dtbs/board.dtb' } });
  assert.equal(e.cmdline, 'root=UUID=0f7e ro console=ttyS0');
  assert.equal(e.reuseCmdline, true);
  assert.equal(e.isDefault, true);
  assert.equal(e.sortKey, 'debian');
  assert.deepEqual(e.source, { format: 'yaml', file: FILE, line: 2, partition: 'sdb1' });
});

test('defaults: self partition, no initrd, empty cmdline, id from the title', () => {
  const r = parseYamlMenu('entries:\n  - title: "Alpine (rescue) 3.19"\n    kernel: vmlinuz-lts\n    dtb-dir: /dtbs\n', FILE, 'sdb1');
  assert.deepEqual(r.diagnostics, []);
  const e = r.entries[0]!;
  assert.equal(e.localId, 'alpine-rescue-3.19');
  assert.deepEqual(e.kernel, { partition: { by: 'self' }, path: '/boot/vmlinuz-lts' });
  assert.deepEqual(e.initrds, []);
  assert.deepEqual(e.devicetree, { kind: 'dir', resource: { partition: { by: 'self' }, path: '/dtbs' } });
  assert.equal(e.cmdline, '');
  assert.equal(e.reuseCmdline, false);
  assert.equal(e.isDefault, false);
  assert.equal(e.version, undefined);
});

test('a BOM and CRLF line ends are fine; a multi-line command line becomes one line', () => {
  const r = parseYamlMenu('\ufeffentries:\r\n  - title: A\r\n    kernel: /k\r\n    cmdline: |\r\n      root=/dev/sda1 ro\r\n      quiet\r\n', FILE, 'p');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    r.entries.map((e) => [e.title, e.kernel.path, e.cmdline, e.source.line]),
    [['A', '/k', 'root=/dev/sda1 ro quiet', 2]],
  );
});

test('each partition selector kind', () => {
  for (const by of ['uuid', 'partuuid', 'label', 'partlabel'] as const) {
    const r = parseYamlMenu(`entries:\n  - title: T\n    kernel: /k\n    partition: { ${by}: "X-1" }\n`, FILE, 'p');
    assert.deepEqual(r.entries[0]?.kernel.partition, { by, value: 'X-1' }, by);
  }
});

test('a typo names file, line and key with a suggestion, and costs only that entry', () => {
  const r = parseYamlMenu(
    `entries:
  - title: Good one
    kernel: /vmlinuz
  - title: Typo
    kernal: /vmlinuz
  - title: Also good
    kernel: /vmlinuz-2
`,
    'menus/x.yaml',
    'image',
  );
  assert.deepEqual(
    r.entries.map((e) => e.title),
    ['Good one', 'Also good'],
  );
  assert.deepEqual(r.diagnostics, [
    { severity: 'error', file: 'menus/x.yaml', line: 5, message: "key 'kernal' is not known (did you mean 'kernel'?)" },
    { severity: 'error', file: 'menus/x.yaml', line: 4, message: "entry 2 ('Typo') has no 'kernel'" },
  ]);
});

test('wrong types are errors naming the key and the value', () => {
  const r = parseYamlMenu(
    `entries:
  - title: A
    kernel: /k
    default: yes
  - title: B
    kernel: 42
  - title: C
    kernel: /k
    initrd: { a: 1 }
  - title: D
    kernel: /k
    partition: { uuid: x, label: y }
  - title: E
    kernel: /k
    partition: { lable: y }
  - just a string
  - title: F
    kernel: /k
    dtb: /a.dtb
    dtb-dir: /dtbs
`,
    FILE,
    'p',
  );
  assert.equal(r.entries.length, 0);
  const lines = r.diagnostics.map((d) => `${d.line}: ${d.message}`);
  assert.deepEqual(lines, [
    "4: key 'default' must be true or false, not the text 'yes'",
    "6: key 'kernel' must be text, not number 42 (quote it)",
    "9: key 'initrd' must be a path or a list of paths, not a mapping",
    "12: key 'partition' must be a mapping with one of uuid, partuuid, label, partlabel, e.g. 'partition: { uuid: 3f1e… }'",
    "15: in 'partition': key 'lable' is not known (did you mean 'label'?)",
    "16: entry 6 must be a mapping with at least 'title' and 'kernel', not the text 'just a string'",
    "17: entry 7 gives both 'dtb' and 'dtb-dir'; keep one",
  ]);
});

test('duplicate ids get a suffix; an explicit duplicate is warned about', () => {
  const r = parseYamlMenu(
    'entries:\n  - {title: Same, kernel: /a}\n  - {title: Same, kernel: /b}\n  - {title: X, id: same, kernel: /c}\n',
    FILE,
    'p',
  );
  assert.deepEqual(
    r.entries.map((e) => e.localId),
    ['same', 'same~2', 'same~3'],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.line, d.message]),
    [['warning', 4, "id 'same' is used twice; this entry gets 'same~3'"]],
  );
});

test('syntax errors: reported with their line; entries without errors are kept', () => {
  const r = parseYamlMenu(
    `entries:
  - title: Fine
    kernel: /k1
  - title: Twice
    kernel: /k2
    kernel: /k3
  - title: Also fine
    kernel: /k4
`,
    FILE,
    'p',
  );
  assert.deepEqual(
    r.entries.map((e) => e.title),
    ['Fine', 'Also fine'],
  );
  assert.deepEqual(r.diagnostics, [{ severity: 'error', file: FILE, line: 6, message: "key 'kernel' is given twice" }]);

  const broken = parseYamlMenu('entries:\n  - title: "unclosed\n    kernel: /k\n', FILE, 'p');
  assert.equal(broken.entries.length, 0);
  assert.ok(broken.diagnostics.length > 0 && broken.diagnostics.every((d) => d.severity === 'error' && d.line !== undefined && d.file === FILE));
});

test('top-level shape errors', () => {
  const at = (text: string): string[] => parseYamlMenu(text, FILE, 'p').diagnostics.map((d) => `${d.severity} ${d.line}: ${d.message}`);
  assert.deepEqual(at(''), ["warning 1: menu is empty (it needs an 'entries:' list)"]);
  assert.deepEqual(at('- title: a\n  kernel: /k\n'), ["error 1: the top level must be a mapping with an 'entries:' list, not a list"]);
  assert.deepEqual(at('entries: /k\n'), ["error 1: 'entries' must be a list, not the text '/k'"]);
  assert.deepEqual(at('timeout: 5\nentries: []\n'), ["error 1: key 'timeout' is not known (known keys: entries)"]);
  assert.deepEqual(at('title: x\n'), ["error 1: key 'title' is not known (known keys: entries)", "error 1: menu has no 'entries:' list"]);
});

test('aliases are never expanded (no "billion laughs"): an alias value is a type error', () => {
  const r = parseYamlMenu('x: &a /k\nentries:\n  - {title: T, kernel: *a}\n', FILE, 'p');
  assert.equal(r.entries.length, 0);
  assert.ok(r.diagnostics.some((d) => d.message === "key 'kernel' must be text, not the alias *a"));
});

test('a huge menu is refused without parsing', () => {
  const r = parseYamlMenu('entries:\n' + '#'.repeat(2 * 1024 * 1024), FILE, 'p');
  assert.deepEqual(r.entries, []);
  assert.match(r.diagnostics[0]!.message, /larger than 64 KiB/);
});

test('idFromTitle', () => {
  assert.equal(idFromTitle('Debian GNU/Linux, with Linux 6.1.0-13-amd64 (recovery mode)'), 'debian-gnu-linux-with-linux-6.1.0-13-amd64-recovery-mode');
  assert.equal(idFromTitle('★★★'), 'entry');
});

test('the partition reader finds /boot/kexec-menu.yaml and /kexec-menu.yaml, each once', () => {
  const files = new MemoryFiles({
    '/boot/kexec-menu.yaml': 'entries:\n  - {title: In boot, kernel: vmlinuz}\n',
    '/kexec-menu.yaml': 'entries:\n  - {title: At root, kernel: vmlinuz}\n',
  });
  const r = yamlParser.parse(files, 'sda1', MACHINE);
  assert.deepEqual(
    r.entries.map((e) => [e.title, e.kernel.path, e.source.file]),
    [
      ['In boot', '/boot/vmlinuz', '/boot/kexec-menu.yaml'],
      ['At root', '/vmlinuz', '/kexec-menu.yaml'],
    ],
  );
  const linked = new MemoryFiles({ '/boot/kexec-menu.yaml': 'entries:\n  - {title: Once, kernel: /k}\n', '/kexec-menu.yaml': { link: 'boot/kexec-menu.yaml' } });
  assert.deepEqual(
    yamlParser.parse(linked, 'sda1', MACHINE).entries.map((e) => e.title),
    ['Once'],
  );
  assert.deepEqual(yamlParser.parse(new MemoryFiles({ '/boot/grub/grub.cfg': '' }), 'sda1', MACHINE), { entries: [], diagnostics: [] });
});

test('the image menu reader takes every *.yaml / *.yml in name order, ids unique across files', () => {
  const files = new MemoryFiles({
    '/b.yml': 'entries:\n  - {title: Rescue, kernel: /k}\n',
    '/a.yaml': 'entries:\n  - {title: Rescue, kernel: /k}\n',
    '/notes.txt': 'not a menu',
  });
  const r = imageMenuParser.parse(files, 'image', MACHINE);
  assert.deepEqual(
    r.entries.map((e) => [e.source.file, e.localId]),
    [
      ['/a.yaml', 'rescue'],
      ['/b.yml', 'rescue~2'],
    ],
  );
});
