// GRUB's script language as the reader interprets it: lexing and word expansion, functions
// and positional parameters, conditions, loops, source/configfile, search and devices, the
// loader commands and blscfg. Expected values follow GRUB's rules (grub-core/script/*.c,
// commands/*.c, lib/cmdline.c), not our output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lexer, type Token } from '../../src/entries/grub/lexer';
import { loaderCmdline } from '../../src/entries/grub/boot-record';
import { compareBlsIds, expandVariables, rpmVercmp } from '../../src/entries/grub/blscfg';
import { parseGrubenv } from '../../src/entries/grub/grubenv';
import { grubParser } from '../../src/entries/grub';
import { MemoryFiles } from '../../src/fs/memory-files';
import { grubenv, messages, runGrub, self, summary, titles, X64 } from './grub-helpers';

function tokens(text: string): string[] {
  const lexer = new Lexer(text);
  const out: string[] = [];
  for (let t: Token = lexer.next(); t.kind !== 'eof'; t = lexer.next()) {
    if (t.kind === 'word') out.push(`${t.keyword ? 'kw:' : ''}${JSON.stringify(t.word)}@${t.line}`);
    else if (t.kind === 'operator') out.push(`op:${t.text}@${t.line}`);
    else if (t.kind === 'error') out.push(`error@${t.line}`);
    else out.push(`${t.kind}@${t.line}`);
  }
  return out;
}

test('lexer: quotes, escapes, variables, comments only at word start, continuation lines', () => {
  assert.deepEqual(tokens("echo a#b # comment\nif x;then"), ['"echo"@1', '"a#b"@1', 'newline@1', 'kw:"if"@2', '"x"@2', 'semicolon@2', 'kw:"then"@2']);
  assert.deepEqual(tokens('a\\ b "c $d" \'$e\' ${f}g'), [
    '"a b"@1',
    '[{"kind":"quoted","text":"c "},{"kind":"quotedVar","name":"d"},{"kind":"quoted","text":""}]@1',
    '[{"kind":"quoted","text":"$e"}]@1',
    '[{"kind":"var","name":"f"},{"kind":"text","text":"g"}]@1',
  ]);
  // `\` + newline joins lines; the next token is on line 2.
  assert.deepEqual(tokens('linux /k \\\n  quiet\nx'), ['"linux"@1', '"/k"@1', '"quiet"@2', 'newline@2', '"x"@3']);
  // Inside double quotes only \$ \\ \" and \newline are escapes.
  assert.deepEqual(tokens('"a\\$b\\\\c\\"d\\ne"'), ['[{"kind":"quoted","text":"a$b\\\\c\\"d\\\\ne"}]@1']);
  // A quote may span lines; the line count goes on from its end.
  assert.deepEqual(tokens("'a\nb' c"), ['[{"kind":"quoted","text":"a\\nb"}]@1', '"c"@2']);
  assert.deepEqual(tokens('a || b && c | d ;; e < f > g & h'), ['"a"@1', 'op:||@1', '"b"@1', 'op:&&@1', '"c"@1', 'op:|@1', '"d"@1', 'op:;;@1', '"e"@1', 'op:<@1', '"f"@1', 'op:>@1', '"g"@1', 'op:&@1', '"h"@1']);
  // Errors drop the rest of their line only.
  assert.deepEqual(tokens('echo "never closed\necho ok'), ['"echo"@1', 'error@1', 'newline@1', '"echo"@2', '"ok"@2']);
  assert.deepEqual(tokens('echo ${x-y} z\nok'), ['"echo"@1', 'error@1', 'newline@1', '"ok"@2']);
  // CRLF files read like LF files.
  assert.deepEqual(tokens('a\r\nb'), ['"a"@1', 'newline@1', '"b"@2']);
});

test('GRUB word expansion: unquoted variables split, quoted ones do not, empty ones vanish, "" stays', () => {
  const r = runGrub(`
set two="x  y"
set empty=
menuentry 'E' {
  linux /k a$two b "$two" $empty "" "$empty" c\\ d 'e f' $undefined
}`);
  // args: ax | y | b | "x  y" | "" | "" | "c d" | "e f"  → GRUB's loader quotes words with spaces.
  assert.equal(r.entries[0]?.cmdline, 'ax y b "x  y"   "c d" "e f"');
  assert.deepEqual(r.diagnostics, []);
});

