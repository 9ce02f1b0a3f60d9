// The bundle (scripts/bundle.mjs) holds the program as a string that its few first lines
// compile with node:vm, handing V8 the code cache saved beside the bundle: the functions the
// first frame runs arrive compiled instead of being parsed and compiled at every start. It
// tells the program what happened here; outside the bundle (build/, tests) there is no cache.

import { renameSync, writeFileSync } from 'node:fs';
import type { Script } from 'node:vm';

/** What the bundle's first lines did with the code cache. */
export interface CodeCache {
  /** The cache file for this node version and architecture, beside the bundle. */
  readonly file: string;
  /** used: V8 took it; rejected: another node or other node options made it; absent: no file. */
  readonly state: 'used' | 'rejected' | 'absent';
  /** Saves what V8 has compiled so far in this process as the cache file; returns its size. */
  write(): number;
}

/** What the bundle's first lines leave under KEY: plain data and the program's vm.Script. */
interface BundleRecord {
  readonly file: string;
  readonly state: CodeCache['state'];
  readonly script: Script;
}

const KEY = Symbol.for('kexec-menu.code-cache');

/** The bundle's code cache, or undefined when the program does not run from the bundle. */
export function codeCache(): CodeCache | undefined {
  const record = (globalThis as Record<symbol, BundleRecord | undefined>)[KEY];
  if (record === undefined) return undefined;
  return {
    file: record.file,
    state: record.state,
    write(): number {
      const data = record.script.createCachedData();
      writeFileSync(`${record.file}.tmp`, data);
      renameSync(`${record.file}.tmp`, record.file);
      return data.length;
    },
  };
}
