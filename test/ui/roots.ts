// Sample partitions for the menu tests, with real kernels: Debian's amd64 and arm64 kernel
// packages (scripts/debian-packages.sh, cached), so a dry-run boot makes a real plan, and
// the arm64 one is a real kernel of the wrong architecture on this x86_64 machine.
//   esp   BLS entries: Debian (default, with an initrd), a missing old kernel
//   boot  extlinux.conf: two labels with the same kernel
//   usb   extlinux.conf: an arm64 rescue kernel
//   late  a partition the hot-plug tests add while the menu is open
// Versions and titles are fixed, so golden screens do not change with Debian's updates.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { debianKernel } from '../kexec/debian';

export interface SampleRoots {
  readonly dir: string;
  /** A settings file (dry run, the given timeout) naming esp, boot and usb. */
  readonly config: string;
  readonly roots: { readonly esp: string; readonly boot: string; readonly usb: string; readonly late: string };
  remove(): void;
}

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function copy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

/** The sample roots, or a string saying why they cannot be made (no Debian kernels). */
export function makeSampleRoots(options: { timeout?: number; extra?: string } = {}): SampleRoots | string {
  const amd64 = debianKernel('amd64');
  if (typeof amd64 === 'string') return amd64;
  const arm64 = debianKernel('arm64');
  if (typeof arm64 === 'string') return arm64;
  const dir = mkdtempSync(join(tmpdir(), 'kexec-menu-ui-'));
  const esp = join(dir, 'esp');
  const boot = join(dir, 'boot');
  const usb = join(dir, 'usb');
  const late = join(dir, 'late');

  copy(amd64.image, join(esp, 'debian/vmlinuz'));
  // A small initrd: its bytes are read ahead (the gauge), not unpacked.
  put(join(esp, 'debian/initrd.img'), '070701'.padEnd(4096, '0'));
  put(join(esp, 'loader/loader.conf'), 'default debian.conf\ntimeout 5\n');
  put(
    join(esp, 'loader/entries/debian.conf'),
    'title Debian GNU/Linux 12 (bookworm)\nversion 6.1.0-amd64\nlinux /debian/vmlinuz\ninitrd /debian/initrd.img\noptions root=LABEL=root ro quiet console=ttyS0,115200\n',
  );
  put(
    join(esp, 'loader/entries/debian-old.conf'),
    'title Debian GNU/Linux 12 (old kernel)\nversion 6.1.0-9-amd64\nlinux /debian/vmlinuz-6.1.0-9-amd64\noptions root=LABEL=root ro\n',
  );

  copy(amd64.image, join(boot, 'vmlinuz'));
  put(
    join(boot, 'extlinux/extlinux.conf'),
    [
      'default main',
      'timeout 30',
      'label main',
      '\tmenu label Linux (extlinux)',
      '\tkernel /vmlinuz',
      '\tappend root=LABEL=root ro console=ttyS0,115200',
      'label single',
      '\tmenu label Linux (extlinux, single user)',
      '\tkernel /vmlinuz',
      '\tappend root=LABEL=root ro single console=ttyS0,115200',
      '',
    ].join('\n'),
  );

  copy(arm64.image, join(usb, 'Image'));
  put(join(usb, 'extlinux/extlinux.conf'), 'label rescue\n\tmenu label Rescue (arm64)\n\tlinux /Image\n\tappend console=ttyAMA0\n');

  copy(amd64.image, join(late, 'vmlinuz'));
  put(join(late, 'extlinux/extlinux.conf'), 'label hot\n\tmenu label Hot-plugged Linux\n\tkernel /vmlinuz\n\tappend root=LABEL=usb ro\n');

  const config = join(dir, 'menu.yaml');
  put(
    config,
    [
      `timeout: ${options.timeout ?? -1}`,
      'dry-run: true',
      'roots:',
      `  - { path: ${esp}, name: vda1, uuid: 1234-ABCD, label: ESP }`,
      `  - { path: ${boot}, name: vda2, uuid: 0b0e2a4c-5d6e-4f70-8192-a3b4c5d6e7f8, label: boot }`,
      `  - { path: ${usb}, name: sdb1, uuid: 5EED-0001, label: RESCUE }`,
      options.extra ?? '',
      '',
    ].join('\n'),
  );
  return { dir, config, roots: { esp, boot, usb, late }, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