test("loader command line: GRUB's quoting of spaces, quotes and backslashes (lib/cmdline.c)", () => {
  assert.equal(loaderCmdline(['root=/dev/sda1', 'acpi_osi=Windows 2020', 'a"b', "it's", 'c\\d', 'e\\x41f']), 'root=/dev/sda1 "acpi_osi=Windows 2020" a\\"b it\\\'s c\\\\d e\\x41f');
  assert.equal(loaderCmdline([]), '');
});

test('functions: positional parameters ($1, $10, $#, $@), setparams, shift, return', () => {
  const r = runGrub(`
function params {
  p="$1 $2 $10 ($#)"
}
function first_only {
  shift
  rest="$*"
  split="$@"
  return 0
  rest=never
}
function set_it { setparams one two; sp="$2"; }
menuentry 'Linux' {
  params abc 123 3 4 5 6 7 8 9 bingo
  first_only drop keep1 keep2
  set_it
  linux /vmlinuz-6.1 $p rest="$rest" split=$split sp=$sp
}`);
  // "$*" joins the parameters; "$@" makes one word of each, so \`split="$@"\` sets only the first.
  assert.equal(r.entries[0]?.cmdline, 'abc 123 bingo (10) "rest=keep1 keep2" split=keep1 sp=two');
});

test('menu entries see their own words as $1, $2…; --id, --class, --hotkey, --users, --unrestricted parsed as GRUB does', () => {
  const r = runGrub(`
set superusers=root
menuentry 'Snap' '/.snapshots/7/snapshot' --class os --hotkey=s --id snap7 --users '' {
  linux /vmlinuz-6.1 title="$1" subvol=$2 count=$#
}
menuentry 'Free' --unrestricted --users --id=free {
  linux /vmlinuz-6.1
}`, { '/vmlinuz-6.1': 'k' });
  assert.deepEqual(
    r.entries.map((e) => [e.localId, e.title, e.cmdline, e.notes]),
    [
      ['snap7', 'Snap', 'title=Snap subvol=/.snapshots/7/snapshot count=2', ['GRUB asks for a password before booting this entry']],
      ['free', 'Free', '', []],
    ],
  );
});

test('conditions: string and file tests on this partition, ! -a -o, elif chains, test and [', () => {
  const r = runGrub(`
v=
if [ -f /boot/present ]; then v="\${v}a"; fi
if [ -f /boot/absent ]; then v="\${v}b"; fi
if [ -e /boot -a -d /boot ]; then v="\${v}c"; fi
if [ -s /boot/empty ]; then v="\${v}d"; fi
if ! test -n "" -o x = y; then v="\${v}e"; fi
if [ "$grub_platform" = "pc" ]; then v="\${v}f"; elif [ "$grub_cpu" = "x86_64" ]; then v="\${v}g"; else v="\${v}h"; fi
if true; then v="\${v}i"; else v="\${v}j"; fi
if [ 10 -gt 9 ]; then v="\${v}k"; fi
if [ a ]; then v="\${v}l"; fi
menuentry "$v" { linux /vmlinuz }
`, { '/boot/present': 'x', '/boot/empty': '', '/vmlinuz': 'k' });
  assert.deepEqual(titles(r), ['acegikl']);
});

test('an undecidable condition keeps the entries of every branch, with a note, and only the first branch sets variables', () => {
  const r = runGrub(`
if hwmatch \${prefix}/gfxblacklist.txt 3; then
  set pick=first
  menuentry 'Listed card' { linux /vmlinuz-a }
else
  set pick=second
  menuentry 'Normal' { linux /vmlinuz-b $pick }
fi
menuentry "after-$pick" { linux /vmlinuz-c }
`);
  const note = 'GRUB lists this only depending on a condition it checks at boot (line 2 of /boot/grub/grub.cfg), which cannot be checked from here';
  assert.deepEqual(
    r.entries.map((e) => [e.title, e.cmdline, e.notes]),
    [
      ['Listed card', '', [note]],
      // The body runs when chosen, with the variables as the config left them (pick=first).
      ['Normal', 'first', [note]],
      ['after-first', '', []],
    ],
  );
});

