import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DirectoryFiles } from '../../src/fs/directory-files';
import { blsParser, parseBlsEntryFile, parseBlsFileName, readBlsEntries, splitBlsLines } from '../../src/entries/bls';
import { globMatch } from '../../src/entries/bls-glob';
import { MemoryFiles } from '../../src/fs/memory-files';
import type { Diagnostic } from '../../src/fs/diagnostic';
import type { MachineContext } from '../../src/machine/context';
import type { ParsedEntry, Resource } from '../../src/entries/model';

const X64: MachineContext = { efiArch: 'x64' };
const AA64: MachineContext = { efiArch: 'aa64' };
const FIXTURES = join(__dirname, '../../../test/fixtures/bls');

const res = (path: string): Resource => ({ partition: { by: 'self' }, path });
const src = (file: string, partition = 'p1'): ParsedEntry['source'] => ({ format: 'bls', file, line: 1, partition });
const ids = (entries: readonly ParsedEntry[]): string[] => entries.map((e) => e.localId);

// ---------------------------------------------------------------------------------------------
// Fedora 39 /boot partition (kernel-install + 20-grub.install + 51-dracut-rescue.install).

const FEDORA_MID = '6a9857a393724b7a981ebb5b8495b9ea';
const FEDORA_OPTIONS = 'root=UUID=c8d5f0a2-3e41-4b7c-9a6d-1f2e3d4c5b6a ro rootflags=subvol=root rhgb quiet';

function fedoraEntry(version: string, fileVersion: string): ParsedEntry {
  return {
    localId: `${FEDORA_MID}-${fileVersion}`,
    title: `Fedora Linux (${version}) 39 (Workstation Edition)`,
    version,
    kernel: res(`/vmlinuz-${version}`),
    initrds: [res(`/initramfs-${version}.img`)],
    overlays: [],
    cmdline: FEDORA_OPTIONS,
    reuseCmdline: false,
    isDefault: false,
    notes: [],
    source: src(`/loader/entries/${FEDORA_MID}-${fileVersion}.conf`, 'nvme0n1p2'),
  };
}

test('Fedora 39 /boot: every entry, newest kernel first, rescue last, grub_* keys accepted silently', () => {
  const r = blsParser.parse(new DirectoryFiles(join(FIXTURES, 'fedora39-boot')), 'nvme0n1p2', X64);
  // No sort-key anywhere: the spec orders by file name, newest version first; 6.6.13 is newer
  // than 6.6.9 although it sorts before it as text; "0-rescue" is the oldest of all.
  assert.deepEqual(r.entries, [
    fedoraEntry('6.6.13-200.fc39.x86_64', '6.6.13-200.fc39.x86_64'),
    fedoraEntry('6.6.9-200.fc39.x86_64', '6.6.9-200.fc39.x86_64'),
    fedoraEntry('6.5.6-300.fc39.x86_64', '6.5.6-300.fc39.x86_64'),
    fedoraEntry(`0-rescue-${FEDORA_MID}`, '0-rescue'),
  ]);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.configTimeout, undefined, 'no loader.conf');
  assert.ok(!r.entries.some((e) => e.isDefault), 'without loader.conf nothing is marked; the first entry is the automatic default');
});

// ---------------------------------------------------------------------------------------------
// A systemd-boot ESP (made by make-systemd-boot-esp.sh with Debian's kernel-install 252).

const MID = '8f3a0c5e2b7d4e1f9a6c3b2d1e0f4a5b';
const DEBIAN_OPTIONS = `root=UUID=2f5e1c7a-9b3d-4e8f-a1c6-0d7b9e2f4a31 ro quiet systemd.machine_id=${MID}`;

