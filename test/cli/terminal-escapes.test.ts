// Strings from disks (titles, versions, paths, command lines, notes, diagnostics) and from
// the command line never reach the terminal as control characters: every command's text
// output goes through src/cli/output.ts (printable(), the menu's own filter), which keeps
// only line feeds and tabs; JSON escapes them instead and keeps the exact values. The real
// built CLI on a tree whose names and configs hold ESC ] 0 ; … BEL, ESC [ 2 J and the C1 CSI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('build/src/cli.js');
const KERNEL = resolve(process.arch === 'arm64' ? 'samples/armbian/boot/vmlinuz-6.6.16-current-rockchip64' : 'samples/debian-boot/vmlinuz-6.1.0-13-amd64');

const OSC = '\x1b]0;owned\x07';
const CLEAR = '\x1b[2J';
const CSI8 = '\x9b31m';
/** Backspace and DEL too; a carriage return ends a config line, so it comes on the command line only. */
const EVIL = `${OSC}${CLEAR}${CSI8}\x08\x7f`;
const SHOWN = '?]0;owned??[2J?31m??';
/** Any control character but line feed and tab: C0, DEL, C1. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

const dir = mkdtempSync(join(tmpdir(), 'kexec-escapes-'));
const root = join(dir, 'disk');
const kernel = join(root, `vmlinuz-${CLEAR}evil`);
const initrd = join(root, `initrd-\x07${CSI8}.img`);
before(() => {
  for (const sub of ['loader/entries', 'boot/grub']) mkdirSync(join(root, sub), { recursive: true });
  copyFileSync(KERNEL, kernel);
  writeFileSync(initrd, Buffer.alloc(64));
  writeFileSync(
    join(root, 'loader/entries/evil.conf'),
    `title Evil ${EVIL} title\nversion 6.1${CLEAR}\nlinux /vmlinuz-${CLEAR}evil\ninitrd /initrd-\x07${CSI8}.img\noptions root=/dev/sda1 ${OSC} quiet ${CSI8}\nfrob${CLEAR} x\n`,
  );
  writeFileSync(join(root, `loader/entries/missing${CLEAR}.conf`), `title Missing ${OSC}\nlinux /gone-${CLEAR}\n`);
  writeFileSync(join(root, 'boot/grub/grub.cfg'), `menuentry "GRUB ${EVIL}" {\n  linux /vmlinuz-${CLEAR}evil ${OSC}\n}\n${CLEAR}frobnicate ${OSC}\nmenuentry "unclosed ${CLEAR}" {\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { timeout: 30_000 });
  assert.equal(r.signal, null, `kexec-menu ${args.join(' ')} was killed`);
  // Bytes, not only characters: a C1 control would come as C2 80–C2 9F in UTF-8.
  for (const [name, bytes] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    const text = bytes.toString('utf8');
    const at = text.search(CONTROL);
    assert.equal(at, -1, `kexec-menu ${JSON.stringify(args)}: a control character on ${name} at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 20))}`);
    assert.ok(!bytes.some((b) => b < 0x20 && b !== 0x0a && b !== 0x09), `${name}: a C0 byte`);
  }
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

const ROOT = () => `${root}=name:vdz1`;

function entries(): { id: string; title: string; cmdline: string; kernel: string | null; initrd: string[]; resolved: boolean }[] {
  return JSON.parse(run('list', '--json', '--root', ROOT()).stdout).entries;
}

test('list: the title column, versions, kernels, reasons and diagnostics with every control character replaced', { timeout: 60_000 }, () => {
  const r = run('list', '--root', ROOT());
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes(`Evil ${SHOWN} title`), r.stdout);
  assert.ok(r.stdout.includes(`GRUB ${SHOWN}`), r.stdout);
  assert.ok(r.stdout.includes('6.1?[2J'), r.stdout);
  assert.ok(r.stdout.includes(`vmlinuz-?[2Jevil`), r.stdout);
  // Diagnostics name files and quote lines from the disk: on one line each, no escapes.
  assert.match(r.stdout, /missing\?\[2J\.conf|gone-\?\[2J/);
});

test('list --json: no control character on the line, and the exact values parse back', { timeout: 60_000 }, () => {
  const r = run('list', '--json', '--root', ROOT());
  const menu = JSON.parse(r.stdout);
  const bls = menu.entries.find((e: { title: string }) => e.title.startsWith('Evil'));
  assert.equal(bls.title, `Evil ${EVIL} title`);
  assert.equal(bls.kernel, kernel);
  assert.deepEqual(bls.initrd, [initrd]);
  assert.ok(bls.cmdline.includes(OSC) && bls.cmdline.includes(CSI8));
  assert.ok(r.stdout.includes('\\u001b]0;owned\\u0007') && r.stdout.includes('\\u009b31m'), 'escaped as \\u sequences');
});

test('boot --dry-run (text and JSON), from an entry and from --kernel/--initrd/--cmdline: plan, paths and command line replaced', { timeout: 120_000 }, () => {
  const id = entries().find((e) => e.title.startsWith('Evil'))!.id;
  const text = run('boot', id, '--root', ROOT(), '--dry-run');
  assert.equal(text.status, 0, text.stderr);
  assert.ok(text.stdout.includes('vmlinuz-?[2Jevil') && text.stdout.includes('initrd-??31m.img'), text.stdout);
  assert.ok(text.stdout.includes('root=/dev/sda1 ?]0;owned? quiet ?31m'), text.stdout);
  const json = run('boot', id, '--root', ROOT(), '--dry-run', '--json');
  assert.equal(JSON.parse(json.stdout).kernel.path, kernel);
  const given = run('boot', '--kernel', kernel, '--initrd', initrd, '--cmdline', `console=ttyS0 ${EVIL}\ra`, '--append', CLEAR, '--dry-run');
  assert.equal(given.status, 0, given.stderr);
  // The carriage return separates words as any whitespace does.
  assert.ok(given.stdout.includes(`cmdline:  console=ttyS0 ${SHOWN} a ?[2J (`), given.stdout);
});

test('failures on stderr: a missing kernel, a missing entry id, a bad option value, an unknown command', { timeout: 120_000 }, () => {
  const missing = entries().find((e) => e.title.startsWith('Missing'))!;
  const r = run('boot', missing.id, '--root', ROOT(), '--dry-run');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^kexec-menu boot: Missing \?\]0;owned\? cannot boot: .*gone-\?\[2J/);
  assert.equal(run('boot', `no-such-${CLEAR}`, '--root', ROOT(), '--dry-run').status, 1);
  assert.equal(run('boot', '--kernel', join(dir, `absent-${OSC}`), '--dry-run').status, 1);
  assert.equal(run('boot', '--kernel', kernel, '--handoff', EVIL, '--dry-run').status, 2);
  assert.equal(run(`no-command-${CLEAR}`).status, 2);
  assert.equal(run('list', '--root', join(dir, `absent-${OSC}`)).status, 2);
});

test('inspect, crash load --dry-run and reboot --dry-run print disk-derived text safely too', { timeout: 120_000 }, () => {
  const i = run('inspect', kernel);
  assert.equal(i.status, 0, i.stderr);
  assert.ok(i.stdout.startsWith(`${kernel.replace(CLEAR, '?[2J')}: `), i.stdout);
  assert.equal(JSON.parse(run('inspect', kernel, '--json').stdout).path, kernel);
  assert.equal(run('inspect', join(dir, `absent-${CLEAR}`)).status, 1);
  const c = run('crash', 'load', '--kernel', kernel, '--initrd', initrd, '--cmdline', `console=ttyS0 ${EVIL}`, '--dry-run');
  assert.equal(c.status, 0, c.stderr);
  assert.ok(c.stdout.includes(`console=ttyS0 ${SHOWN}`), c.stdout);
  const id = entries().find((e) => e.title.startsWith('Evil'))!.id;
  const rb = run('reboot', id, '--root', ROOT(), '--dry-run');
  assert.equal(rb.status, 0, rb.stderr);
  assert.ok(rb.stdout.includes('vmlinuz-?[2Jevil'), rb.stdout);
});

test('every write of the commands goes through src/cli/output.ts (the menu alone draws through blessed)', () => {
  const cliDir = resolve('src/cli');
  const files = [resolve('src/cli.ts'), ...readdirSync(cliDir).filter((f) => f.endsWith('.ts')).map((f) => join(cliDir, f))];
  const direct = files.filter((f) => !f.endsWith('/output.ts') && /process\.std(out|err)\.write|console\.(log|error|warn|info)/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(direct, []);
});