test('decided as a machine booting unattended would: no modifier key held, 64-bit CPU on x64', () => {
  // Ubuntu 14.04's hidden-timeout code.
  const r = runGrub(`
if keystatus; then
  if keystatus --shift; then set timeout=-1; else set timeout=0; fi
else
  set timeout=3
fi
if cpuid -l; then menuentry 'x86_64' { linux /vmlinuz }; else menuentry 'i386' { linux /vmlinuz }; fi
`);
  assert.equal(r.configTimeout, 0);
  assert.deepEqual(titles(r), ['x86_64']);
  assert.deepEqual(r.entries[0]?.notes, []);
});

test('the platform is UEFI: grub_platform=efi, grub_cpu from the machine (x64 → x86_64, aa64 → arm64)', () => {
  const cfg = `
if [ "\${grub_platform}" = "efi" ]; then menuentry "efi-$grub_cpu" { linux /vmlinuz }; fi
if [ "\${grub_platform}" = "pc" ]; then menuentry "bios" { linux16 /vmlinuz }; fi`;
  assert.deepEqual(titles(runGrub(cfg)), ['efi-x86_64']);
  assert.deepEqual(titles(runGrub(cfg, {}, { efiArch: 'aa64' })), ['efi-arm64']);
});

test('an installer menu built in a loop over the folders present, each entry reading its word as $2', () => {
  const cfg = `
for BITS in 32 64; do
  if [ -d "/ppc/ppc\${BITS}" ]; then
    menuentry "Install (\${BITS}-bit)" $BITS --class os {
      linux /ppc/ppc\${2}/vmlinuz ro
      initrd /ppc/ppc\${2}/initrd.img
    }
  fi
done
submenu 'Other options...' { menuentry 'Reboot' { reboot; } }
`;
  const files = new MemoryFiles({ '/boot/grub/grub.cfg': cfg, '/ppc/ppc64/vmlinuz': 'k' });
  const r = grubParser.parse(files, 'sda1', X64);
  assert.deepEqual(r.entries.map((e) => [e.title, e.kernel.path, e.initrds.map((i) => i.path), e.cmdline]), [['Install (64-bit)', '/ppc/ppc64/vmlinuz', ['/ppc/ppc64/initrd.img'], 'ro']]);
  assert.deepEqual(messages(r), ['info@10: "Other options... > Reboot" reboots the machine, which kexec cannot do; not listed']);
});

test('loops: for over words, while/until with break and continue, runaway loops stopped', () => {
  const r = runGrub(`
for k in 6.1 6.2 "6.3 rc"; do
  if [ "$k" = 6.2 ]; then continue; fi
  menuentry "Linux $k" "$k" { linux /vmlinuz-$2 }
done
n=
while [ "$n" != xxx ]; do n="\${n}x"; done
until true; do menuentry never { linux /x; }; done
while true; do break; done
while true; do echo forever; done
menuentry "n=$n" { linux /vmlinuz }
`);
  assert.deepEqual(summary(r.entries), [
    { title: 'Linux 6.1', kernel: '/vmlinuz-6.1', cmdline: '', isDefault: true },
    { title: 'Linux 6.3 rc', kernel: '/vmlinuz-6.3', cmdline: 'rc', isDefault: false },
    { title: 'n=xxx', kernel: '/vmlinuz', cmdline: '', isDefault: false },
  ]);
  assert.deepEqual(messages(r), ['warning@10: this loop is stopped after 1000 rounds']);
});

test('source shares variables and menu (config_directory points at it meanwhile); configfile opens a new context with only exported variables', () => {
  const r = runGrub(
    `
set plain=p
set shared=s
export shared
source /boot/grub/custom/extra.cfg
menuentry "top $from_source $source_dir $config_file" { linux /vmlinuz }
menuentry 'Other menu' { configfile /boot/grub/other.cfg }
`,
    {
      '/boot/grub/custom/extra.cfg': 'from_source=yes\nsource_dir=$config_directory\nmenuentry "sourced $plain" { linux /vmlinuz-s }\n',
      '/boot/grub/other.cfg': 'menuentry "nested plain=$plain shared=$shared" { linux /vmlinuz-o }\n',
    },
  );
  assert.deepEqual(titles(r), ['sourced p', 'top yes (vda2)/boot/grub/custom (vda2)/boot/grub/grub.cfg', 'Other menu > nested plain= shared=s']);
  assert.equal(r.entries[0]?.source.file, '/boot/grub/custom/extra.cfg');
  assert.equal(r.entries[2]?.source.file, '/boot/grub/other.cfg');
});