function debianEntry(abi: number, extra: Partial<ParsedEntry>, fileSuffix: string): ParsedEntry {
  const v = `6.1.0-${abi}-amd64`;
  return {
    localId: `${MID}-${v}`,
    // Every entry says "Debian GNU/Linux 12 (bookworm)": equal titles get the version appended.
    title: `Debian GNU/Linux 12 (bookworm) (${v})`,
    version: v,
    kernel: res(`/${MID}/${v}/linux`),
    initrds: [res(`/${MID}/${v}/initrd.img-${v}`)],
    overlays: [],
    cmdline: DEBIAN_OPTIONS,
    reuseCmdline: false,
    sortKey: 'debian',
    isDefault: false,
    notes: [],
    source: src(`/loader/entries/${MID}-${v}${fileSuffix}.conf`),
    ...extra,
  };
}

const DEBIAN_13 = debianEntry(
  13,
  {
    initrds: [res(`/${MID}/6.1.0-13-amd64/amd-ucode.img`), res(`/${MID}/6.1.0-13-amd64/initrd.img-6.1.0-13-amd64`)],
    bootCounting: { left: 2, done: 1 },
  },
  '+2-1',
);
// loader.conf: `default 8f3a…-6.1.0-12-*`.
const DEBIAN_12 = debianEntry(12, { isDefault: true }, '');
const DEBIAN_14_BAD = debianEntry(14, { bootCounting: { left: 0, done: 3 }, notes: ['no boot tries left: it failed to boot 3 times'] }, '+0-3');
const ARCH: ParsedEntry = {
  localId: 'arch',
  title: 'Arch Linux',
  kernel: res('/vmlinuz-linux'),
  initrds: [res('/intel-ucode.img'), res('/initramfs-linux.img')],
  overlays: [],
  cmdline: 'root=PARTUUID=6b1f3c2e-8d4a-4f7b-9e0c-5a2d1b3c4e5f rw quiet splash',
  reuseCmdline: false,
  isDefault: false,
  notes: [],
  source: src('/loader/entries/arch.conf'),
};
const PMOS: ParsedEntry = {
  localId: 'pmos-pinebook-pro',
  title: 'postmarketOS (Pinebook Pro)',
  version: '6.6.3',
  kernel: res('/pmos/Image'),
  initrds: [res('/pmos/initramfs')],
  devicetree: { kind: 'file', resource: res('/pmos/dtbs/rockchip/rk3399-pinebook-pro.dtb') },
  overlays: [res('/pmos/dtbs/rockchip/overlay/rk3399-uart2.dtbo'), res('/pmos/dtbs/rockchip/overlay/rk3399-spi-flash.dtbo')],
  cmdline: 'console=ttyS2,1500000 PMOS_NOSPLASH',
  reuseCmdline: false,
  architecture: 'aa64',
  sortKey: 'postmarketos',
  isDefault: false,
  notes: [],
  source: src('/loader/entries/pmos-pinebook-pro.conf'),
};
const MEMTEST_INFO: Diagnostic = {
  severity: 'info',
  file: '/loader/entries/memtest86+.conf',
  line: 2,
  message: 'entry starts an EFI program (/EFI/memtest86/memtest86+x64.efi), which kexec cannot run; not listed',
};

test('systemd-boot ESP on x64: sort-key groups by version, old-style after, failed entry last, loader.conf default and timeout', () => {
  const r = blsParser.parse(new DirectoryFiles(join(FIXTURES, 'systemd-boot-esp')), 'p1', X64);
  assert.deepEqual(r.entries, [DEBIAN_13, DEBIAN_12, ARCH, DEBIAN_14_BAD]);
  assert.deepEqual(r.diagnostics, [
    MEMTEST_INFO,
    { severity: 'info', file: '/loader/entries/pmos-pinebook-pro.conf', line: 4, message: "entry is for architecture aa64, not this machine's x64; not listed" },
  ]);
  assert.equal(r.configTimeout, 4);
});

test('systemd-boot ESP on aa64: the arm64 board entry is listed, sorted by its sort-key, with device tree and overlays', () => {
  const r = blsParser.parse(new DirectoryFiles(join(FIXTURES, 'systemd-boot-esp')), 'p1', AA64);
  assert.deepEqual(r.entries, [DEBIAN_13, DEBIAN_12, PMOS, ARCH, DEBIAN_14_BAD]);
  assert.deepEqual(r.diagnostics, [MEMTEST_INFO]);
});

