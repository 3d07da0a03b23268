// Small statistics helpers shared by the benches.

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** The q-quantile (0..1) by nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** "p50 1.2 / p95 3.4 / p99 5.6 ms" */
export function percentiles(values: number[], digits = 2): string {
  return `p50 ${quantile(values, 0.5).toFixed(digits)} / p95 ${quantile(values, 0.95).toFixed(digits)} / p99 ${quantile(values, 0.99).toFixed(digits)} ms`;
}

/** The median wall time of `rounds` calls of fn, ms, after one warm-up call. */
export function medianTime(fn: () => void, rounds: number): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}
