// Error rates over many tests: Holm's adjustment holds a family of metrics' false verdicts at alpha,
// and the Wilson interval says how large a false-alarm rate counted over a few runs may be.
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { StatsError } from './samples.js';

/**
 * Holm-Bonferroni adjusted p-values (R's `p.adjust(p, "holm")`), in the input's order: a family of
 * tests whose adjusted p < alpha holds the family-wise error at alpha.
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/**
 * A binomial proportion's 95% interval (Wilson score): for "k false alarms in n runs", which at
 * k = 0 still says how large the rate may be.
 */
export function wilsonInterval(k: number, n: number, confidence = 0.95): [number, number] {
  if (!(Number.isInteger(k) && Number.isInteger(n) && n > 0 && k >= 0 && k <= n)) {
    throw new StatsError(`wilsonInterval: needs whole numbers 0 <= k <= n, n > 0 (got k=${k}, n=${n})`);
  }
  const z = normalQuantile(1 - (1 - confidence) / 2, 0, 1);
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