test('search: --fs-uuid/-u, --label/-l, search.fs_uuid/fs_label, --set=VAR, --set without a name sets root', () => {
  const r = runGrub(`
menuentry a { search --no-floppy --fs-uuid --set=root --hint-bios=hd0,gpt2 --hint-efi=hd0,gpt2 --hint-baremetal=ahci0,gpt2 --hint-future=x 1234-ABCD; linux /vmlinuz }
menuentry b { search -l -s BOOT; linux /vmlinuz }
menuentry c { search.fs_label data root; linux /vmlinuz }
menuentry d { search.fs_uuid 5678 dev hd0,gpt1; linux ($dev)/vmlinuz }
menuentry e { search --set=boot --fs-uuid 9999; linux /vmlinuz; initrd ($boot)/initrd }
menuentry f { search --fs-uuid 4444; linux /vmlinuz }
`);
  assert.deepEqual(
    r.entries.map((e) => [e.title, e.kernel, e.initrds]),
    [
      ['a', { partition: { by: 'uuid', value: '1234-ABCD' }, path: '/vmlinuz' }, []],
      ['b', { partition: { by: 'label', value: 'BOOT' }, path: '/vmlinuz' }, []],
      ['c', { partition: { by: 'label', value: 'data' }, path: '/vmlinuz' }, []],
      ['d', { partition: { by: 'uuid', value: '5678' }, path: '/vmlinuz' }, []],
      // --set=boot leaves root alone.
      ['e', self('/vmlinuz'), [{ partition: { by: 'uuid', value: '9999' }, path: '/initrd' }]],
      // Without --set, search only prints what it finds.
      ['f', self('/vmlinuz'), []],
    ],
  );
});

test('search --file: this partition when the file is here, else unmappable with the reason', () => {
  const r = runGrub(
    `
menuentry here { search --file --set=root /boot/marker; linux /vmlinuz }
menuentry there { search -f -s /elsewhere/marker; linux /vmlinuz }
`,
    { '/boot/marker': '', '/vmlinuz': 'k' },
  );
  assert.deepEqual(r.entries.map((e) => e.kernel), [self('/vmlinuz'), { partition: { by: 'unmappable', value: 'search --file /elsewhere/marker' }, path: '/vmlinuz' }]);
});

test('GRUB device names: (hdX,Y)/path and root=hdX,Y are this partition when the file is here, else unmappable', () => {
  const r = runGrub(
    `
menuentry a { linux (hd0,msdos1)/vmlinuz-here }
menuentry b { set root='hd1,gpt3'; linux /vmlinuz-missing; initrd /initrd-here }
menuentry c { set root=(hd0,gpt2); linux /vmlinuz-here }
menuentry d { set root='hd0,gpt2'; search --no-floppy --fs-uuid --set=root abcd; linux /vmlinuz-here }
`,
    { '/vmlinuz-here': 'k', '/initrd-here': 'i' },
  );
  assert.deepEqual(
    r.entries.map((e) => [e.title, e.kernel, e.initrds]),
    [
      ['a', self('/vmlinuz-here'), []],
      ['b', { partition: { by: 'unmappable', value: '(hd1,gpt3)' }, path: '/vmlinuz-missing' }, [self('/initrd-here')]],
      ['c', self('/vmlinuz-here'), []],
      // search runs after `set root`, so it wins (Debian's entries do exactly this).
      ['d', { partition: { by: 'uuid', value: 'abcd' }, path: '/vmlinuz-here' }, []],
    ],
  );
});

