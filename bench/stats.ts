// Small statistics for the benchmarks: medians with their spread (timings on a shared
// machine are noisy, so a single number would lie), and the growth exponent that tells
// linear from worse.

export interface Sample {
  readonly values: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function sample(values: readonly number[]): Sample {
  if (values.length === 0) throw new Error('a sample needs at least one value');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { values, median, min: s[0]!, max: s[s.length - 1]! };
}

/** "123 ms (110–140)": the median, then the range of the runs. */
export function show(x: Sample, unit: string, digits = 0): string {
  const f = (v: number) => v.toFixed(digits);
  return x.values.length === 1 ? `${f(x.median)} ${unit}` : `${f(x.median)} ${unit} (${f(x.min)}–${f(x.max)})`;
}

/**
 * The exponent k in cost ∝ size^k between two measurements: 1 is linear, below 1 means a
 * fixed cost still dominates, above 1 grows faster than the input.
 */
export function growthExponent(size1: number, cost1: number, size2: number, cost2: number): number {
  if (size1 <= 0 || size2 <= 0 || cost1 <= 0 || cost2 <= 0 || size1 === size2) return NaN;
  return Math.log(cost2 / cost1) / Math.log(size2 / size1);
}

/** The marginal cost per unit between the smallest and the largest size. */
export function slope(points: readonly { size: number; cost: number }[]): number {
  const s = [...points].sort((a, b) => a.size - b.size);
  const a = s[0]!;
  const b = s[s.length - 1]!;
  return (b.cost - a.cost) / (b.size - a.size);
}
