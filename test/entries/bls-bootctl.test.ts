// Oracle: Debian bookworm's bootctl (systemd 252) lists the same BLS trees; its order, ids,
// titles, fields and default must be ours. bootctl wants --esp-path to be a mount point, so
// each tree is copied onto a tmpfs mounted in a private mount namespace (unshare), which also
// hides /sys/firmware so a host's EFI variables cannot change bootctl's default; the mounts
// vanish with the namespace. Needs root and the Debian mirror (packages cached in cache/).
//
// Deliberate differences, decided from bootctl's own output fields: bootctl lists entries
// systemd-boot would not show or we cannot boot (another `architecture`, `auto-*` ids, no
// `linux`: efi programs or broken entries); those are left out of the comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryFiles } from '../../src/fs/directory-files';
import { blsParser } from '../../src/entries/bls';
import type { MachineContext } from '../../src/machine/context';
import type { ParsedEntry, ParseResult } from '../../src/entries/model';
import type { PartitionFiles } from '../../src/fs/files';
import { findBootctl, run } from './bootctl';

const REPO = join(__dirname, '../../..');
const FIXTURES = join(REPO, 'test/fixtures/bls');

const BOOTCTL = findBootctl();

/** One bootctl entry: its JSON fields plus whether the text listing marks it default. */
interface OracleEntry {
  readonly id: string;
  readonly showTitle: string;
  readonly version?: string;
  readonly sortKey?: string;
  readonly architecture?: string;
  readonly linux?: string;
  readonly initrd?: string[];
  readonly options?: string;
  readonly devicetree?: string;
  readonly devicetreeOverlay?: string[];
  readonly triesLeft?: number;
  readonly triesDone?: number;
  isDefault: boolean;
}

// For each loader.conf (or the tree's own when none is given): the JSON listing, then the text
// listing (252's JSON has no default flag; the text marks it "(default)").
const SCRIPT = `
set -e
dir=$1; tree=$2; bootctl=$3; shift 3
mount -t tmpfs -o size=16m,mode=0755 kexec-menu-bls "$dir"
cp -a "$tree/." "$dir/"
if [ -d /sys/firmware ]; then mount -t tmpfs -o size=1m kexec-menu-nofw /sys/firmware; fi
export SYSTEMD_RELAX_ESP_CHECKS=1
n=0
run() {
  echo "@@json $n"; "$bootctl" --esp-path="$dir" --no-pager --json=short list
  echo "@@text $n"; "$bootctl" --esp-path="$dir" --no-pager list
  n=$((n + 1))
}
if [ $# -eq 0 ]; then run; fi
for conf in "$@"; do printf '%s' "$conf" > "$dir/loader/loader.conf"; run; done
`;

function bootctlList(bin: string, libPath: string, tree: string, loaderConfs: string[] = []): OracleEntry[][] {
  const mnt = mkdtempSync(join(tmpdir(), 'kexec-menu-bootctl-'));
  try {
    const r = run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', SCRIPT, 'sh', mnt, tree, bin, ...loaderConfs], {
      ...process.env,
      LD_LIBRARY_PATH: libPath,
    });
    assert.equal(r.status, 0, `bootctl in a private mount namespace failed: ${r.stderr}`);
    const runs: OracleEntry[][] = [];
    for (const section of r.stdout.split(/^@@/m).slice(1)) {
      const [head, ...rest] = section.split('\n');
      const [kind, index] = (head ?? '').split(' ');
      const i = Number(index);
      if (kind === 'json') {
        runs[i] = rest.filter((l) => l.startsWith('{')).map((l) => ({ ...(JSON.parse(l) as OracleEntry), isDefault: false }));
      } else {
        // Text blocks are separated by blank lines; ids pair them with the JSON entries.
        const blocks = rest.join('\n').split(/\n\s*\n/).filter((b) => /^\s*id: /m.test(b));
        blocks.forEach((b, k) => {
          const id = /^\s*id: (.*)$/m.exec(b)?.[1];
          const entry = runs[i]?.[k];
          assert.equal(entry?.id, id, 'bootctl text and JSON listings agree');
          if (entry && /^\s*title: .*\(default\)/m.test(b)) entry.isDefault = true;
        });
      }
    }
    return runs;
  } finally {
    rmdirSync(mnt);
  }
}

/** What of bootctl's listing systemd-boot would offer and kexec can boot on `machine`. */
function comparable(list: readonly OracleEntry[], machine: MachineContext): OracleEntry[] {
  return list.filter(
    (e) => e.linux !== undefined && !e.id.toLowerCase().startsWith('auto-') && (e.architecture === undefined || e.architecture.toLowerCase() === machine.efiArch.toLowerCase()),
  );
}

