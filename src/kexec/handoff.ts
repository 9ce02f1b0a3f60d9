// Hands the machine over to the loaded kernel.
//
// - direct (the default in the initramfs, where kexec-menu runs under init and nothing else
//   needs stopping): sync, unmount every partition kexec-menu mounted, reboot(LINUX_REBOOT_CMD_KEXEC).
// - init (a full system): ask init to stop services first and then kexec:
//   systemd: `systemctl kexec`; BusyBox init: SIGQUIT to PID 1, which runs its `restart`
//   action. That action must execute the loaded kernel; /etc/inittab needs a line such as
//     ::restart:/usr/sbin/kexec -e
//   (or, without kexec-tools, `::restart:/usr/bin/kexec-menu boot --exec-loaded`).
// If the hand-over returns, the loaded kernel is unloaded again and the error explained.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BootError, explainBootFailure } from './errors';
import type { KexecLoader } from './loader';
import { runProgram } from './loader';

export type Handoff = 'direct' | 'init';

/** The system calls the direct hand-over makes (src/sys). */
export interface HandoffSys {
  sync(): void;
  reboot(how: 'kexec'): void;
}

export interface DirectDeps {
  readonly sys: HandoffSys;
  /** From the disks layer: unmounts what kexec-menu mounted; returns what could not be unmounted. */
  readonly unmountAll: () => Promise<string[]>;
  readonly log?: (line: string) => void;
}

/** sync, unmount, reboot into the loaded kernel. Returns only if the reboot call failed. */
export async function handOverDirect(deps: DirectDeps): Promise<void> {
  const log = deps.log ?? (() => {});
  deps.sys.sync();
  const busy = await deps.unmountAll();
  // Still-mounted partitions are read-only here, so the jump is safe; say so in the log.
  if (busy.length > 0) log(`Could not unmount ${busy.join(', ')}; they are mounted read-only, continuing.`);
  deps.sys.sync();
  log('Starting the loaded kernel (reboot LINUX_REBOOT_CMD_KEXEC).');
  try {
    deps.sys.reboot('kexec');
  } catch (err) {
    throw new BootError(explainBootFailure(err, { stage: 'exec' }), (err as { code?: string }).code);
  }
  throw new BootError('reboot(LINUX_REBOOT_CMD_KEXEC) returned without starting the loaded kernel.');
}

/** Which init runs as PID 1, as far as the hand-over cares. */
export type InitSystem = { kind: 'systemd' } | { kind: 'busybox'; restart: boolean } | { kind: 'other'; name: string };

export function detectInit(root = '/'): InitSystem {
  if (existsSync(join(root, 'run/systemd/system'))) return { kind: 'systemd' };
  let exe = '';
  try {
    exe = readlinkSync(join(root, 'proc/1/exe'));
  } catch {
    /* not readable: judge by inittab */
  }
  let inittab: string | undefined;
  try {
    inittab = readFileSync(join(root, 'etc/inittab'), 'utf8');
  } catch {
    inittab = undefined;
  }
  if (exe.endsWith('/busybox') || (inittab !== undefined && !exe)) {
    // id:runlevels:action:process — BusyBox ignores id/runlevels; the action is field 3.
    const restart = (inittab ?? '').split('\n').some((l) => !l.trimStart().startsWith('#') && l.split(':')[2]?.trim() === 'restart');
    return { kind: 'busybox', restart };
  }
  return { kind: 'other', name: exe || 'unknown' };
}

export interface InitDeps {
  readonly init: InitSystem;
  /** Sends a signal to PID 1 (process.kill). */
  readonly signalInit: (signal: NodeJS.Signals) => void;
  readonly systemctl?: string;
}

/** Asks init to stop everything and start the loaded kernel. Returns once init has been asked. */
export async function handOverInit(deps: InitDeps): Promise<void> {
  const init = deps.init;
  if (init.kind === 'systemd') {
    const r = await runProgram(deps.systemctl ?? 'systemctl', ['kexec'], 60_000);
    if (r.code !== 0) throw new BootError(`systemctl kexec failed${r.code !== null ? ` (status ${r.code})` : ''}: ${r.output.trim().split('\n').pop() ?? ''}.`);
    return;
  }
  if (init.kind === 'busybox') {
    if (!init.restart) {
      throw new BootError('BusyBox init has no restart action in /etc/inittab to start the loaded kernel; add "::restart:/usr/sbin/kexec -e" or use --handoff direct.');
    }
    deps.signalInit('SIGQUIT');
    return;
  }
  throw new BootError(`The init system (${init.name}) is neither systemd nor BusyBox init, so --handoff init cannot ask it to kexec; use --handoff direct.`);
}

/** Cancel: unloads the loaded kernel, saying why if that fails too. */
export async function cancelBoot(loader: KexecLoader): Promise<string | undefined> {
  try {
    await loader.unload();
    return undefined;
  } catch (err) {
    return explainBootFailure(err, { stage: 'unload' });
  }
}
