// The menu on a serial port and on the screen (tty1) at once, as BR2_PACKAGE_KEXEC_MENU_CONSOLES
// "ttyS0:115200 tty1" makes it: the screen is QEMU's VGA in text mode, read as it is shown —
// the text buffer at 0xb8000 (character and attribute bytes), dumped through the monitor's
// `xp` — and typed on with the monitor's `sendkey` (the PS/2 keyboard tty1 reads). A key on
// the screen stops the countdown on the serial port, and the entry chosen there boots, once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_VM, diskIdentities, withVm, type Vm } from './vm';
import { inittabFor } from './inittab';

const MARKER = /KEXEC-MENU-MARKER cmdline=(.*)\n/;
/** The VGA text buffer: 32 KiB of (character, attribute) pairs; vgacon may scroll its start within it. */
const VGA_CELLS = 16384;

/** The VGA text buffer as rows of 80 cells: the characters, and which cells are reverse video (attribute 0x70). */
async function vgaText(vm: Vm): Promise<{ rows: string[]; inverse: string[] }> {
  const dump = await vm.monitor(`xp /${VGA_CELLS}xh 0xb8000`);
  const cells = [...dump.matchAll(/0x([0-9a-f]{4})/g)].map((m) => parseInt(m[1]!, 16));
  assert.ok(cells.length >= 2000, `the monitor gave ${cells.length} cells of the VGA buffer:\n${dump.slice(0, 400)}`);
  const rows: string[] = [];
  const inverse: string[] = [];
  for (let r = 0; r * 80 < cells.length; r++) {
    const row = cells.slice(r * 80, r * 80 + 80);
    const text = row.map((c) => String.fromCharCode(c & 0xff || 0x20)).join('');
    rows.push(text.trimEnd());
    if (row.some((c) => (c >> 12) === 0x7)) inverse.push(text.trimEnd());
  }
  return { rows, inverse };
}

async function waitForVga(vm: Vm, test_: (t: { rows: string[]; inverse: string[] }) => boolean, seconds: number, what: string): Promise<{ rows: string[]; inverse: string[] }> {
  const deadline = Date.now() + seconds * 1000;
  let last: { rows: string[]; inverse: string[] } = { rows: [], inverse: [] };
  while (Date.now() < deadline) {
    last = await vgaText(vm);
    if (test_(last)) return last;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what} on the VGA screen\n--- VGA rows with text ---\n${last.rows.filter((r) => r.trim()).slice(-30).join('\n')}\n${vm.describe()}`);
}

test('serial port and screen (tty1): a key on the screen stops the countdown on ttyS0; the entry chosen on the screen boots, once', { skip: SKIP_VM, timeout: 300_000 }, async () => {
  const id = diskIdentities();
  await withVm({
    disks: [{ name: 'gpt.img' }, { name: 'extlinux.ext4' }],
    append: 'kexec_menu.timeout=30',
    initramfsExtra: inittabFor('ttyS0:115200 tty1'),
  }, async (vm) => {
    await vm.waitForScreen((t) => /Debian GNU\/Linux/.test(t) && /Booting '.*' in \d+ s/.test(t), 150, 'the menu counting down on ttyS0');
    const counting = await waitForVga(vm, (v) => v.rows.some((r) => /Booting '.*' in \d+ s/.test(r)) && v.rows.some((r) => /\(extlinux\)/.test(r)), 60, 'the menu counting down');
    assert.ok(counting.rows.some((r) => r.includes('Boot menu')), 'the frame is drawn on the screen');

    await vm.monitor('sendkey down');
    await vm.waitForScreen((t) => t.includes('Countdown stopped: a key was pressed on tty1.'), 30, 'ttyS0 told of the key on the screen');

    // The extlinux entry's number, as the screen shows it, then its digit and Enter there.
    const line = counting.rows.find((r) => /\(extlinux\)/.test(r))!;
    const n = /^\|?>?\s*(\d)\s/.exec(line.replace(/^[|\u00b3]/, ''))?.[1];
    assert.ok(n !== undefined, `no entry number in '${line}'`);
    await vm.monitor(`sendkey ${n}`);
    await waitForVga(vm, (v) => v.inverse.some((r) => /\(extlinux\)/.test(r)), 30, `entry ${n} selected (reverse video)`);
    await vm.monitor('sendkey ret');
    const m = await vm.waitFor(MARKER, 120, "the extlinux entry's marker on the serial console");
    assert.equal(m[1]!.trim(), `root=UUID=${id['EXTLINUX_UUID']} ro console=ttyS0,115200 test.entry=extlinux`);
    assert.equal(vm.output.match(new RegExp(MARKER.source, 'g'))?.length, 1, 'one kernel started');
  });
});
