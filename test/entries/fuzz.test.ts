import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Format } from '../../src/entries/model';
import { PARSERS } from '../../src/entries/scan/parsers';
import type { FuzzJob, FuzzMessage } from './fuzz-worker';

// Mutated real configs (test/fixtures/*/<tree>, samples/<tree>) through every registered
// parser: no throw, well-formed results, and no hang — each case must finish well within
// HANG_MS (generous: a 1 MB line on this slow machine takes a fraction of that).
const SEED = 0x6b657865; // fixed: a failure names its case number, which reproduces it
const CASES_PER_PARSER = 1200;
const HANG_MS = 10_000;

function treeParents(): string[] {
  const fixtures = resolve('test/fixtures');
  return [...readdirSync(fixtures).map((d) => join(fixtures, d)), resolve('samples')];
}

function fuzz(format: Format): Promise<{ problems: string[]; done?: Extract<FuzzMessage, { type: 'done' }> }> {
  const job: FuzzJob = { format, seed: SEED, cases: CASES_PER_PARSER, treeParents: treeParents() };
  return new Promise((done, fail) => {
    const worker = new Worker(join(__dirname, 'fuzz-worker.js'), { workerData: job });
    const problems: string[] = [];
    let last = 'loading the fixtures';
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void worker.terminate();
        problems.push(`hang: no answer within ${HANG_MS} ms on case ${last}`);
        done({ problems });
      }, HANG_MS);
    };
    arm();
    worker.on('message', (m: FuzzMessage) => {
      arm();
      if (m.type === 'case') last = `${m.index} (${m.what})`;
      else if (m.type === 'problem') problems.push(`case ${m.index} (${m.what}): ${m.problem}`);
      else {
        clearTimeout(timer);
        void worker.terminate();
        done({ problems, done: m });
      }
    });
    worker.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
  });
}

for (const format of Object.keys(PARSERS) as Format[]) {
  test(`fuzz: ${format} reader on mutated fixture configs`, async (t) => {
    const { problems, done } = await fuzz(format);
    if (done) t.diagnostic(`${done.cases} cases, ${done.configs} configs in ${done.trees} trees; slowest ${done.slowestMs.toFixed(0)} ms: ${done.slowest.slice(0, 160)}`);
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} problems`);
    assert.ok(done, 'the worker finished');
    // Every reader but the loose one reads configs from the fixtures; that one is fuzzed by file names.
    if (format !== 'loose') assert.ok(done.configs > 0, `no fixture config is read by the ${format} reader`);
    assert.ok(done.trees > 0);
    assert.equal(done.cases, CASES_PER_PARSER);
    // The results were not all empty: the mutations left many configs readable.
    assert.ok(done.entries > CASES_PER_PARSER / 4, `only ${done.entries} entries in ${CASES_PER_PARSER} cases`);
  });
}