test('readBlsEntries reads one folder and the loader.conf of its $BOOT root', () => {
  const files = new DirectoryFiles(join(FIXTURES, 'systemd-boot-esp'));
  const r = readBlsEntries(files, '/loader/entries', 'p1', X64);
  assert.deepEqual(ids(r.entries), [DEBIAN_13.localId, DEBIAN_12.localId, 'arch', DEBIAN_14_BAD.localId]);
  assert.equal(r.entries[1]?.isDefault, true);
  assert.equal(r.configTimeout, 4);
  assert.deepEqual(readBlsEntries(files, '/no/such/loader/entries', 'p1', X64), { entries: [], diagnostics: [] });
});

// ---------------------------------------------------------------------------------------------
// One entry file.

function one(text: string, name = 'e.conf', machine = X64): { entry?: ParsedEntry; diagnostics: Diagnostic[] } {
  return parseBlsEntryFile(text, `/loader/entries/${name}`, 'p1', machine);
}

test('line syntax: blanks around keys and values, tabs, CRLF, comments, last single key wins', () => {
  const text = [
    '# a comment',
    '   # an indented comment',
    'title    Many   spaces  \t ',
    'title\tSecond title',
    '\tversion 1.2\r',
    'linux\t\tvmlinuz-1.2',
    'linux /boot//vmlinuz-1.2',
    'initrd initrd-a.img',
    'initrd /initrd-b.img',
    'options  quiet',
    'options',
    'options "root=LABEL=x y"   ',
    'devicetree dtb/board.dtb',
    'devicetree-overlay /o1.dtbo   o2.dtbo',
    'devicetree-overlay',
    'devicetree-overlay /o3.dtbo',
    'machine-id abc',
    'sort-key fedora',
    'grub_users $grub_users',
    'grub_class fedora',
    '',
  ].join('\n');
  const { entry, diagnostics } = one(text);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(entry, {
    localId: 'e',
    title: 'Second title',
    version: '1.2',
    kernel: res('/boot/vmlinuz-1.2'),
    initrds: [res('/initrd-a.img'), res('/initrd-b.img')],
    devicetree: { kind: 'file', resource: res('/dtb/board.dtb') },
    overlays: [res('/o1.dtbo'), res('/o2.dtbo'), res('/o3.dtbo')],
    // options lines join with one space; quotes are kept, as systemd's bootctl keeps them.
    cmdline: 'quiet "root=LABEL=x y"',
    reuseCmdline: false,
    sortKey: 'fedora',
    isDefault: false,
    notes: [],
    source: src('/loader/entries/e.conf'),
  });
});

test('splitBlsLines gives the raw lines for readers with their own semantics', () => {
  assert.deepEqual(splitBlsLines('# c\r\ntitle  A  b \n\ninitrd /i.img $tuned_initrd\nlonely\n', '/x.conf'), {
    lines: [
      { line: 2, key: 'title', value: 'A  b' },
      { line: 4, key: 'initrd', value: '/i.img $tuned_initrd' },
      { line: 5, key: 'lonely', value: '' },
    ],
    diagnostics: [],
  });
  assert.deepEqual(splitBlsLines('a\u0000', '/x.conf'), {
    diagnostics: [{ severity: 'error', file: '/x.conf', line: 1, message: 'contains NUL bytes, so it is not a text file; not read' }],
  });
});

test('unknown keys, empty values and folder paths are warnings with their line; the entry stays', () => {
  const { entry, diagnostics } = one('title T\nlinux /vmlinuz\nfoo bar\ninitrd\nversion\ninitrd /boot/\nlinux /kernels/\n');
  assert.equal(entry?.kernel.path, '/vmlinuz', 'a path ending in / does not replace the kernel');
  assert.deepEqual(entry?.initrds, []);
  assert.equal(entry?.version, undefined);
  assert.deepEqual(diagnostics, [
    { severity: 'warning', file: '/loader/entries/e.conf', line: 3, message: "unknown key 'foo' ignored" },
    { severity: 'warning', file: '/loader/entries/e.conf', line: 4, message: "'initrd' has no value; line ignored" },
    { severity: 'warning', file: '/loader/entries/e.conf', line: 5, message: "'version' has no value; line ignored" },
    { severity: 'warning', file: '/loader/entries/e.conf', line: 6, message: "'initrd' names a folder (/boot/); line ignored" },
    { severity: 'warning', file: '/loader/entries/e.conf', line: 7, message: "'linux' names a folder (/kernels/); line ignored" },
  ]);
});

