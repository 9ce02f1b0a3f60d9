// Boot times of the image in QEMU (software emulation), from the kernel's first line on the
// serial console ("Linux version", wall clock when it arrives) to:
//   - a plain BusyBox shell: the same image and kernel with rdinit=/bin/sh, its prompt (the floor);
//   - the menu: the first bytes it draws, and the first frame that shows the entries;
// and, for every boot, when the kernel starts the first process ("Run /init", "Run /bin/sh"):
// what comes before is the kernel's (unpacking the initramfs most of it), the rest the image's;
// and QEMU's start to the banner (the firmware loading the kernel and the initramfs).
// The menu boots once per initramfs compression the kernel unpacks (CONFIG_RD_GZIP, _LZ4,
// _ZSTD, and none): the same archive as the image's, recompressed here into cache/bench/vm/.
// KEXEC_MENU_BENCH_VM_BEFORE=DIR adds one more menu boot of DIR/initramfs.cpio.gz (an older
// image, for a before/after comparison in the same run).
// Same VM, same disks (gpt.img, extlinux.ext4, rpi-boot.vfat), no `quiet` (the banner is
// the start mark). Needs `npm run image && npm run disks`.
//   node scripts/build.mjs && node build/bench/vm-boot.js [RUNS] [amd64|arm64] [--json FILE]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BenchArch, QemuBoot } from './qemu-boot';

const top = resolve(__dirname, '../..');

export interface VmVariant {
  /** "gzip -6 (shipped)", "lz4 -l -9", ... */
  readonly label: string;
  readonly initramfs: string;
  readonly bytes: number;
  readonly shipped?: true;
  /** An older image, not a compression of this one. */
  readonly before?: true;
}

export interface BootMarks {
  /** QEMU's start to the kernel banner. */
  readonly banner: number;
  /** Banner to the kernel starting the first process. */
  readonly init: number;
  /** Banner to the shell's prompt / the menu's first output. */
  readonly first: number;
  /** Banner to the menu showing the sample disks' entries (menu boots only). */
  readonly entries?: number;
}

