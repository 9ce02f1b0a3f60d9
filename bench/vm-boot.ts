// Boot times of the image in QEMU (software emulation), from the kernel's first line on the
// serial console ("Linux version", wall clock when it arrives) to:
//   - a plain BusyBox shell: the same image and kernel with rdinit=/bin/sh, its prompt;
//   - the menu: the first bytes it draws, and the first frame that shows the entries;
// and, for both, when the kernel starts the first process ("Run /init", "Run /bin/sh"):
// what comes before is the kernel's (unpacking the initramfs most of it), the rest the image's.
// Same VM, same disks (gpt.img, extlinux.ext4, rpi-boot.vfat), no `quiet` (the banner is
// the start mark). Needs `npm run image && npm run disks`.
//   node scripts/build.mjs && node build/bench/vm-boot.js [RUNS] [amd64|arm64]
import { Vm, type Arch } from '../test/vm/vm';

const runs = Number(process.argv[2] ?? 3);
const arch = (process.argv[3] ?? 'amd64') as Arch;
const disks = arch === 'amd64' ? [{ name: 'gpt.img' }, { name: 'extlinux.ext4' }, { name: 'rpi-boot.vfat' }] : [{ name: 'arm64-virt.ext4' }];
const console_ = arch === 'amd64' ? 'ttyS0,115200' : 'ttyAMA0,115200';

interface Times {
  kernel: number;
  marks: Record<string, number>;
}

/** Wall-clock seconds since QEMU started at which each mark appeared. */
async function boot(append: string, marks: Record<string, (vm: Vm) => Promise<unknown>>): Promise<Times> {
  const vm = new Vm({ arch, disks, cmdline: `console=${console_} panic=-1 ${append}`.trim() });
  try {
    await vm.waitFor(/Linux version/, 60, 'the kernel banner');
    const kernel = vm.elapsed();
    const out: Record<string, number> = {};
    for (const [name, wait] of Object.entries(marks)) {
      await wait(vm);
      out[name] = vm.elapsed();
    }
    return { kernel, marks: out };
  } finally {
    await vm.stop();
  }
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)]!;
  return `median ${median.toFixed(2)} s (min ${s[0]!.toFixed(2)}, max ${s[s.length - 1]!.toFixed(2)})`;
}

async function main(): Promise<void> {
  const shell: number[] = [];
  const menuFirst: number[] = [];
  const menuEntries: number[] = [];
  const shellInit: number[] = [];
  const menuInit: number[] = [];
  const init = (vm: Vm) => vm.waitFor(/Run \S+ as init process/, 120, 'the kernel starting the first process');
  for (let i = 0; i < runs; i++) {
    const a = await boot('rdinit=/bin/sh', { init, prompt: (vm) => vm.waitFor(/^\/ # /m, 120, 'the shell prompt') });
    shell.push(a.marks['prompt']! - a.kernel);
    shellInit.push(a.marks['init']! - a.kernel);
    const b = await boot('kexec_menu.timeout=-1', {
      init,
      // The first escape sequence after the kernel's messages is the menu drawing.
      first: (vm) => vm.waitFor(/\x1b\[/, 120, 'the menu\'s first output', vm.output.indexOf('Linux version')),
      entries: (vm) => vm.waitForScreen((t) => /Debian GNU\/Linux/.test(t), 120, 'the menu showing the entries'),
    });
    menuInit.push(b.marks['init']! - b.kernel);
    menuFirst.push(b.marks['first']! - b.kernel);
    menuEntries.push(b.marks['entries']! - b.kernel);
    process.stdout.write(
      `run ${i + 1}: shell ${shell[i]!.toFixed(2)} s (init at ${shellInit[i]!.toFixed(2)}), menu first frame ${menuFirst[i]!.toFixed(2)} s, entries shown ${menuEntries[i]!.toFixed(2)} s (init at ${menuInit[i]!.toFixed(2)})\n`,
    );
  }
  const since = (xs: number[], from: number[]) => xs.map((x, i) => x - from[i]!);
  process.stdout.write(`${arch}, ${runs} runs, seconds from the kernel banner:\n`);
  process.stdout.write(`  kernel starts the first process: ${stats([...shellInit, ...menuInit])}\n`);
  process.stdout.write(`  BusyBox shell prompt:      ${stats(shell)}; after the first process starts: ${stats(since(shell, shellInit))}\n`);
  process.stdout.write(`  menu's first frame:        ${stats(menuFirst)}; after the first process starts: ${stats(since(menuFirst, menuInit))}\n`);
  process.stdout.write(`  menu showing the entries:  ${stats(menuEntries)}; after the first process starts: ${stats(since(menuEntries, menuInit))}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
