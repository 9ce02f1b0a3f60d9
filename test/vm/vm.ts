// Runs the image (scripts/image.sh) in QEMU for the VM tests: serial console on the child's
// stdin/stdout, the human monitor on a unix socket (hot-plug), disks attached as virtio.
// Every wait has a timeout and fails with the screen and the tail of the console log, so a
// hung boot is a clear failure, never a hung test run.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Screen } from './screen';

export const TOP = resolve(__dirname, '../../..');
export const DISKS = join(TOP, 'cache/disks');
export type Arch = 'amd64' | 'arm64' | 'armhf';

/** Whether the VM suite was asked for (npm run test:vm); `npm test` skips it. */
export const SKIP_VM = process.env['KEXEC_MENU_VM_TESTS'] === '1' ? false : 'VM tests run with `npm run test:vm`';

export interface DiskSpec {
  /** A file in cache/disks/. */
  readonly name: string;
  /** Attach the original read-only (QEMU refuses writes) instead of a writable copy. */
  readonly readonly?: boolean;
}

export interface VmOptions {
  readonly arch?: Arch;
  /**
   * arm64 only: QEMU's 'virt' (the default) or 'raspi3b' (Raspberry Pi 3 B: Debian's
   * bcm2837-rpi-3-b-plus.dtb, the first disk as its SD card, console on the mini UART ttyS1,
   * which QEMU connects as its second serial port; the PL011 takes no input there).
   */
  readonly machine?: 'virt' | 'raspi3b';
  readonly disks?: readonly DiskSpec[];
  /** Kernel command line after the console= option. */
  readonly append?: string;
  /** Replaces the whole kernel command line. */
  readonly cmdline?: string;
  readonly memoryMiB?: number;
  /**
   * A gzip'd newc cpio appended to the image's initramfs: the kernel unpacks concatenated
   * archives in order, so its files replace the image's (an /etc/inittab, say).
   */
  readonly initramfsExtra?: Buffer;
  /** amd64: a second serial port, ttyS1, read and typed on through `second`. */
  readonly secondSerial?: boolean;
  /**
   * QEMU's user-mode network instead of none (libslirp: DHCP, TFTP from `tftp` at 10.0.2.2:69,
   * `bootfile` in the BOOTP header; the host's 127.0.0.1 is 10.0.2.2), one virtio-net card with `mac`.
   */
  readonly net?: { readonly tftp: string; readonly bootfile: string; readonly mac: string };
  /**
   * amd64: boot through UEFI firmware (Debian's OVMF, the pflash pair) instead of SeaBIOS, with
   * `vars` as the writable variable store: a copy of OVMF_VARS (ovmfVars()) that keeps the
   * EFI variables from one run to the next. QEMU still hands the kernel over (-kernel), and
   * OVMF starts it through its EFI stub.
   */
  readonly uefi?: { readonly vars: string };
}

/** Debian's ovmf package: the firmware code (read-only) and the empty variable store it pairs with. */
export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

/** Why a UEFI boot cannot run here, or false. */
export function uefiUnavailable(): string | false {
  return existsSync(OVMF_CODE) && existsSync(OVMF_VARS) ? false : `no ${OVMF_CODE} (Debian's ovmf package, .ci/apt-packages)`;
}

/** A fresh variable store for VmOptions.uefi, in `dir`. */
export function ovmfVars(dir: string): string {
  const file = join(dir, 'OVMF_VARS.fd');
  copyFileSync(OVMF_VARS, file);
  return file;
}

/** A serial port other than the console: what it shows, and typing on it. */
export interface SerialPort {
  readonly screen: Screen;
  send(keys: string): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The menu's selected line on `port` (drawn in reverse video), or '' when none is. */
function selectedLine(port: SerialPort): string {
  return port.screen.inverseLines().join(' / ');
}

/**
 * Moves the menu's selection on `port` to the entry whose line matches `entry`: Home, then
 * Down until it is selected or the selection stops moving (the end of the list), waiting for
 * each redraw. Discovery may still be adding a partition's entries above the selection while
 * it walks (the menu is drawn before every disk is read), so a walk that misses starts again
 * from Home, for at most `seconds`.
 */
export async function selectEntry(port: SerialPort, entry: RegExp, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!entry.test(selectedLine(port)) && Date.now() < deadline) {
    port.send('\x1b[H'); // Home
    await sleep(500);
    for (let i = 0; i < 60 && !entry.test(selectedLine(port)); i++) {
      const before = selectedLine(port);
      port.send('\x1b[B'); // Down
      for (let t = 0; t < 40 && selectedLine(port) === before; t++) await sleep(100);
      if (selectedLine(port) === before) break; // the end of the list
    }
  }
  assert.match(selectedLine(port), entry, `could not select ${entry}\n--- screen ---\n${port.screen.toString()}`);
}

