// End to end in a real terminal: tmux runs `kexec-menu menu` (the built program, dry run, on
// sample partitions with Debian's real kernels) at 80x24 under TERM=vt100 without a UTF-8
// locale (a serial console) and TERM=linux with one (a VGA console), and the TERM=linux
// scenario again with the single-file bundle the image ships (scripts/bundle.mjs gives
// blessed-contrib a subset of blessed and gl-matrix: what it left out would show here). Keys
// go in with send-keys; capture-pane's text is compared with the reviewed screens in
// test/ui/golden/ (the countdown's digits and the version masked).
// KEXEC_MENU_UPDATE_GOLDEN=1 rewrites them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeSampleRoots, type SampleRoots } from './roots';

const CLI = resolve('build/src/cli.js');
const GOLDEN = resolve('test/ui/golden');
const UPDATE = process.env.KEXEC_MENU_UPDATE_GOLDEN === '1';
const SOCKET = `kexec-menu-test-${process.pid}`;
/** Generous: the first frame needs node and blessed started on a busy 2-core machine. */
const WAIT_MS = 30_000;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-u', '-L', SOCKET, ...args], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

const haveTmux = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
if (!haveTmux) throw new Error('tmux is not installed: the tests need every package of .ci/apt-packages (npm test installs them as root; otherwise run: sudo node scripts/test-tools.mjs)');
const made: SampleRoots | string = process.arch !== 'x64' ? 'the goldens are for an x86_64 machine' : makeSampleRoots({ timeout: 10 });
const skip = typeof made === 'string' ? made : false;

/** The image's program: scripts/bundle.mjs's one file, with package.json beside it as in the image (made once). */
let bundleDir: string | undefined;
function bundled(): string {
  if (!bundleDir) {
    bundleDir = mkdtempSync(join(tmpdir(), 'kexec-menu-bundle-'));
    const r = spawnSync(process.execPath, ['scripts/bundle.mjs', '--outfile', join(bundleDir, 'kexec-menu.js')], { encoding: 'utf8' });
    assert.equal(r.status, 0, `scripts/bundle.mjs: ${r.stderr}`);
    copyFileSync('package.json', join(bundleDir, 'package.json'));
  }
  return join(bundleDir, 'kexec-menu.js');
}

test.after(() => {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  if (typeof made !== 'string') made.remove();
  spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { timeout: 10_000 });
});

interface Term {
  readonly session: string;
  screen(): string[];
  /** The screen with its attributes: capture-pane -e, SGR sequences before the cells they colour. */
  styled(): string[];
  keys(...keys: string[]): void;
  /** Polls the screen until `pred` holds (fails with the screen after WAIT_MS). */
  waitFor(what: string, pred: (text: string) => boolean): Promise<string[]>;
  close(): void;
}

/**
 * A session that lives as long as this file's tests: without it the tmux server exits when a
 * test closes the last session, and the next test's new-session can reach the server while
 * it is exiting ("server exited unexpectedly").
 */
let keeper = false;

function start(name: string, env: Record<string, string>, config: string, program = CLI): Term {
  if (!keeper) {
    tmux('new-session', '-d', '-s', 'keeper', '-x', '80', '-y', '24', 'sleep 3600');
    keeper = true;
  }
  const session = `${name}-${Date.now()}`;
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  // A clean environment: only what a console's getty would give, plus PATH and HOME.
  const command = ['env', '-i', `PATH=${process.env.PATH}`, 'HOME=/root', ...vars, process.execPath, program, 'menu', '--config', config].map((a) => `'${a}'`).join(' ');
  tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', `${command}; echo "EXIT=$?"; sleep 600`);
  const screen = () => {
    const lines = tmux('capture-pane', '-p', '-t', session).replace(/\n$/, '').split('\n').map((l) => l.trimEnd());
    while (lines.length < 24) lines.push('');
    return lines;
  };
  return {
    session,
    screen,
    styled: () => tmux('capture-pane', '-e', '-p', '-t', session).split('\n'),
    keys: (...keys) => void tmux('send-keys', '-t', session, ...keys),
    async waitFor(what, pred) {
      const end = Date.now() + WAIT_MS;
      let last: string[] = [];
      while (Date.now() < end) {
        last = screen();
        if (pred(last.join('\n'))) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`waited ${WAIT_MS} ms for ${what}; the screen:\n${last.join('\n')}`);
    },
    close: () => void spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', session], { timeout: 10_000 }),
  };
}