export interface VmBootResult {
  readonly arch: BenchArch;
  readonly runs: number;
  readonly shell: readonly BootMarks[];
  readonly menus: readonly { readonly variant: VmVariant; readonly boots: readonly BootMarks[] }[];
  readonly text: string;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function stats(xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${median(xs).toFixed(2)} s (min ${s[0]!.toFixed(2)}, max ${s[s.length - 1]!.toFixed(2)})`;
}

/** The image's archive in each compression the kernel unpacks, made once per image. */
function variants(arch: BenchArch): VmVariant[] {
  const image = join(top, 'cache/image', arch, 'initramfs.cpio.gz');
  if (!existsSync(image)) throw new Error(`${image} is missing: run npm run image`);
  const dir = join(top, 'cache/bench/vm', arch);
  mkdirSync(dir, { recursive: true });
  const stamp = `${statSync(image).size} ${statSync(image).mtimeMs}`;
  const stampFile = join(dir, 'made-from');
  const fresh = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  const cpio = join(dir, 'initramfs.cpio');
  const made: [string, string, string[]][] = [
    ['none (plain cpio)', cpio, []],
    ['lz4 -l -9 (legacy frame)', `${cpio}.lz4`, ['lz4', '-l', '-9', '-q', '-f', cpio, `${cpio}.lz4`]],
    ['zstd -19', `${cpio}.zst`, ['zstd', '-19', '-T0', '-q', '-f', cpio, '-o', `${cpio}.zst`]],
  ];
  if (!fresh) {
    execFileSync('sh', ['-c', `gzip -dc '${image}' > '${cpio}'`]);
    for (const [, , cmd] of made) if (cmd.length) execFileSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore' });
    writeFileSync(stampFile, stamp);
  }
  const out: VmVariant[] = [{ label: 'gzip -6 (the image as made)', initramfs: image, bytes: statSync(image).size, shipped: true }];
  for (const [label, file] of made) out.push({ label, initramfs: file, bytes: statSync(file).size });
  const before = process.env['KEXEC_MENU_BENCH_VM_BEFORE'];
  if (before) {
    const f = join(resolve(before), 'initramfs.cpio.gz');
    out.push({ label: `before: ${f}`, initramfs: f, bytes: statSync(f).size, before: true });
  }
  return out;
}

export async function measureVmBoot(runs: number, arch: BenchArch = 'amd64', say: (line: string) => void = () => undefined): Promise<VmBootResult> {
  const disks = arch === 'amd64' ? ['gpt.img', 'extlinux.ext4', 'rpi-boot.vfat'] : ['arm64-virt.ext4'];
  const console_ = arch === 'amd64' ? 'ttyS0,115200' : 'ttyAMA0,115200';
  const kernel = join(top, 'cache/image', arch, 'vmlinuz');
  const vs = variants(arch);
  const lines: string[] = [];
  const log = (l: string) => (lines.push(l), say(l));

  async function boot(initramfs: string, append: string, menu: boolean): Promise<BootMarks> {
    const vm = new QemuBoot({ arch, kernel, initramfs, cmdline: `console=${console_} panic=-1 ${append}`, disks, disksDir: join(top, 'cache/disks') });
    try {
      await vm.waitFor(/Linux version/, 120, 'the kernel banner');
      const t0 = vm.elapsed();
      await vm.waitFor(/Run \S+ as init process/, 180, 'the kernel starting the first process');
      const init = vm.elapsed() - t0;
      if (!menu) {
        await vm.waitFor(/^\/ # /m, 120, 'the shell prompt');
        return { banner: t0, init, first: vm.elapsed() - t0 };
      }
      // The first escape sequence after the kernel's messages is the menu drawing.
      await vm.waitFor(/\x1b\[/, 120, "the menu's first output", vm.output.indexOf('Linux version'));
      const first = vm.elapsed() - t0;
      await vm.waitForScreen((t) => /Debian GNU\/Linux/.test(t), 120, 'the menu showing the entries');
      return { banner: t0, init, first, entries: vm.elapsed() - t0 };
    } finally {
      await vm.stop();
    }
  }

  const shell: BootMarks[] = [];
  const menus = vs.map((variant) => ({ variant, boots: [] as BootMarks[] }));
  const shipped = vs.find((v) => v.shipped)!;
  for (let i = 0; i < runs; i++) {
    const s = await boot(shipped.initramfs, 'rdinit=/bin/sh', false);
    shell.push(s);
    const parts = [`shell ${s.first.toFixed(2)} s (init at ${s.init.toFixed(2)})`];
    // Rotated each run, so that a burst of load from elsewhere does not always hit the same one.
    for (let k = 0; k < menus.length; k++) {
      const m = menus[(k + i) % menus.length]!;
      const b = await boot(m.variant.initramfs, 'kexec_menu.timeout=-1', true);
      m.boots.push(b);
      parts.push(`${m.variant.label.split(' ')[0]}: init ${b.init.toFixed(2)}, first frame ${b.first.toFixed(2)}, entries ${b.entries!.toFixed(2)}`);
    }
    log(`run ${i + 1}: ${parts.join('; ')}`);
  }
  const since = (bs: readonly BootMarks[], f: (b: BootMarks) => number) => bs.map((b) => f(b) - b.init);
  log(`${arch}, ${runs} runs, seconds from the kernel banner (QEMU's start to the banner in brackets):`);
  log(`  BusyBox shell (${shipped.label}): init ${stats(shell.map((b) => b.init))}; prompt ${stats(shell.map((b) => b.first))}; after init ${stats(since(shell, (b) => b.first))} [banner ${stats(shell.map((b) => b.banner))}]`);
  for (const m of menus) {
    log(`  menu, ${m.variant.label}, ${(m.variant.bytes / 1048576).toFixed(1)} MiB:`);
    log(`    kernel starts the first process: ${stats(m.boots.map((b) => b.init))} [banner ${stats(m.boots.map((b) => b.banner))}]`);
    log(`    menu's first frame:        ${stats(m.boots.map((b) => b.first))}; after init ${stats(since(m.boots, (b) => b.first))}`);
    log(`    menu showing the entries:  ${stats(m.boots.map((b) => b.entries!))}; after init ${stats(since(m.boots, (b) => b.entries!))}`);
  }
  return { arch, runs, shell, menus, text: lines.join('\n') + '\n' };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const j = args.indexOf('--json');
  const json = j === -1 ? undefined : args.splice(j, 2)[1];
  const runs = Number(args[0] ?? 3);
  const arch = (args[1] ?? 'amd64') as BenchArch;
  measureVmBoot(runs, arch, (l) => process.stderr.write(l + '\n')).then(
    (r) => {
      process.stdout.write(r.text);
      if (json) writeFileSync(json, JSON.stringify(r, null, 1));
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