test('no linux: an error and no entry; efi only: an info and no entry; both: the kernel, with an info', () => {
  assert.deepEqual(one('title T\noptions quiet\n'), {
    diagnostics: [{ severity: 'error', file: '/loader/entries/e.conf', line: 1, message: "entry has no 'linux' key, so there is no kernel to boot; not listed" }],
  });
  assert.deepEqual(one('title Shell\nefi /EFI/tools/shellx64.efi\n'), {
    diagnostics: [{ severity: 'info', file: '/loader/entries/e.conf', line: 2, message: 'entry starts an EFI program (/EFI/tools/shellx64.efi), which kexec cannot run; not listed' }],
  });
  const both = one('title T\nefi /EFI/x.efi\nlinux /vmlinuz\n');
  assert.equal(both.entry?.kernel.path, '/vmlinuz');
  assert.deepEqual(both.diagnostics, [
    { severity: 'info', file: '/loader/entries/e.conf', line: 2, message: 'entry names both a kernel and an EFI program (/EFI/x.efi); booting the kernel' },
  ]);
});

test('architecture filters against the machine, ignoring case', () => {
  assert.equal(one('linux /Image\narchitecture AA64\n', 'e.conf', AA64).entry?.architecture, 'AA64');
  const other = one('linux /Image\narchitecture aa64\n', 'e.conf', X64);
  assert.equal(other.entry, undefined);
  assert.deepEqual(other.diagnostics, [
    { severity: 'info', file: '/loader/entries/e.conf', line: 2, message: "entry is for architecture aa64, not this machine's x64; not listed" },
  ]);
});

test('title falls back to the id with .conf, as systemd-boot and bootctl show it', () => {
  assert.equal(one('linux /vmlinuz\n', 'debian-6.1.conf').entry?.title, 'debian-6.1.conf');
  assert.equal(one('linux /vmlinuz\n', 'debian-6.1+3-1.conf').entry?.title, 'debian-6.1.conf');
});

test('boot counting from the file name', () => {
  assert.deepEqual(parseBlsFileName('fedora-6.5+3.conf'), { id: 'fedora-6.5.conf', localId: 'fedora-6.5', bootCounting: { left: 3, done: 0 } });
  assert.deepEqual(parseBlsFileName('fedora-6.5+2-1.conf'), { id: 'fedora-6.5.conf', localId: 'fedora-6.5', bootCounting: { left: 2, done: 1 } });
  assert.deepEqual(parseBlsFileName('a+b+0-7.CONF'), { id: 'a+b.CONF', localId: 'a+b', bootCounting: { left: 0, done: 7 } });
  // Not counters: no digits, a counter in the middle, a trailing dash, an overflow.
  assert.deepEqual(parseBlsFileName('memtest86+.conf'), { id: 'memtest86+.conf', localId: 'memtest86+' });
  assert.deepEqual(parseBlsFileName('a+3-x.conf'), { id: 'a+3-x.conf', localId: 'a+3-x' });
  assert.deepEqual(parseBlsFileName('a+3-.conf'), { id: 'a+3-.conf', localId: 'a+3-' });
  assert.deepEqual(parseBlsFileName('a+99999999999.conf'), { id: 'a+99999999999.conf', localId: 'a+99999999999' });
  assert.equal(parseBlsFileName('a.cfg'), undefined);
  assert.equal(parseBlsFileName('.conf'), undefined);

  const bad = one('title T\nlinux /vmlinuz\n', 'x+0-1.conf').entry;
  assert.deepEqual(bad?.bootCounting, { left: 0, done: 1 });
  assert.deepEqual(bad?.notes, ['no boot tries left: it failed to boot 1 time']);
  assert.deepEqual(one('linux /v\n', 'x+0.conf').entry?.notes, ['no boot tries left: systemd-boot counts it as failed']);
  assert.deepEqual(one('linux /v\n', 'x+1-2.conf').entry?.notes, []);
});