/** What varies between runs and machines: the countdown's seconds, the version, the machine's name. */
function mask(lines: string[]): string {
  return lines
    .map((l) => l.replace(/^(\s*kexec-menu) \d+\.\d+\.\d+.*$/, '$1 X.Y.Z'))
    .map((l) => l.replace(/ in \d+ s /, ' in N s '))
    .join('\n');
}

function golden(name: string, lines: string[]): void {
  const file = join(GOLDEN, `${name}.txt`);
  const got = mask(lines) + '\n';
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) assert.fail(`no golden screen ${file}; run with KEXEC_MENU_UPDATE_GOLDEN=1, review it and commit it`);
    writeFileSync(file, got);
    return;
  }
  assert.equal(got, readFileSync(file, 'utf8'), `screen ${name} differs from ${file}`);
}

/**
 * The foreground colour and boldness of the cell where `text` starts in a line of
 * capture-pane -e, found by playing its SGR sequences: the colour as its SGR number (30-37,
 * 90-97, '38;5;N'), undefined for the terminal's default.
 */
function cellStyle(line: string, text: string): { fg?: string; bold: boolean } | undefined {
  let fg: string | undefined;
  let bold = false;
  let plain = '';
  for (let i = 0; i < line.length; ) {
    const sgr = /^\x1b\[([0-9;]*)m/.exec(line.slice(i));
    if (sgr) {
      const codes = sgr[1] === '' ? ['0'] : sgr[1]!.split(';');
      for (let k = 0; k < codes.length; k++) {
        const c = Number(codes[k]);
        if (c === 0) [fg, bold] = [undefined, false];
        else if (c === 1) bold = true;
        else if (c === 22) bold = false;
        else if (c === 39) fg = undefined;
        else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) fg = String(c);
        else if (c === 38 && codes[k + 1] === '5') fg = `38;5;${codes[(k += 2)]}`;
      }
      i += sgr[0].length;
      continue;
    }
    plain += line[i++];
    if (plain.endsWith(text)) return { fg, bold };
  }
  return undefined;
}

/** Grey as terminals are told it: bright black, colour 8 of 256, or bold black on 8-colour terminals. */
const isGrey = (s: { fg?: string; bold: boolean } | undefined): boolean => s !== undefined && (s.fg === '90' || s.fg === '38;5;8' || (s.fg === '30' && s.bold));

/**
 * Entries that cannot boot are grey where the terminal has colours (view.ts), and only they;
 * without colours nothing is coloured (the '!' says it). Read from the cells' attributes.
 */
function assertGreying(t: (typeof TERMS)[number], term: Term): void {
  const lines = term.styled();
  const cell = (title: string) => {
    const line = lines.find((l) => l.includes(title));
    assert.ok(line, `a line with ${title} on the screen:\n${lines.join('\n')}`);
    return cellStyle(line, title);
  };
  const [broken, wrongArch, bootable] = [cell('Debian GNU/Linux 12 (old kernel)'), cell('Rescue (arm64)'), cell('(extlinux)')];
  if (t.name === 'linux') {
    assert.ok(isGrey(broken), `the entry whose kernel is missing is grey: ${JSON.stringify(broken)}`);
    assert.ok(isGrey(wrongArch), `the arm64 kernel is grey: ${JSON.stringify(wrongArch)}`);
    assert.ok(!isGrey(bootable) && bootable?.fg === undefined, `a bootable entry keeps the default colour: ${JSON.stringify(bootable)}`);
  } else {
    for (const s of [broken, wrongArch, bootable]) assert.equal(s?.fg, undefined, 'a vt100 gets no colours');
  }
}

const TERMS: { name: string; env: Record<string, string> }[] = [
  { name: 'vt100', env: { TERM: 'vt100' } },
  { name: 'linux', env: { TERM: 'linux', LANG: 'C.UTF-8' } },
];

/**
 * The menu's whole path on `t`: countdown, a key stops it, the unbootable and wrong-architecture
 * entries, the command-line editor, Enter and the dry-run plan (on a colour terminal the boot
 * draws blessed-contrib's gauge while it reads the kernel and initrds).
 */