/** Debian's device tree for the Raspberry Pi 3 B+, from the arm64 kernel package. */
export function raspiDtb(): string {
  const base = join(TOP, 'cache/debian/arm64/root/linux-image-arm64/usr/lib');
  const dir = existsSync(base) ? readdirSync(base).find((d) => d.startsWith('linux-image-')) : undefined;
  const file = dir && join(base, dir, 'broadcom/bcm2837-rpi-3-b-plus.dtb');
  if (!file || !existsSync(file)) throw new Error(`no bcm2837-rpi-3-b-plus.dtb under ${base}: run npm run image -- arm64`);
  return file;
}

/** The identities scripts/disks.sh gave the sample disks (UUIDs, kernel versions). */
export function diskIdentities(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(DISKS, 'identities'), 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('end', () => res(h.digest('hex')))
      .on('error', rej);
  });
}

/** The hashes scripts/disks.sh recorded for the pristine disks. */
export function recordedHashes(): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of readFileSync(join(DISKS, 'SHA256SUMS'), 'utf8').trim().split('\n')) {
    const [hash, name] = line.split(/\s+/);
    m.set(name!, hash!);
  }
  return m;
}

export class Vm {
  /** Everything the serial console printed, \r removed. */
  output = '';
  readonly screen = new Screen(80, 24);
  /** Writable copies of the disks, by name (their hashes are checked after the run). */
  readonly diskFiles = new Map<string, string>();
  readonly started = Date.now();
  private readonly dir: string;
  private readonly monitorPath: string;
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly listeners = new Set<() => void>();
  private exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;
  /** The second serial port (VmOptions.secondSerial). */
  readonly second?: SerialPort;
  private secondSocket: Socket | undefined;

