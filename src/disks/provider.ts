// The menu's view of the disks: discovery running in the background, reported as
// "partitions now", "these were added/removed", log lines and a settled flag. Shaped for the
// UI's PartitionProvider (src/ui/system-backend.ts), which src/cli/menu.ts wires.
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

/** Starts discovery with hot-plug; the first scan runs in the background. */
export function watchDisks(options: DiscoveryOptions = {}): DiskPartitionProvider {
  const discovery = new DiskDiscovery(options);
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
  discovery.start().then(
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
    scanning: () => discovery.scanningDevices().map((d) => d.name),
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
