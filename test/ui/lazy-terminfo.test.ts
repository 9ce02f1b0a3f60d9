// compileCapabilitiesOnUse: blessed's terminal capabilities compiled when first used give
// the same bytes as compiled all at once, and only what is used gets compiled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCapabilitiesOnUse } from '../../src/ui/lazy-terminfo';

interface Tput {
  strings: Record<string, string>;
  methods: Record<string, unknown>;
  [cap: string]: unknown;
}
type TputClass = (new (o: { terminal: string }) => Tput) & { prototype: { _compile(info: unknown, key: string, value: unknown): unknown } };

/** A fresh copy of blessed's Tput class (each has its own prototype to patch). */
function freshTput(): TputClass {
  const path = require.resolve('blessed/lib/tput');
  delete require.cache[path];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as TputClass;
}

for (const terminal of ['vt100', 'linux', 'xterm-256color']) {
  test(`${terminal}: every string capability gives the same bytes compiled on use as compiled at once`, () => {
    const eager = new (freshTput())({ terminal });
    const Lazy = freshTput();
    compileCapabilitiesOnUse(Lazy);
    const lazy = new Lazy({ terminal });
    const caps = Object.keys(eager.strings).filter((k) => typeof eager.methods[k] === 'function');
    assert.ok(caps.length > 50, `${terminal}: only ${caps.length} string capabilities`);
    for (const cap of caps) {
      // A few of blessed's compiled capabilities throw on these arguments: then both must.
      const call = (t: Tput) => {
        try {
          return (t[cap] as (...a: number[]) => unknown)(3, 7, 1, 2, 5, 4, 6, 8, 9);
        } catch (err) {
          return `threw ${err instanceof Error ? err.message : String(err)}`;
        }
      };
      assert.equal(call(lazy), call(eager), `${terminal} ${cap}`);
    }
  });
}

test('only the capabilities used are compiled', () => {
  const Tput = freshTput();
  let compiled = 0;
  const original = Tput.prototype._compile;
  Tput.prototype._compile = function (this: unknown, info: unknown, key: string, value: unknown) {
    if (typeof value === 'string' && value !== '') compiled++;
    return original.call(this, info, key, value);
  };
  compileCapabilitiesOnUse(Tput);
  const t = new Tput({ terminal: 'xterm-256color' });
  assert.equal(compiled, 0);
  (t['cup'] as (r: number, c: number) => string)(4, 9);
  (t['cup'] as (r: number, c: number) => string)(5, 9);
  (t['sgr0'] as () => string)();
  assert.equal(compiled, 2);
  assert.equal((t['cup'] as (r: number, c: number) => string)(4, 9), '\x1b[5;10H');
});