test('GRUB variables in options or initrd get a note: systemd-boot passes them as written', () => {
  const e = one('linux /vmlinuz\ninitrd /initramfs.img $tuned_initrd\noptions root=/dev/sda1 ro $tuned_params\n').entry;
  assert.equal(e?.cmdline, 'root=/dev/sda1 ro $tuned_params');
  assert.deepEqual(e?.initrds, [res('/initramfs.img $tuned_initrd')]);
  assert.deepEqual(e?.notes, ['it uses the GRUB variable $tuned_params, which only GRUB expands (from grubenv), so it is passed as written']);
  assert.deepEqual(one('linux /vmlinuz\noptions $kernelopts\n').entry?.notes, ['it uses the GRUB variable $kernelopts, which only GRUB expands (from grubenv), so it is passed as written']);
});

// ---------------------------------------------------------------------------------------------
// Order, titles and the default across a folder. Expectations follow the spec's sorting rules
// and systemd-boot 252's config_entry_compare; bootctl 252 lists these same trees in this order.

function folder(entries: Record<string, string>, loaderConf?: string): MemoryFiles {
  const files = new MemoryFiles();
  for (const [name, text] of Object.entries(entries)) files.addFile(`/loader/entries/${name}`, text);
  if (loaderConf !== undefined) files.addFile('/loader/loader.conf', loaderConf);
  return files;
}

const tree = (name: string): DirectoryFiles => new DirectoryFiles(join(FIXTURES, name));

test('order: sort-key first (by key, machine-id, version newest first), then ids newest first, failed entries last', () => {
  const r = blsParser.parse(tree('order-rules'), 'p1', X64);
  assert.deepEqual(ids(r.entries), [
    'w', // sort-key "w" < "x"
    'sk2', // sort-key x, no machine-id (sorts first), version 2 beats none
    'sk', // no version: ids newest first, "sk.conf" > "notitle.conf"
    'notitle',
    'sk4', // machine-id aaa
    'sk3', // machine-id bbb, version 10 before 9
    'sk5',
    'zgood', // no sort-key: ids in descending version order
    'k-6.10',
    'k-6.9',
    'a', // "a.conf" is newer than "a-1.conf" in version order ('-' sorts before '.')
    'a-1',
    'UPPER', // 'U' < 'a'
    'bad', // no tries left: last, its sort-key notwithstanding
  ]);
  assert.equal(r.entries.find((e) => e.localId === 'notitle')?.title, 'notitle.conf');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.file, d.severity]),
    [
      ['/loader/entries/arm.conf', 'info'],
      ['/loader/entries/auto-windows.conf', 'info'],
      ['/loader/entries/memtest86+.conf', 'info'],
    ],
  );
});

test('equal titles get the version, then the machine-id, then the id appended (bootctl)', () => {
  const r = blsParser.parse(tree('title-clashes'), 'p1', X64);
  assert.deepEqual(
    r.entries.map((e) => e.title),
    [
      'Unique',
      'Same (s2.conf)',
      'Same (s1.conf)',
      'Debian (6.1.0-12-amd64)',
      'Debian (6.1.0-13-amd64) (fedcba0987654321fedcba0987654321)',
      'Debian (6.1.0-13-amd64) (1234567890abcdef1234567890abcdef)',
    ],
  );
});

test('the same id at two counter states: more tries left first; the second is not listed (ids must be unique)', () => {
  const files = folder({ 'good+1.conf': 'title g\nlinux /a\n', 'good+3-1.conf': 'title g\nlinux /a\n' });
  const r = blsParser.parse(files, 'p1', X64);
  assert.deepEqual(
    r.entries.map((e) => e.source.file),
    ['/loader/entries/good+3-1.conf'],
  );
  assert.deepEqual(r.diagnostics, [
    { severity: 'warning', file: '/loader/entries/good+1.conf', line: 1, message: "same entry id 'good' as /loader/entries/good+3-1.conf, which is listed instead" },
  ]);
});

