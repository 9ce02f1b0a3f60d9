// blessed compiles every string capability of the terminal's terminfo entry into a
// JavaScript function (new Function per capability, several hundred of them) when the
// screen is made, though a menu uses a few dozen. This makes each one compile on its first
// use instead: the same function, the same result, 4–10 ms less before the first frame
// (Node 22; vt100 10 → 6 ms, xterm-256color 18 → 8 ms to set up the terminal; bench/).

/** The part of blessed's Tput class this touches (lib/tput.js). */
interface TputClass {
  prototype: {
    _compile(info: unknown, key: string, value: unknown): unknown;
  };
}

const patched = new WeakSet<object>();

/** Makes `Tput` compile a string capability when it is first called. Idempotent. */
export function compileCapabilitiesOnUse(Tput: TputClass): void {
  const proto = Tput.prototype;
  if (patched.has(proto)) return;
  patched.add(proto);
  const compileNow = proto._compile;
  proto._compile = function (this: unknown, info: unknown, key: string, value: unknown): unknown {
    // Booleans, numbers and empty strings compile to themselves or a no-op; the two file
    // capabilities read a file at compile time: all as before.
    if (typeof value !== 'string' || value === '' || key === 'init_file' || key === 'reset_file') return compileNow.call(this, info, key, value);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const tput = this;
    let compiled: ((...args: unknown[]) => unknown) | undefined;
    return function (this: unknown, ...args: unknown[]): unknown {
      compiled ??= compileNow.call(tput, info, key, value) as (...args: unknown[]) => unknown;
      return compiled.apply(this, args);
    };
  };
}
