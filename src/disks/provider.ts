// The menu's view of the disks: discovery running in the background, reported as
// "partitions now", "these were added/removed", log lines and a settled flag. Shaped for the
// UI's PartitionProvider (src/ui/system-backend.ts), which src/cli/menu.ts wires.
import { existsSync } from 'node:fs';
import type { Diagnostic } from '../fs/diagnostic';
import type { ReadablePartition } from '../fs/files';
import { type DeviceState, DiskDiscovery, type DiscoveryOptions, stateDiagnostics } from './discovery';

export interface DiskPartitionProvider {
  partitions(): readonly ReadablePartition[];
  /** One per device that could not be read or mounted, as of the last scan. */
  readonly diagnostics: readonly Diagnostic[];
  /** Stops watching and unmounts; resolves to what could not be unmounted. */
  close(): Promise<string[]>;
  /** After each device a scan looks at, and at its end: what came and went (maybe nothing). */
  onChange(fn: (added: readonly ReadablePartition[], removed: readonly ReadablePartition[]) => void): void;
  /** Devices the scan under way is still to look at. */
  scanning(): readonly string[];
  /** Scans again now. */
  refresh(): Promise<void>;
  /** The first scan is over (every device present at start has been tried). */
  isSettled(): boolean;
  onSettled(fn: () => void): void;
  onLog(fn: (line: string) => void): void;
  readonly discovery: DiskDiscovery;
}

function describe(p: ReadablePartition, s: DeviceState): string {
  const label = p.info.label !== undefined ? `, label ${JSON.stringify(p.info.label)}` : '';
  const how = s.mount.state === 'already-mounted' ? 'found mounted' : 'mounted read-only';
  return `${p.info.device ?? p.info.name} (${p.info.fstype}${label}) ${how} at ${p.root}`;
}

/**
 * The image's sysinit loads kernel modules beside the menu (usr/libexec/kexec-menu/load-modules)
 * and removes this file when it is done: until then disks may still be arriving.
 */
export const MODULES_LOADING = '/run/kexec-menu/modules-loading';
/** How long the first scan waits for that at most. */
const MODULES_WAIT_MS = 60_000;

/** Resolves once `marker` is gone (polled: it is a file on /run's tmpfs), or after MODULES_WAIT_MS. */
function modulesLoaded(marker: string, onWait: () => void): Promise<void> {
  if (!existsSync(marker)) return Promise.resolve();
  onWait();
  const until = Date.now() + MODULES_WAIT_MS;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (existsSync(marker) && Date.now() < until) return;
      clearInterval(timer);
      resolve();
    }, 100);
  });
}

/**
 * Starts discovery with hot-plug; the first scan runs in the background. `modulesLoading`
 * (default MODULES_LOADING): while that file exists, the kernel's drivers are still loading;
 * the first scan is over only after they are and a scan has looked again.
 */
export function watchDisks(options: DiscoveryOptions & { readonly modulesLoading?: string } = {}): DiskPartitionProvider {
  const discovery = new DiskDiscovery(options);
  /** Shown as a "scanning..." heading while the drivers load, so the menu never looks idle. */
  let waitingForDrivers = false;
  const changeFns: ((a: readonly ReadablePartition[], r: readonly ReadablePartition[]) => void)[] = [];
  const settledFns: (() => void)[] = [];
  const logFns: ((line: string) => void)[] = [];
  const log = (line: string) => logFns.forEach((f) => f(line));
  let added: ReadablePartition[] = [];
  let removed: ReadablePartition[] = [];
  let settled = false;

  discovery.on('partition-added', (p, s) => (added.push(p), log(describe(p, s))));
  discovery.on('partition-removed', (p, s) => {
    removed.push(p);
    log(`${p.info.device ?? p.info.name} left${s.unmountError ? `; ${s.unmountError}` : ''}`);
  });
  discovery.on('partition-failed', (s, reason) => log(`${s.device.path} (${s.identity.type}): ${reason}`));
  discovery.on('watch-fallback', (reason) => log(reason));
  // After every device, so the menu fills in as partitions are found and its "scanning..."
  // marks go one by one.
  const flush = () => {
    const a = added;
    const r = removed;
    added = [];
    removed = [];
    changeFns.forEach((f) => f(a, r));
  };
  discovery.on('scan-started', flush);
  discovery.on('device-probed', flush);
  discovery.on('scan-finished', flush);
  discovery
    .start()
    .then(() =>
      modulesLoaded(options.modulesLoading ?? MODULES_LOADING, () => {
        waitingForDrivers = true;
        flush();
      }),
    )
    .then(async () => {
      if (!waitingForDrivers) return;
      waitingForDrivers = false;
      await discovery.scan();
    })
    .then(
      () => {
        settled = true;
        settledFns.splice(0).forEach((f) => f());
      },
      (err: unknown) => {
        log(`disk discovery stopped: ${err instanceof Error ? err.message : String(err)}`);
        settled = true;
        settledFns.splice(0).forEach((f) => f());
      },
    );

  return {
    discovery,
    partitions: () => discovery.partitions(),
    scanning: () => [...(waitingForDrivers ? ['kernel drivers'] : []), ...discovery.scanningDevices().map((d) => d.name)],
    get diagnostics() {
      return stateDiagnostics(discovery.states());
    },
    close: () => discovery.close(),
    onChange: (fn) => void changeFns.push(fn),
    refresh: () => discovery.scan(),
    isSettled: () => settled,
    onSettled: (fn) => (settled ? fn() : void settledFns.push(fn)),
    onLog: (fn) => void logFns.push(fn),
  };
}