test('folder contents that are not entries: dot files, other suffixes, auto-* names, folders', () => {
  const files = folder({
    '.hidden.conf': 'linux /a\n',
    'notes.txt': 'linux /a\n',
    'auto-windows.conf': 'title W\nlinux /a\n',
    'real.conf': 'linux /a\n',
  });
  files.addDir('/loader/entries/dir.conf');
  const r = blsParser.parse(files, 'p1', X64);
  assert.deepEqual(ids(r.entries), ['real']);
  assert.deepEqual(r.diagnostics, [
    { severity: 'info', file: '/loader/entries/auto-windows.conf', line: 1, message: "names starting with 'auto-' are reserved for systemd-boot's own entries; not listed" },
  ]);
});

/** The default-globs tree with its loader.conf replaced (MemoryFiles copy of the fixture's entries). */
function defaultWith(pattern: string): { marked: string[]; diagnostics: Diagnostic[] } {
  const disk = tree('default-globs');
  const files = new MemoryFiles({ '/loader/loader.conf': `timeout 3\ndefault ${pattern}\n` });
  for (const n of disk.list('/loader/entries') ?? []) files.addFile(`/loader/entries/${n}`, disk.readText(`/loader/entries/${n}`) ?? '');
  const r = blsParser.parse(files, 'p1', X64);
  return { marked: r.entries.filter((e) => e.isDefault).map((e) => e.localId), diagnostics: r.diagnostics };
}

test('default-globs as on disk: d?.conf marks d2, the first match in order', () => {
  const r = blsParser.parse(tree('default-globs'), 'p1', X64);
  assert.deepEqual(ids(r.entries), ['s2', 'good', 'd2', 'd1', 'bad']);
  assert.deepEqual(r.entries.map((e) => e.isDefault), [false, false, true, false, false]);
  assert.equal(r.configTimeout, 3);
});

test('loader.conf default: a case-insensitive glob over ids with .conf; the first match in order wins', () => {
  assert.deepEqual(defaultWith('d1.conf').marked, ['d1']);
  assert.deepEqual(defaultWith('D2.CONF').marked, ['d2']);
  assert.deepEqual(defaultWith('d?.conf').marked, ['d2'], 'd2 comes before d1 (newest first)');
  assert.deepEqual(defaultWith('[s]2*').marked, ['s2']);
  assert.deepEqual(defaultWith('[!s]*').marked, ['good']);
  assert.deepEqual(defaultWith('good.conf').marked, ['good'], 'the boot counter is not part of the id');
  assert.deepEqual(defaultWith('bad*').marked, ['bad'], 'systemd-boot honours a default without tries left');
  const bare = defaultWith('d1');
  assert.deepEqual(bare.marked, [], 'ids end in .conf: "d1" alone matches nothing');
  assert.deepEqual(bare.diagnostics, [{ severity: 'warning', file: '/loader/loader.conf', line: 2, message: "default 'd1' matches no listed entry" }]);
});