  constructor(readonly opts: VmOptions = {}) {
    const arch = opts.arch ?? 'amd64';
    this.dir = mkdtempSync(join(tmpdir(), 'kexec-menu-vm-'));
    this.monitorPath = join(this.dir, 'monitor.sock');
    const image = join(TOP, 'cache/image', arch);
    for (const f of ['vmlinuz', 'initramfs.cpio.gz']) {
      if (!existsSync(join(image, f))) throw new Error(`${join(image, f)} is missing: run npm run image${arch === 'amd64' ? '' : ` -- ${arch}`}`);
    }
    const raspi = opts.machine === 'raspi3b';
    if (raspi && arch !== 'arm64') throw new Error('raspi3b is an arm64 machine');
    const console_ = arch === 'amd64' ? 'ttyS0,115200' : raspi ? 'ttyS1,115200' : 'ttyAMA0,115200';
    const cmdline = opts.cmdline ?? `console=${console_} panic=-1 quiet ${opts.append ?? ''}`.trim();
    let args: string[];
    if (arch === 'amd64') {
      args = ['-M', 'pc', '-cpu', 'qemu64,+rdrand', '-smp', '1', '-m', String(opts.memoryMiB ?? 1024), '-serial', 'stdio'];
    } else if (raspi) {
      // thread=single: the three parked CPUs spin in the firmware stub and would slow the
      // multi-threaded emulation 3-7x.
      args = ['-M', 'raspi3b', '-accel', 'tcg,thread=single', '-dtb', raspiDtb(), '-serial', 'null', '-serial', 'stdio'];
    } else if (arch === 'armhf') {
      // 32-bit ARM virt: Debian's armmp kernel has no LPAE, so no RAM or PCI window above 4 GiB.
      args = ['-M', 'virt,highmem=off', '-cpu', 'cortex-a15', '-smp', '1', '-m', String(opts.memoryMiB ?? 1024), '-device', 'virtio-rng-pci', '-serial', 'stdio'];
    } else {
      args = ['-M', 'virt', '-cpu', 'cortex-a57', '-smp', '1', '-m', String(opts.memoryMiB ?? 1024), '-device', 'virtio-rng-pci', '-serial', 'stdio'];
    }
    let initramfs = join(image, 'initramfs.cpio.gz');
    if (opts.initramfsExtra) {
      const combined = join(this.dir, 'initramfs.cpio.gz');
      writeFileSync(combined, Buffer.concat([readFileSync(initramfs), opts.initramfsExtra]));
      initramfs = combined;
    }
    const secondPath = join(this.dir, 'ttyS1.sock');
    if (opts.uefi) {
      if (arch !== 'amd64') throw new Error('uefi is for amd64 (OVMF)');
      args.push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,unit=1,file=${opts.uefi.vars}`);
    }
    if (opts.secondSerial) {
      if (arch !== 'amd64') throw new Error('secondSerial is for amd64 (ttyS1)');
      args.push('-chardev', `socket,id=second,path=${secondPath},server=on,wait=off`, '-serial', 'chardev:second');
    }
    args.push(
      '-no-reboot', '-display', 'none',
      ...(opts.net ? ['-netdev', `user,id=n0,tftp=${opts.net.tftp},bootfile=${opts.net.bootfile}`, '-device', `virtio-net-pci,netdev=n0,mac=${opts.net.mac}`] : ['-net', 'none']),
      '-monitor', `unix:${this.monitorPath},server=on,wait=off`,
      '-kernel', join(image, 'vmlinuz'), '-initrd', initramfs, '-append', cmdline,
    );
    for (const d of opts.disks ?? []) args.push('-drive', this.driveSpec(d, raspi ? 'sd' : 'virtio'));
    const qemu = arch === 'amd64' ? 'qemu-system-x86_64' : arch === 'armhf' ? 'qemu-system-arm' : 'qemu-system-aarch64';
    this.proc = spawn(qemu, args, { stdio: 'pipe' });
    this.proc.stdout.setEncoding('latin1');
    this.proc.stdout.on('data', (d: string) => {
      this.output += d.replaceAll('\r', '');
      this.screen.write(d);
      for (const l of [...this.listeners]) l();
    });
    if (opts.secondSerial) {
      const screen = new Screen(80, 24);
      const pending: string[] = [];
      this.second = { screen, send: (keys) => (this.secondSocket ? this.secondSocket.write(keys) : pending.push(keys)) };
      // QEMU makes the socket as it starts: connect once it is there.
      const attach = (tries: number): void => {
        const sock = connect(secondPath);
        sock.setEncoding('latin1');
        sock.on('connect', () => {
          this.secondSocket = sock;
          for (const k of pending.splice(0)) sock.write(k);
        });
        sock.on('data', (d: string) => {
          screen.write(d);
          for (const l of [...this.listeners]) l();
        });
        sock.on('error', () => {
          if (!this.secondSocket && tries > 0 && this.exitCode === undefined) setTimeout(() => attach(tries - 1), 100);
        });
      };
      attach(100);
    }
    let stderr = '';
    this.proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    this.exited = new Promise((res) => {
      this.proc.on('exit', (code) => {
        this.exitCode = code;
        if (stderr.trim()) this.output += `\n[qemu stderr] ${stderr.trim()}\n`;
        for (const l of [...this.listeners]) l();
        res(code);
      });
    });
  }

  private driveSpec(d: DiskSpec, bus: 'virtio' | 'sd'): string {
    const original = join(DISKS, d.name);
    if (!existsSync(original)) throw new Error(`${original} is missing: run npm run disks`);
    let file = original;
    if (!d.readonly) {
      file = join(this.dir, d.name);
      copyFileSync(original, file);
      this.diskFiles.set(d.name, file);
    }
    return `file=${file},format=raw,if=${bus}${d.readonly ? ',readonly=on' : ''}`;
  }

  /** Seconds since QEMU was started. */
  elapsed(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** Why a wait failed: what the screen and the log's end show. */
  describe(): string {
    const tail = this.output.slice(-3000);
    return `--- screen ---\n${this.screen.toString()}\n--- console log (end) ---\n${tail}`;
  }

  /**
   * Resolves with the first match of `pattern` in the console output from `from` on (default:
   * everything so far is searched too); rejects after `seconds`, or when QEMU exits first.
   */
  waitFor(pattern: RegExp, seconds: number, what: string, from = 0): Promise<RegExpExecArray> {
    return this.until(() => pattern.exec(this.output.slice(from)) ?? undefined, seconds, what);
  }

  /** Resolves when `test` holds for the screen's text (lines joined with \n); `screen`: another port's. */
  waitForScreen(test: (text: string) => boolean, seconds: number, what: string, screen: Screen = this.screen): Promise<string> {
    return this.until(() => {
      const text = screen.toString();
      return test(text) ? text : undefined;
    }, seconds, what);
  }

  private until<T>(check: () => T | undefined, seconds: number, what: string): Promise<T> {
    return new Promise((res, rej) => {
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = (): void => {
        const v = check();
        if (v !== undefined) {
          done();
          res(v);
        } else if (this.exitCode !== undefined) {
          done();
          rej(new Error(`QEMU exited (${this.exitCode}) before ${what}\n${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        rej(new Error(`timed out after ${seconds} s waiting for ${what}\n${this.describe()}`));
      }, seconds * 1000);
      this.listeners.add(listener);
      listener();
    });
  }

  /** Types on the serial console. */
  send(keys: string): void {
    this.proc.stdin.write(keys);
  }

  /** One human-monitor command; resolves with its output. */
  monitor(command: string): Promise<string> {
    return new Promise((res, rej) => {
      const sock = connect(this.monitorPath);
      let buf = '';
      let sent = false;
      const timer = setTimeout(() => {
        sock.destroy();
        rej(new Error(`monitor command '${command}' got no answer: ${buf}`));
      }, 10_000);
      sock.setEncoding('utf8');
      sock.on('data', (d: string) => {
        buf += d;
        // The monitor prints a banner and a (qemu) prompt, then the answer and a new prompt.
        if (!sent && buf.includes('(qemu) ')) {
          sent = true;
          buf = '';
          sock.write(command + '\n');
        } else if (sent && buf.includes('(qemu) ')) {
          clearTimeout(timer);
          sock.end();
          // The monitor echoes the command as typed (redrawing the line per key): the answer
          // is what follows the last complete echo.
          const text = buf.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '').replace(/\(qemu\) $/, '');
          const echo = text.lastIndexOf(command);
          res((echo === -1 ? text : text.slice(echo + command.length)).trim());
        }
      });
      sock.on('error', (e) => {
        clearTimeout(timer);
        rej(e);
      });
    });
  }

  /** Attaches another disk while the VM runs (a writable copy of a file of cache/disks/). */
  async hotAdd(name: string, id: string): Promise<void> {
    const file = join(this.dir, name);
    copyFileSync(join(DISKS, name), file);
    this.diskFiles.set(name, file);
    const added = await this.monitor(`drive_add 0 if=none,id=${id},file=${file},format=raw`);
    if (!/OK/.test(added)) throw new Error(`drive_add failed: ${added}`);
    const dev = await this.monitor(`device_add virtio-blk-pci,drive=${id},id=${id}-dev`);
    if (dev !== '') throw new Error(`device_add failed: ${dev}`);
  }

  /** Hashes of the writable disk copies that differ from what scripts/disks.sh recorded. */
  async changedDisks(): Promise<string[]> {
    const recorded = recordedHashes();
    const changed: string[] = [];
    for (const [name, file] of this.diskFiles) {
      if ((await sha256File(file)) !== recorded.get(name)) changed.push(name);
    }
    return changed;
  }

  /** Stops QEMU (if still running) and removes the disk copies. Safe to call twice. */
  async stop(): Promise<void> {
    this.secondSocket?.destroy();
    if (this.exitCode === undefined) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Saves the console log (for a failed test's artifacts). */
  saveLog(file: string): void {
    writeFileSync(file, this.output);
  }
}

/**
 * Boots a VM with `opts`, runs `body` on it, then checks that no disk copy changed
 * (`untouched` is that assertion's message); QEMU is stopped whatever happens.
 */
export async function withVm(opts: VmOptions, body: (vm: Vm) => Promise<void>, untouched = 'a disk image changed'): Promise<void> {
  const vm = new Vm(opts);
  try {
    await body(vm);
    assert.deepEqual(await vm.changedDisks(), [], untouched);
  } finally {
    await vm.stop();
  }
}
