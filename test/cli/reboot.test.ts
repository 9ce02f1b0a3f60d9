// `kexec-menu reboot --dry-run` as a child process on a tree laid out as a separate /boot
// (grub.cfg in grub-mkconfig's shape, grubenv with saved_entry and next_entry): the plan
// names next_entry's entry and says grubenv will be cleared; without next_entry, saved_entry's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grubenvBlock } from '../vm/installed';
import { debianKernel } from '../kexec/debian';

const CLI = join(__dirname, '../../src/cli.js');
const UUID = '0b0a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';

function tree(env: Record<string, string>, kernel: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-reboot-'));
  mkdirSync(join(dir, 'grub'));
  copyFileSync(kernel, join(dir, 'vmlinuz'));
  const entry = (id: string) => `menuentry '${id}' --id ${id} {\n  search --fs-uuid --set=root ${UUID}\n  linux /vmlinuz test.entry=${id}\n}\n`;
  writeFileSync(join(dir, 'grub/grub.cfg'), `load_env\nif [ "\${next_entry}" ] ; then\n  set default="\${next_entry}"\n  set next_entry=\n  save_env next_entry\nelse\n  set default="\${saved_entry}"\nfi\n${['a', 'b', 'c'].map(entry).join('')}`);
  writeFileSync(join(dir, 'grub/grubenv'), grubenvBlock(env));
  return dir;
}

const reboot = (dir: string, ...more: string[]) => spawnSync(process.execPath, [CLI, 'reboot', '--dry-run', '--root', `${dir}=uuid:${UUID}`, ...more], { encoding: 'utf8' });

test('reboot --dry-run --default: next_entry wins over saved_entry and is to be cleared; the file is not touched by a dry run', (t) => {
  const k = debianKernel('amd64');
  if (typeof k === 'string') return t.skip(k);
  const dir = tree({ saved_entry: 'b', next_entry: 'c' }, k.image);
  const before = readFileSync(join(dir, 'grub/grubenv'), 'latin1');
  const r = reboot(dir, '--default');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`entry: +${UUID}:grub:c\\n`));
  assert.match(r.stdout, /cmdline: +test\.entry=c /);
  assert.match(r.stdout, /note: +GRUB's one-shot next_entry=c is what GRUB would boot; it is cleared in .*grubenv once the kernel is loaded/);
  assert.equal(readFileSync(join(dir, 'grub/grubenv'), 'latin1'), before);

  const saved = reboot(tree({ saved_entry: 'b' }, k.image));
  assert.equal(saved.status, 0, saved.stderr);
  assert.match(saved.stdout, new RegExp(`entry: +${UUID}:grub:b\\n`));
  assert.doesNotMatch(saved.stdout, /one-shot/);

  const byId = reboot(dir, `${UUID}:grub:a`, '--append', 'quiet');
  assert.match(byId.stdout, /cmdline: +test\.entry=a quiet/);
  assert.doesNotMatch(byId.stdout, /one-shot/, 'an entry given by id leaves next_entry alone');
  const missing = reboot(dir, 'nope');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^kexec-menu reboot: There is no entry with id nope/);
});