test('loader.conf default specials and timeout forms', () => {
  const saved = defaultWith('@saved');
  assert.deepEqual(saved.marked, []);
  assert.deepEqual(saved.diagnostics, [
    { severity: 'info', file: '/loader/loader.conf', line: 2, message: 'default @saved means the entry booted last, which systemd-boot keeps in an EFI variable; no entry is marked default' },
  ]);
  const other = defaultWith('@foo');
  assert.deepEqual(other.marked, []);
  assert.deepEqual(other.diagnostics, [{ severity: 'warning', file: '/loader/loader.conf', line: 2, message: "default '@foo' is not an entry id glob or @saved; ignored" }]);

  const timeout = (conf: string): { t: number | undefined; d: Diagnostic[] } => {
    const r = blsParser.parse(folder({ 'a.conf': 'linux /a\n' }, conf), 'p1', X64);
    return { t: r.configTimeout, d: r.diagnostics };
  };
  assert.deepEqual(timeout('timeout 0\n'), { t: 0, d: [] });
  assert.deepEqual(timeout('timeout 10\ntimeout 7\n'), { t: 7, d: [] });
  assert.deepEqual(timeout('timeout menu-hidden\n'), { t: 0, d: [] });
  assert.deepEqual(timeout('timeout 5\ntimeout menu-force\n'), {
    t: undefined,
    d: [{ severity: 'info', file: '/loader/loader.conf', line: 2, message: 'timeout menu-force: systemd-boot waits for a choice here' }],
  });
  assert.deepEqual(timeout('timeout 5s\n'), {
    t: undefined,
    d: [{ severity: 'warning', file: '/loader/loader.conf', line: 1, message: "timeout '5s' is not a number of seconds, menu-force or menu-hidden; ignored" }],
  });
});