test('loader commands: linux16/initrd16, several initrds (the last initrd command wins), devicetree, newc:', () => {
  const r = runGrub(`
menuentry a { linux16 /vmlinuz-6.1.0-1-686 ro; initrd16 /early.img /initrd.img }
menuentry b { linux /Image-6.6.0 console=ttyAMA0; initrd /old.img; initrd /ucode.img /initrd-6.6.img; devicetree /dtbs/board.dtb }
menuentry c { linux /vmlinuz; initrd newc:/custom:/boot/extra.cpio }
menuentry d { linux /vmlinuz root=/dev/sda1 -- single --verbose }
`);
  assert.deepEqual(
    r.entries.map((e) => [e.version, e.kernel.path, e.initrds.map((i) => i.path), e.devicetree, e.cmdline]),
    [
      ['6.1.0-1-686', '/vmlinuz-6.1.0-1-686', ['/early.img', '/initrd.img'], undefined, 'ro'],
      ['6.6.0', '/Image-6.6.0', ['/ucode.img', '/initrd-6.6.img'], { kind: 'file', resource: self('/dtbs/board.dtb') }, 'console=ttyAMA0'],
      [undefined, '/vmlinuz', ['/boot/extra.cpio'], undefined, ''],
      // `linux` takes no options: everything after the file, `--` included, is the command line.
      [undefined, '/vmlinuz', [], undefined, 'root=/dev/sda1 -- single --verbose'],
    ],
  );
  assert.deepEqual(messages(r), ['warning@4: `newc:/custom:/boot/extra.cpio`: GRUB would wrap the file into a cpio archive under a new name; it is passed unwrapped']);
});

test('entries kexec cannot start are skipped with an info naming the title (Xen, chainloader, no kernel)', () => {
  const r = runGrub(`
menuentry 'Debian GNU/Linux, with Xen hypervisor' {
  multiboot2 /boot/xen.gz placeholder dom0_mem=1024M
  module2 /boot/vmlinuz-6.1.0-13-amd64 placeholder root=UUID=x ro
  module2 --nounzip /boot/initrd.img-6.1.0-13-amd64
}
menuentry 'Windows' { insmod chain; chainloader /EFI/Microsoft/Boot/bootmgfw.efi }
menuentry 'Reboot' { reboot }
menuentry 'Nothing' { echo hi }
menuentry 'Linux' { linux /vmlinuz }
`);
  assert.deepEqual(titles(r), ['Linux']);
  assert.deepEqual(messages(r), [
    'info@2: "Debian GNU/Linux, with Xen hypervisor" starts a Multiboot2 kernel such as Xen (multiboot2), which kexec cannot do; not listed',
    'info@7: "Windows" chain-loads another boot loader (chainloader), which kexec cannot do; not listed',
    'info@8: "Reboot" reboots the machine, which kexec cannot do; not listed',
    'info@9: "Nothing" loads no Linux kernel; not listed',
  ]);
});

test('eval, name=value assignments, export, unknown commands warned once per line', () => {
  const r = runGrub(`
eval "set a=1; b=2"
c=3 ignored words
frobnicate --hard
menuentry "v$a$b$c" { frobnicate; linux /vmlinuz }
`);
  assert.deepEqual(titles(r), ['v123']);
  assert.deepEqual(messages(r), [
    'warning@4: `frobnicate` is not a GRUB command kexec-menu knows; it is ignored',
    'warning@5: `frobnicate` is not a GRUB command kexec-menu knows; it is ignored',
  ]);
});

test('grubenv: signature, # lines and padding, backslash escapes; a bad block is reported, not read', () => {
  assert.deepEqual(parseGrubenv(grubenv({ saved_entry: 'a>b', odd: 'back\\slash', multi: 'l1\nl2' })), {
    ok: true,
    vars: new Map([['saved_entry', 'a>b'], ['odd', 'back\\slash'], ['multi', 'l1\nl2']]),
  });
  assert.equal(parseGrubenv('saved_entry=x\n').ok, false);
  const r = runGrub('load_env\nmenuentry "s=$saved_entry" { linux /vmlinuz }\n', { '/boot/grub/grubenv': 'saved_entry=1\n' });
  assert.deepEqual(titles(r), ['s=']);
  assert.deepEqual(messages(r), ['warning@1: not a GRUB environment block: it does not start with "# GRUB Environment Block", so GRUB ignores it']);
  const f = runGrub('load_env -f ($root)/boot/grub/other.env saved_entry\nmenuentry "$saved_entry-$other" { linux /vmlinuz }\n', {
    '/boot/grub/other.env': grubenv({ saved_entry: 'x', other: 'y' }),
  });
  assert.deepEqual(titles(f), ['x-'], 'only the listed variable is loaded');
});