async function scenario(t: (typeof TERMS)[number], program = CLI): Promise<void> {
  const roots = made as SampleRoots;
  const term = start(t.name, t.env, roots.config, program);
  try {
    golden(`${t.name}-countdown`, await term.waitFor('the countdown', (s) => /Booting 'Debian GNU\/Linux 12 \(bookworm\)' in \d+ s/.test(s) && /! Rescue \(arm64\)/.test(s)));
    assertGreying(t, term);
    term.keys('Down');
    const moved = await term.waitFor('the selection on entry 2', (s) => /> {2}2 {2}! Debian GNU\/Linux 12 \(old kernel\)/.test(s));
    assert.doesNotMatch(moved.join('\n'), /Booting '/, 'the key stopped the countdown');
    golden(`${t.name}-unbootable`, moved);
    term.keys('5', 'Enter');
    golden(`${t.name}-wrong-arch`, await term.waitFor('the wrong-architecture dialog', (s) => /Cannot boot 'Rescue \(arm64\)'/.test(s)));
    term.keys('Escape');
    await term.waitFor('the list again', (s) => !/Cannot boot 'Rescue/.test(s));
    term.keys('Home', 'e');
    await term.waitFor('the editor', (s) => /Command line of 'Debian GNU\/Linux 12 \(bookworm\)'/.test(s));
    term.keys('C-e');
    term.keys('-l', ' test.edited=yes');
    golden(`${t.name}-editor`, await term.waitFor('the typed text', (s) => /console=ttyS0,115200 test\.edited=yes/.test(s)));
    term.keys('Enter');
    const plan = (await term.waitFor('the dry-run plan and the exit status', (s) => /EXIT=\d+/.test(s))).join('\n');
    assert.match(plan, /Dry run: nothing is loaded\./);
    assert.match(plan, /entry: +1234-ABCD:bls:debian/);
    assert.match(plan, /x86 bzImage/);
    assert.match(plan.replace(/\n/g, ''), /cmdline: +root=LABEL=root ro quiet console=ttyS0,115200 test\.edited=yes \(61 bytes\)/);
    assert.match(plan, /EXIT=0/);
    assert.doesNotMatch(plan, /Boot menu/, 'the menu left the screen before printing');
    assert.doesNotMatch(plan, /Error|Cannot boot/, 'the boot went through');
  } finally {
    term.close();
  }
}

for (const t of TERMS) {
  test(`TERM=${t.name}: countdown, keys stop it, edit the command line, Enter prints the dry-run plan`, { skip, timeout: 120_000 }, () => scenario(t));
}

test('the bundle the image ships, TERM=linux: the same screens and plan as the built program', { skip, timeout: 120_000 }, () => scenario(TERMS[1]!, bundled()));

test('the bundle the image ships, with the code cache `kexec-menu code-cache` wrote: the log panel (blessed-contrib\'s log) says V8 used it; other node options: rejected, and the menu still comes up', { skip, timeout: 120_000 }, async () => {
  const roots = made as SampleRoots;
  const program = bundled();
  // Node options as the menu below gets them (none): a NODE_OPTIONS of the caller's would make another cache.
  const written = spawnSync(process.execPath, [program, 'code-cache'], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH, HOME: '/root' } });
  assert.equal(written.status, 0, written.stderr);
  assert.match(written.stdout, new RegExp(`kexec-menu\\.js\\.${process.version.replaceAll('.', '\\.')}-${process.arch}\\.v8cache: \\d+ KiB`));
  for (const [env, line] of [
    [{}, /V8 code cache used/],
    [{ NODE_OPTIONS: '--max-semi-space-size=2' }, /V8 code cache rejected/],
  ] as const) {
    const term = start('bundle-log', { TERM: 'linux', LANG: 'C.UTF-8', ...env }, roots.config, program);
    try {
      await term.waitFor('the countdown', (s) => /Booting '.*' in \d+ s/.test(s));
      term.keys('l');
      const log = (await term.waitFor('the log panel', (s) => /─ Log /.test(s))).join('\n');
      assert.match(log, line);
      assert.match(log, /\d+ partitions? read: \d+ entries/);
    } finally {
      term.close();
    }
  }
});

test('TERM unset: the numbered prompt; a number and Enter print the plan', { skip, timeout: 120_000 }, async () => {
  const roots = made as SampleRoots;
  const term = start('dumb', {}, roots.config);
  try {
    golden('dumb-prompt', await term.waitFor('the prompt', (s) => /Choice \(number/.test(s) && /in \d+ s/.test(s)));
    term.keys('3', 'Enter');
    const out = (await term.waitFor('the plan', (s) => /EXIT=\d+/.test(s))).join('\n');
    assert.match(out, /entry: +0b0e2a4c-5d6e-4f70-8192-a3b4c5d6e7f8:extlinux:main/);
    assert.match(out, /EXIT=0/);
  } finally {
    term.close();
  }
});