test('globMatch: fnmatch sets, ranges, escapes, case', () => {
  assert.equal(globMatch('fedora-*', 'Fedora-6.5.conf'), true);
  assert.equal(globMatch('*-6.?.conf', 'x-6.5.conf'), true);
  assert.equal(globMatch('*-6.?.conf', 'x-6.10.conf'), false);
  assert.equal(globMatch('[a-c]x', 'Bx'), true);
  assert.equal(globMatch('[!a-c]x', 'bx'), false);
  assert.equal(globMatch('[^a-c]x', 'dx'), true);
  assert.equal(globMatch('[]]', ']'), true);
  assert.equal(globMatch('[ab', '[ab'), true, 'an unclosed [ is literal');
  assert.equal(globMatch('a\\*', 'a*'), true);
  assert.equal(globMatch('a\\*', 'ab'), false);
  assert.equal(globMatch('*a*b*c', 'xxaxxbxxc'), true);
  assert.equal(globMatch('', ''), true);
  assert.equal(globMatch('*', ''), true);
  // Bounded work: a pattern that makes a backtracking RegExp explode answers at once.
  assert.equal(globMatch('*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(200)), false);
});

// ---------------------------------------------------------------------------------------------
// Root file systems that hold /boot.

test('a root file system: /boot/loader/entries with partition-rooted and $BOOT-rooted paths', () => {
  const files = new MemoryFiles({
    '/boot/loader/entries/fedora-6.11.conf': 'title F\nversion 6.11\nlinux /boot/vmlinuz-6.11\ninitrd /boot/initramfs-6.11.img\n',
    // Written for a separate /boot partition, later copied onto the root file system.
    '/boot/loader/entries/old-6.1.conf': 'title O\nversion 6.1\nlinux /vmlinuz-6.1\ninitrd /initramfs-6.1.img\ndevicetree /dtb-6.1/board.dtb\n',
    '/boot/vmlinuz-6.11': 'k',
    '/boot/initramfs-6.11.img': 'i',
    '/boot/vmlinuz-6.1': 'k',
    '/boot/initramfs-6.1.img': 'i',
    '/boot/loader/loader.conf': 'timeout 2\ndefault old-*\n',
  });
  const r = blsParser.parse(files, 'sda2', X64);
  assert.deepEqual(
    r.entries.map((e) => [e.localId, e.kernel.path, e.initrds.map((i) => i.path), e.devicetree?.resource.path, e.isDefault]),
    [
      ['old-6.1', '/boot/vmlinuz-6.1', ['/boot/initramfs-6.1.img'], '/boot/dtb-6.1/board.dtb', true],
      ['fedora-6.11', '/boot/vmlinuz-6.11', ['/boot/initramfs-6.11.img'], undefined, false],
    ],
  );
  assert.equal(r.configTimeout, 2);
});

test('a `boot -> .` link makes /boot/loader/entries the same folder: each entry once', () => {
  const files = new MemoryFiles({ '/loader/entries/a.conf': 'linux /vmlinuz\n', '/vmlinuz': 'k', '/boot': { link: '.' } });
  const r = blsParser.parse(files, 'p1', X64);
  assert.deepEqual(ids(r.entries), ['a']);
  assert.deepEqual(r.diagnostics, []);
});

test('no entries folder: nothing, silently', () => {
  assert.deepEqual(blsParser.parse(new MemoryFiles({ '/loader/loader.conf': 'timeout 3\n' }), 'p1', X64), { entries: [], diagnostics: [] });
});

// ---------------------------------------------------------------------------------------------
// Bad input: never throws, never hangs, says which file and line.

test('binary junk: NUL bytes make the file unreadable as text, with the line', () => {
  const r = one('title T\nlinux /v\n\u0000\u0001\u0002junk');
  assert.deepEqual(r, { diagnostics: [{ severity: 'error', file: '/loader/entries/e.conf', line: 3, message: 'contains NUL bytes, so it is not a text file; not read' }] });
  // CR, LF and CRLF each end one line when counting where the NUL is.
  assert.equal(one('a\r\nb\rc\nd\r\r\n\u0000').diagnostics[0]?.line, 6);
});

test('a line over 1 MiB rejects the file, as systemd does', () => {
  const r = one(`title T\nlinux /v\noptions ${'x'.repeat(1024 * 1024)}\n`);
  assert.equal(r.entry, undefined);
  assert.deepEqual(r.diagnostics, [{ severity: 'error', file: '/loader/entries/e.conf', line: 3, message: 'line is longer than 1048576 characters; the file is not read' }]);
  // Just under the limit is a (useless but valid) line.
  assert.equal(one(`linux /v\noptions ${'y'.repeat(1000)}${' '.repeat(500_000)}\n`).entry?.cmdline, 'y'.repeat(1000));
});

test('a file far larger than any entry is not read (bounded time)', () => {
  const r = one(`linux /v\n${'options x\n'.repeat(500_000)}`);
  assert.deepEqual(r, {
    diagnostics: [{ severity: 'error', file: '/loader/entries/e.conf', line: 1, message: 'is 5000009 characters long, far more than any boot entry or loader.conf; not read' }],
  });
});

test('a truncated file still gives what it has', () => {
  const r = one('title Debian\nversion 6.1\nlinux /vmlinuz-6.1\ninitrd /initrd.img-6');
  assert.deepEqual(r.entry?.initrds, [res('/initrd.img-6')]);
  assert.deepEqual(r.diagnostics, []);
});

test('junk text: problems are listed up to a cap, then one summary', () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `junk${i} value`).join('\n');
  const r = one(`linux /v\n${lines}`);
  assert.equal(r.entry?.kernel.path, '/v');
  assert.equal(r.diagnostics.length, 21);
  assert.deepEqual(r.diagnostics[0], { severity: 'warning', file: '/loader/entries/e.conf', line: 2, message: "unknown key 'junk0' ignored" });
  assert.deepEqual(r.diagnostics[20], { severity: 'warning', file: '/loader/entries/e.conf', line: 22, message: 'more than 20 problems; the rest are not listed' });
});

test('random bytes never throw, in entries and in loader.conf', () => {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let round = 0; round < 200; round++) {
    const len = Math.floor(rand() * 2000);
    let text = '';
    for (let i = 0; i < len; i++) {
      // Mostly printable with newlines, spaces and key names, so the parser gets past line 1.
      const r = rand();
      text += r < 0.1 ? '\n' : r < 0.2 ? ' ' : r < 0.25 ? ['linux', 'initrd', 'options', 'default', 'timeout', '#'][Math.floor(rand() * 6)] : String.fromCharCode(Math.floor(rand() * (round % 2 ? 0x80 : 0x3000)) + 1);
    }
    const files = folder({ [`r${round}+${round % 3}-1.conf`]: text, 'ok.conf': 'linux /v\n' }, text);
    const r = blsParser.parse(files, 'p1', X64);
    assert.ok(r.entries.some((e) => e.localId === 'ok'), `round ${round}: the good entry survives`);
    for (const d of r.diagnostics) assert.ok(d.file.startsWith('/loader/'), `round ${round}: diagnostics name the file`);
  }
});
