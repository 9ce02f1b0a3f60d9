// `kexec-menu code-cache`: run once when the image is made, by the node and with the node
// options the image runs the menu with (V8 rejects a cache made otherwise). It draws the menu
// once, off screen, on a small tree of each format written to a temporary folder (settings in
// YAML, GRUB, BLS, extlinux, a YAML menu), quits it, and saves what V8 compiled meanwhile as
// the bundle's code cache (src/code-cache.ts). Nothing outside that folder is read or written
// but the cache file; no device is looked at, nothing is loaded.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { codeCache } from './code-cache-state';
import { UsageError, parseArgs } from './args';
import { run as runMenu } from './menu';
import { writeErr, writeOut } from './output';

const USAGE = 'usage: kexec-menu code-cache (run from the bundle, with the node options the menu runs with)';

/** An image build must not hang (nor end without a cache as if it had none to write): a menu not drawn and quit by then is an error. QEMU's user mode is slow. */
const GIVE_UP_MS = 300_000;

/** The tree the menu is drawn on: one small config of each format the first frame reads. */
const TREE: Readonly<Record<string, string>> = {
  'config.yaml': 'timeout: -1\ndefault: auto\ndry-run: true\nformats: [yaml, bls, grub, extlinux, rpi, loose]\nroots:\n  - path: boot\n    name: sda1\n    uuid: 0b0e2a4c-5d6e-4f70-8192-a3b4c5d6e7f8\n    label: boot\n',
  'boot/kexec-menu.yaml': 'entries:\n  - title: Rescue\n    kernel: /vmlinuz-6.1.0-1-amd64\n    initrd: /initrd.img-6.1.0-1-amd64\n    cmdline: root=LABEL=root ro single\n',
  'boot/loader/entries/debian.conf': 'title Debian GNU/Linux 12 (bookworm)\nversion 6.1.0-1-amd64\nlinux /vmlinuz-6.1.0-1-amd64\ninitrd /initrd.img-6.1.0-1-amd64\noptions root=LABEL=root ro quiet\n',
  'boot/grub/grub.cfg': [
    'set default="0"',
    'if [ "${timeout}" = 0 ]; then set timeout=5; fi',
    'function load_video { insmod all_video; }',
    "menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple' {",
    '\tload_video',
    '\tsearch --no-floppy --fs-uuid --set=root 0b0e2a4c-5d6e-4f70-8192-a3b4c5d6e7f8',
    "\techo 'Loading Linux 6.1.0-1-amd64 ...'",
    '\tlinux /vmlinuz-6.1.0-1-amd64 root=LABEL=root ro quiet',
    '\tinitrd /initrd.img-6.1.0-1-amd64',
    '}',
    "submenu 'Advanced options' {",
    "\tmenuentry 'Debian GNU/Linux, recovery mode' { linux /vmlinuz-6.1.0-1-amd64 root=LABEL=root ro single; }",
    '}',
    '',
  ].join('\n'),
  'boot/extlinux/extlinux.conf': 'default linux\ntimeout 30\nlabel linux\n\tmenu label Linux (extlinux)\n\tkernel /vmlinuz-6.1.0-1-amd64\n\tinitrd /initrd.img-6.1.0-1-amd64\n\tappend root=LABEL=root ro\n',
  'boot/vmlinuz-6.1.0-1-amd64': 'not a kernel',
  'boot/initrd.img-6.1.0-1-amd64': 'not an initrd',
};

/** A terminal that is only a stream: 80x24, and `onText` sees everything drawn. */
function offScreen(onText: (text: string) => void): PassThrough & { columns: number; rows: number; isTTY: boolean } {
  const out = Object.assign(new PassThrough(), { columns: 80, rows: 24, isTTY: true });
  out.on('data', (chunk: Buffer) => onText(chunk.toString('latin1')));
  return out;
}

export async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { help: {} });
  if (args.flags.has('help')) {
    writeOut(USAGE + '\n');
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}' (${USAGE.slice(7)})`);
  const cache = codeCache();
  if (!cache) {
    writeErr('kexec-menu code-cache: this is not the bundle (scripts/bundle.mjs makes it): there is no code cache to write.\n');
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-code-cache-'));
  try {
    for (const [name, text] of Object.entries(TREE)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const input = new PassThrough();
    // What the menu has drawn so far; undefined once it has been asked to quit.
    let drawn: string | undefined = '';
    let read = false;
    // The help line is drawn last: the first frame is complete. Once the tree is read too (its
    // entries drawn in the turn after), quit, once, as a user would.
    const quitWhenDone = () => {
      if (drawn === undefined || !read || !drawn.includes('help')) return;
      drawn = undefined;
      setTimeout(() => input.write('q'), 50);
    };
    const output = offScreen((text) => {
      if (drawn === undefined) return;
      drawn += text;
      quitWhenDone();
    });
    const onFirstRound = () => {
      read = true;
      quitWhenDone();
    };
    const giveUp = setTimeout(() => {
      writeErr(`kexec-menu code-cache: the menu had not drawn its first frame and quit after ${GIVE_UP_MS / 1000} s; no code cache written.\n`);
      rmSync(dir, { recursive: true, force: true });
      process.exit(1);
    }, GIVE_UP_MS);
    const status = await runMenu(['--config', join(dir, 'config.yaml')], { input, output, env: { TERM: 'vt100' }, onFirstRound });
    clearTimeout(giveUp);
    if (status !== 0) return status;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const bytes = cache.write();
  writeOut(`${cache.file}: ${Math.round(bytes / 1024)} KiB\n`);
  return 0;
}
