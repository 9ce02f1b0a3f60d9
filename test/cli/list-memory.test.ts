// Peak memory of `kexec-menu list` on hostile partitions: each hostile tree beside a good one,
// in a child whose peak RSS (VmHWM, read by a preloaded module as the process exits) must stay
// within MAX_EXTRA_MB of `list` on the good partition alone, with the good partition's entry
// listed and the hostile file named in a diagnostic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAX_EXTRA_MB = 64;
const MB = 1024 * 1024;
const CLI = join(__dirname, '../../src/cli.js');

/** A hostile partition: what to write under its root, and the file its diagnostic must name. */
interface Hostile {
  readonly name: string;
  readonly make: (root: string) => void;
  readonly file: string;
}

function put(path: string, data: string | Buffer): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
}

const HOSTILE: readonly Hostile[] = [
  { name: 'a 50 MB one-line grub.cfg', file: 'boot/grub/grub.cfg', make: (r) => put(join(r, 'boot/grub/grub.cfg'), Buffer.alloc(50 * MB, 0x78)) },
  {
    name: 'an extlinux.conf including a 3.9 MB file 300 times',
    file: 'extlinux/extlinux.conf',
    make: (r) => {
      put(join(r, 'extlinux/big.cfg'), '# padding padding padding padding padding\n'.repeat(Math.floor((3.9 * MB) / 43)));
      put(join(r, 'extlinux/extlinux.conf'), 'include big.cfg\n'.repeat(300));
    },
  },
  { name: '400 KB of nested YAML brackets', file: 'boot/kexec-menu.yaml', make: (r) => put(join(r, 'boot/kexec-menu.yaml'), 'entries: ' + '['.repeat(200_000) + ']'.repeat(200_000)) },
  { name: '60 KB of nested YAML brackets (under the menu size)', file: 'boot/kexec-menu.yaml', make: (r) => put(join(r, 'boot/kexec-menu.yaml'), 'entries: ' + '['.repeat(30_000) + ']'.repeat(30_000)) },
  { name: '60 KB of `- - -` in YAML', file: 'boot/kexec-menu.yaml', make: (r) => put(join(r, 'boot/kexec-menu.yaml'), 'entries:\n' + '- '.repeat(30_000) + 'x\n') },
  { name: 'a 3.9 MB extlinux.conf of invalid UTF-8', file: 'extlinux/extlinux.conf', make: (r) => put(join(r, 'extlinux/extlinux.conf'), Buffer.alloc(Math.floor(3.9 * MB), 0xff)) },
  {
    name: 'a grub.cfg that is a FIFO and a loader.conf that is /dev/zero (a device node)',
    file: 'boot/grub/grub.cfg',
    make: (r) => {
      mkdirSync(join(r, 'boot/grub'), { recursive: true });
      mkdirSync(join(r, 'loader'), { recursive: true });
      assert.equal(spawnSync('mkfifo', [join(r, 'boot/grub/grub.cfg')]).status, 0);
      if (process.getuid?.() === 0) assert.equal(spawnSync('mknod', [join(r, 'loader/loader.conf'), 'c', '1', '5']).status, 0);
    },
  },
];

interface ListRun {
  readonly peakMb: number;
  readonly json: { entries: { title: string; source: { partition: string } }[]; diagnostics: { file: string; message: string }[] };
}

function list(top: string, roots: readonly string[]): ListRun {
  const preload = join(top, 'peak.js');
  const out = join(top, 'peak.txt');
  writeFileSync(preload, `process.on('exit', () => { const m = /VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8')); require('fs').writeFileSync(${JSON.stringify(out)}, m[1]); });\n`);
  const r = spawnSync(process.execPath, ['-r', preload, CLI, 'list', '--json', ...roots.flatMap((p, i) => ['--root', `${p}=name:p${i}`])], { encoding: 'utf8', maxBuffer: 64 * MB, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return { peakMb: Number(readFileSync(out, 'utf8')) / 1024, json: JSON.parse(r.stdout) as ListRun['json'] };
}

test(`list on each hostile partition: peak memory within ${MAX_EXTRA_MB} MB of list on the good one alone, the good entry listed, the file named`, { timeout: 300_000 }, (t) => {
  const top = mkdtempSync(join(tmpdir(), 'kexec-menu-peak-'));
  try {
    const good = join(top, 'good');
    put(join(good, 'loader/entries/good.conf'), 'title Good\nlinux /vmlinuz\n');
    put(join(good, 'vmlinuz'), 'k');
    const idle = list(top, [good]);
    assert.deepEqual(idle.json.entries.map((e) => e.title), ['Good']);
    for (const [i, h] of HOSTILE.entries()) {
      const root = join(top, `hostile${i}`);
      mkdirSync(root);
      h.make(root);
      const run = list(top, [root, good]);
      t.diagnostic(`${h.name}: peak ${run.peakMb.toFixed(0)} MB (alone: ${idle.peakMb.toFixed(0)} MB)`);
      assert.ok(run.peakMb <= idle.peakMb + MAX_EXTRA_MB, `${h.name}: peak ${run.peakMb.toFixed(0)} MB, idle ${idle.peakMb.toFixed(0)} MB`);
      assert.ok(run.json.entries.some((e) => e.title === 'Good' && e.source.partition === 'p1'), `${h.name}: the good partition's entry is listed`);
      assert.ok(run.json.diagnostics.some((d) => d.file === join(root, h.file)), `${h.name}: a diagnostic names ${h.file}: ${JSON.stringify(run.json.diagnostics.slice(0, 5))}`);
      rmSync(root, { recursive: true, force: true });
    }
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});