function ours(e: ParsedEntry): Record<string, unknown> {
  return {
    id: e.localId,
    title: e.title,
    version: e.version,
    sortKey: e.sortKey,
    architecture: e.architecture,
    linux: e.kernel.path,
    initrd: e.initrds.map((r) => r.path),
    options: e.cmdline,
    devicetree: e.devicetree?.resource.path,
    devicetreeOverlay: e.overlays.map((r) => r.path),
    tries: e.bootCounting ? [e.bootCounting.left, e.bootCounting.done] : undefined,
  };
}

function theirs(e: OracleEntry): Record<string, unknown> {
  return {
    id: e.id.replace(/\.conf$/i, ''),
    title: e.showTitle,
    version: e.version,
    sortKey: e.sortKey,
    architecture: e.architecture,
    linux: e.linux,
    initrd: e.initrd ?? [],
    options: e.options ?? '',
    devicetree: e.devicetree,
    devicetreeOverlay: e.devicetreeOverlay ?? [],
    // systemd-boot reads a missing "-DONE" as 0 tries done; bootctl leaves it out.
    tries: e.triesLeft === undefined ? undefined : [e.triesLeft, e.triesDone ?? 0],
  };
}

/** Our default: the entry loader.conf marks, else the first (systemd-boot's and the scanner's rule). */
function ourDefault(r: ParseResult): string | undefined {
  return (r.entries.find((e) => e.isDefault) ?? r.entries[0])?.localId;
}

function assertSameAsBootctl(tree: string, machine: MachineContext, parsed: ParseResult, listing: readonly OracleEntry[]): void {
  const wanted = comparable(listing, machine);
  assert.ok(wanted.length >= 2, `${tree}: bootctl lists enough entries to compare an order`);
  assert.deepEqual(parsed.entries.map(ours), wanted.map(theirs), `${tree} on ${machine.efiArch}: entries and order`);
  const theirDefault = listing.find((e) => e.isDefault);
  assert.ok(theirDefault, `${tree}: bootctl names a default`);
  assert.equal(ourDefault(parsed), theirDefault.id.replace(/\.conf$/i, ''), `${tree}: default entry`);
}

const TREES: ReadonlyArray<readonly [string, MachineContext]> = [
  ['fedora39-boot', { efiArch: 'x64' }],
  ['systemd-boot-esp', { efiArch: 'x64' }],
  ['systemd-boot-esp', { efiArch: 'aa64' }],
  ['order-rules', { efiArch: 'x64' }],
  ['title-clashes', { efiArch: 'x64' }],
  ['default-globs', { efiArch: 'x64' }],
];

for (const [name, machine] of TREES) {
  test(`bootctl 252 agrees on ${name} (${machine.efiArch})`, (t) => {
    if (!BOOTCTL.ok) {
      t.skip(BOOTCTL.reason);
      return;
    }
    const tree = join(FIXTURES, name);
    const [listing] = bootctlList(BOOTCTL.bin, BOOTCTL.libPath, tree);
    assertSameAsBootctl(name, machine, blsParser.parse(new DirectoryFiles(tree), 'p1', machine), listing ?? []);
  });
}

test('bootctl 252 agrees on loader.conf default globs', (t) => {
  if (!BOOTCTL.ok) {
    t.skip(BOOTCTL.reason);
    return;
  }
  const tree = join(FIXTURES, 'default-globs');
  const patterns = ['d1.conf', 'D2.CONF', 'd?.conf', '[s]2*', '[!s]*', 'good.conf', 'good+3-1.conf', 'bad*', 'd1', 'nomatch', '@saved'];
  const confs = patterns.map((p) => `timeout 3\ndefault ${p}\n`);
  const listings = bootctlList(BOOTCTL.bin, BOOTCTL.libPath, tree, confs);
  assert.equal(listings.length, patterns.length);
  patterns.forEach((pattern, i) => {
    const files = new DirectoryFiles(tree);
    // Our reader over the same entries, with this loader.conf.
    const view: PartitionFiles = {
      readText: (path) => (path === '/loader/loader.conf' ? confs[i] : files.readText(path)),
      list: (path) => files.list(path),
      isFile: (path) => files.isFile(path),
      isDir: (path) => files.isDir(path),
      realPath: (path) => files.realPath(path),
      findIgnoringCase: (path) => files.findIgnoringCase(path),
      forOnePass: () => view,
      readProblems: () => [],
    };
    const parsed = blsParser.parse(view, 'p1', { efiArch: 'x64' });
    assertSameAsBootctl(`default ${pattern}`, { efiArch: 'x64' }, parsed, listings[i] ?? []);
  });
});
