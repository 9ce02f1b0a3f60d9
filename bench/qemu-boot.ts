// One boot of an image in QEMU (software emulation) for bench/vm-boot.ts: the same machine
// test/vm/vm.ts starts (amd64: pc, qemu64+rdrand, 1 CPU, 1 GiB; arm64: virt, cortex-a57),
// but with any initramfs file (vm.ts always takes cache/image/ARCH's) and the disks attached
// read-only in place. Console output, and the screen it draws, with wall-clock marks.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Screen } from '../test/vm/screen';

export type BenchArch = 'amd64' | 'arm64';

export interface QemuBootOptions {
  readonly arch: BenchArch;
  readonly kernel: string;
  readonly initramfs: string;
  readonly cmdline: string;
  /** Files in `disksDir`, attached read-only as virtio disks. */
  readonly disks: readonly string[];
  readonly disksDir: string;
}

export class QemuBoot {
  output = '';
  readonly screen = new Screen(80, 24);
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly started = Date.now();
  private readonly listeners = new Set<() => void>();
  private exited = false;

  constructor(o: QemuBootOptions) {
    const machine =
      o.arch === 'amd64'
        ? ['-M', 'pc', '-cpu', 'qemu64,+rdrand', '-smp', '1', '-m', '1024']
        : ['-M', 'virt', '-cpu', 'cortex-a57', '-smp', '1', '-m', '1024', '-device', 'virtio-rng-pci'];
    const args = [...machine, '-serial', 'stdio', '-no-reboot', '-net', 'none', '-display', 'none', '-monitor', 'none', '-kernel', o.kernel, '-initrd', o.initramfs, '-append', o.cmdline];
    for (const d of o.disks) args.push('-drive', `file=${join(o.disksDir, d)},format=raw,if=virtio,readonly=on`);
    this.proc = spawn(o.arch === 'amd64' ? 'qemu-system-x86_64' : 'qemu-system-aarch64', args, { stdio: 'pipe' });
    this.proc.stdout.setEncoding('latin1');
    this.proc.stdout.on('data', (d: string) => {
      this.output += d.replaceAll('\r', '');
      this.screen.write(d);
      for (const l of [...this.listeners]) l();
    });
    this.proc.stderr.on('data', () => undefined);
    this.proc.on('exit', () => {
      this.exited = true;
      for (const l of [...this.listeners]) l();
    });
  }

  /** Seconds since QEMU was started. */
  elapsed(): number {
    return (Date.now() - this.started) / 1000;
  }

  private until<T>(probe: () => T | undefined, seconds: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v !== undefined) return done(() => resolve(v));
        if (this.exited) done(() => reject(new Error(`QEMU exited before ${what}:\n${this.output.slice(-2000)}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${what} within ${seconds} s:\n${this.screen.toString()}\n${this.output.slice(-2000)}`))), seconds * 1000);
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        f();
      };
      this.listeners.add(check);
      check();
    });
  }

  waitFor(pattern: RegExp, seconds: number, what: string, from = 0): Promise<RegExpExecArray> {
    return this.until(() => pattern.exec(this.output.slice(from)) ?? undefined, seconds, what);
  }

  waitForScreen(test: (text: string) => boolean, seconds: number, what: string): Promise<string> {
    return this.until(() => {
      const t = this.screen.toString();
      return test(t) ? t : undefined;
    }, seconds, what);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGKILL');
    await gone;
  }
}