test('blscfg: GRUB variables in options expanded ($kernelopts, $tuned_params), early_initrd, blsdir, rpm order', () => {
  const entry = (version: string, options: string) =>
    `title Linux ${version}\nversion ${version}\nlinux /vmlinuz-${version}\ninitrd /initramfs-${version}.img\noptions ${options}\n`;
  const files = new MemoryFiles({
    '/grub2/grub.cfg': `load_env\nset tuned_params="skew_tick=1"\nset early_initrd="microcode.img"\nblscfg\n`,
    '/grub2/grubenv': grubenv({ kernelopts: 'root=/dev/mapper/rhel-root ro crashkernel=auto' }),
    '/loader/entries/m-5.14.0-70.el9.x86_64.conf': entry('5.14.0-70.el9.x86_64', '$kernelopts $tuned_params debug'),
    '/loader/entries/m-5.14.0-162.el9.x86_64.conf': entry('5.14.0-162.el9.x86_64', '$kernelopts\\$notavar $undefined'),
    '/loader/entries/m-0-rescue.conf': entry('0-rescue', '${kernelopts}'),
  });
  const r = grubParser.parse(files, 'sda1', X64);
  assert.deepEqual(
    r.entries.map((e) => [e.localId, e.cmdline, e.initrds.map((i) => i.path)]),
    [
      // rpm vercmp on the file names: 162 > 70 (numerically), rescue (version 0) last.
      ['m-5.14.0-162.el9.x86_64', 'root=/dev/mapper/rhel-root ro crashkernel=auto $notavar', ['/microcode.img', '/initramfs-5.14.0-162.el9.x86_64.img']],
      ['m-5.14.0-70.el9.x86_64', 'root=/dev/mapper/rhel-root ro crashkernel=auto skew_tick=1 debug', ['/microcode.img', '/initramfs-5.14.0-70.el9.x86_64.img']],
      ['m-0-rescue', 'root=/dev/mapper/rhel-root ro crashkernel=auto', ['/microcode.img', '/initramfs-0-rescue.img']],
    ],
  );
  assert.ok(r.entries[0]?.isDefault, 'no default set: the first entry');
  // blsdir points elsewhere; nothing there means nothing listed, and an info says why.
  const none = grubParser.parse(new MemoryFiles({ '/grub2/grub.cfg': 'set blsdir=/nowhere\nblscfg\n' }), 'sda1', X64);
  assert.deepEqual(none.entries, []);
  assert.deepEqual(messages(none), ['info@2: blscfg reads Boot Loader Spec entries from /nowhere on this partition; there are none here']);
});

test('rpm version order of blscfg (vercmp, name-version-release split)', () => {
  assert.ok(rpmVercmp('5.14.0', '5.9.0') > 0);
  assert.ok(rpmVercmp('1.0~rc1', '1.0') < 0);
  assert.ok(rpmVercmp('1.0+git', '1.0') > 0);
  assert.ok(rpmVercmp('1.a', '1.1') < 0, 'numbers are newer than letters');
  assert.equal(rpmVercmp('01', '1'), 0);
  assert.ok(compareBlsIds('abc-6.6.9-200.fc39.x86_64', 'abc-6.5.6-300.fc39.x86_64') > 0);
  assert.ok(compareBlsIds('abc-0-rescue', 'abc-6.5.6-300.fc39.x86_64') < 0);
  assert.equal(expandVariables('$a x ${b} \\$c $d', (n) => ({ a: 'A', b: 'B' })[n]), 'A x B \\$c ');
});

test('the same config reached twice (a symlink, an ESP copy that configfiles it) is listed once', () => {
  const cfg = 'menuentry one { linux /vmlinuz }\n';
  const files = new MemoryFiles({
    '/boot/grub/grub.cfg': cfg,
    '/grub/grub.cfg': { link: '../boot/grub/grub.cfg' },
    '/EFI/debian/grub.cfg': 'search --file --set=root /boot/grub/grub.cfg\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n',
    '/EFI/other/grub.cfg': 'configfile /EFI/other/second.cfg\n',
    '/EFI/other/second.cfg': 'menuentry two { linux /vmlinuz-2 }\n',
  });
  const r = grubParser.parse(files, 'sda1', X64);
  assert.deepEqual(titles(r), ['one', 'two']);
  assert.deepEqual(r.entries.map((e) => e.source.file), ['/boot/grub/grub.cfg', '/EFI/other/second.cfg']);
  assert.deepEqual(r.diagnostics, []);
});
