// `npm run bench`: every performance measurement of issue 7, several runs each, compared
// with its baseline in the same run; writes docs/performance.md and the SVG of the scaling
// curves. A benchmark, not a test: it reports targets met or not and never fails on them.
//
//   npm run bench                 5 runs each, writes docs/performance.md + docs/performance-scaling.svg
//   npm run bench -- --smoke      1 run each, smaller rounds, writes cache/bench/ (for CI: does it still run?)
//   npm run bench -- --runs 9     more runs
//   npm run bench -- --vm         also boot the image in QEMU (bench/vm-boot.ts; minutes)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { CHANGES, PROFILE } from './changes';
import { scalingSvg } from './chart';
import { measureMemory } from './memory';
import { renderReport } from './report';
import { measureScaling } from './scale';
import { type ImageSizes, bundleSizes, imageSizes } from './sizes';
import { buildSnapshots } from './snapshot';
import { type VmBootResult, measureVmBoot } from './vm-boot';
import { type Program, bundleFloor, codeCacheProgram, envWords, findNodes, measureStartup } from './startup';

const top = resolve(__dirname, '../..');

interface Options {
  readonly smoke: boolean;
  readonly runs: number;
  readonly vm: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const smoke = argv.includes('--smoke');
  const i = argv.indexOf('--runs');
  const runs = i === -1 ? (smoke ? 1 : 5) : Number(argv[i + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a whole number of at least 1, not '${argv[i + 1]}'`);
  const unknown = argv.filter((a, k) => !['--smoke', '--runs', '--vm'].includes(a) && argv[k - 1] !== '--runs');
  if (unknown.length > 0) throw new Error(`unknown option '${unknown[0]}' (--smoke, --runs N, --vm)`);
  return { smoke, runs, vm: argv.includes('--vm') };
}

const say = (line: string) => process.stdout.write(line + '\n');
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const outDir = o.smoke ? join(top, 'cache/bench') : join(top, 'docs');
  const bundleDir = join(top, 'cache/bench/dist');
  mkdirSync(outDir, { recursive: true });
  const loadBefore = load();
  say(`kexec-menu bench: ${o.runs} run(s) each${o.smoke ? ' (smoke)' : ''}; load average ${loadBefore}`);

  say('sizes: the release bundle (scripts/bundle.mjs into cache/bench/dist/), the initramfs in cache/image/');
  const bundle = bundleSizes(top, bundleDir);
  const images = ['amd64', 'arm64'].map((a) => imageSizes(top, a, !o.smoke)).filter((x): x is ImageSizes => x !== undefined);

  const cli = join(top, 'build/src/cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run node scripts/build.mjs first (npm run bench does)`);
  const bundled = join(bundleDir, 'kexec-menu.js');
  const programs: Program[] = [{ label: 'build/ (one file per module)', args: [cli] }];
  if (bundle) programs.push({ label: 'bundle, no code cache', args: [bundled] }, codeCacheProgram(top, bundleDir, join(top, 'cache/bench/dist-code-cache')));
  const floor = bundleFloor(top);
  if (floor) programs.push(floor);
  const nodes = findNodes(top);
  say('start-up: V8 snapshots of the menu (an experiment: bench/snapshot-entry.ts)');
  const snapshots = buildSnapshots(top, nodes, say);

  say('start-up: process start to the first complete frame');
  // Start-up runs are short and the noisiest: twice as many rounds.
  const startup = await measureStartup({ top, programs: [...programs, ...snapshots], runs: o.smoke ? o.runs : 2 * o.runs, say });

  say('scale: partitions, entries, grub.cfg size');
  const scale = measureScaling(top, join(top, 'build/bench/scan-child.js'), o.runs, say);

  say('memory: the menu with 1,000 entries');
  // The shipped form, and the same without the console launcher's environment (what it saves).
  const shipped = programs.find((p) => p.shipped) ?? programs[0]!;
  const launcherEnv = envWords(shipped.env);
  const memoryPrograms: Program[] = [
    { ...shipped, label: `${shipped.label}, ${launcherEnv.join(' ') || 'no environment'} (the console launcher's)` },
    ...(launcherEnv.length ? [{ label: `${shipped.label}, without ${launcherEnv.join(' ')}`, args: shipped.args }] : []),
  ];
  const memory = await measureMemory({ nodes, programs: memoryPrograms, entries: 1000, runs: o.runs, say });

  let vmBoot: VmBootResult | undefined;
  if (o.vm) {
    say('VM boot: bench/vm-boot.ts (the shell, then the menu with each initramfs compression, per run)');
    vmBoot = await measureVmBoot(o.runs, 'amd64', (l) => say(`  ${l}`));
  }

  const svgName = 'performance-scaling.svg';
  const report = renderReport(
    {
      when: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Linux ${process.arch}`,
      loadBefore,
      loadAfter: load(),
      runs: o.runs,
      smoke: o.smoke,
      startup,
      scale,
      memory,
      ...(bundle ? { bundle } : {}),
      images,
      ...(vmBoot ? { vmBoot } : {}),
      svgName,
      profile: PROFILE,
    },
    CHANGES,
  );
  writeFileSync(join(outDir, 'performance.md'), report);
  writeFileSync(join(outDir, svgName), scalingSvg(scale));
  say(`wrote ${join(outDir, 'performance.md')} and ${join(outDir, svgName)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
