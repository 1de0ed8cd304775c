// Mann-Whitney U (Wilcoxon rank-sum), as R's `wilcox.test(a, b)`: exact p-value when both samples
// are under 50 and there are no ties, otherwise the normal approximation with tie and continuity
// corrections. The rank test compareLog hands the decision to when the log values are skewed.
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { requireSamples } from './samples.js';

export interface MannWhitney {
  /** R's W: the rank sum of `a` minus na(na + 1)/2. */
  readonly w: number;
  readonly pValue: number;
  readonly exact: boolean;
}

export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitney {
  requireSamples('mannWhitney', a, 1);
  requireSamples('mannWhitney', b, 1);
  const na = a.length;
  const nb = b.length;
  const all = [...a.map((x) => ({ x, fromA: true })), ...b.map((x) => ({ x, fromA: false }))].sort((p, q) => p.x - q.x);
  const ranks = new Array<number>(all.length);
  const tieSizes: number[] = [];
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && (all[j + 1] as { x: number }).x === (all[i] as { x: number }).x) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    if (j > i) tieSizes.push(j - i + 1);
    i = j + 1;
  }
  let rankSumA = 0;
  all.forEach((entry, i) => {
    if (entry.fromA) rankSumA += ranks[i] as number;
  });
  const w = rankSumA - (na * (na + 1)) / 2;
  if (na < 50 && nb < 50 && tieSizes.length === 0) {
    // The exact distribution of W by counting: f[u] = arrangements of na among na + nb with U = u.
    const counts = exactUCounts(na, nb);
    const total = counts.reduce((sum, c) => sum + c, 0);
    const cdf = (u: number): number => {
      let s = 0;
      for (let k = 0; k <= Math.min(u, counts.length - 1); k++) s += counts[k] as number;
      return s / total;
    };
    // R: p = 2 · min(P(W <= w), P(W >= w)), capped at 1.
    const lower = cdf(w);
    const upper = 1 - cdf(w - 1);
    return { w, pValue: Math.min(1, 2 * Math.min(lower, upper)), exact: true };
  }
  const n = na + nb;
  const z0 = w - (na * nb) / 2;
  const tieTerm = tieSizes.reduce((sum, t) => sum + (t ** 3 - t), 0);
  const sigma = Math.sqrt(((na * nb) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sigma === 0) return { w, pValue: 1, exact: false };
  const correction = Math.sign(z0) * 0.5;
  const z = (z0 - correction) / sigma;
  return { w, pValue: Math.min(1, 2 * Math.min(normalCdf(z, 0, 1), 1 - normalCdf(z, 0, 1))), exact: false };
}

/** Number of orderings giving each U from 0 to na·nb (the recurrence of Mann and Whitney, 1947). */
function exactUCounts(na: number, nb: number): number[] {
  // c[i][j] as arrays of counts by U; built up by adding one observation of either sample.
  let previous: number[][] = Array.from({ length: nb + 1 }, () => [1]);
  for (let i = 1; i <= na; i++) {
    const current: number[][] = [[1]];
    for (let j = 1; j <= nb; j++) {
      // Adding a's largest: it is above all j of b, so U grows by j; adding b's largest: U unchanged.
      const fromA = previous[j] as number[];
      const fromB = current[j - 1] as number[];
      const size = i * j + 1;
      const row = new Array<number>(size).fill(0);
      fromA.forEach((c, u) => (row[u + j] = (row[u + j] as number) + c));
      fromB.forEach((c, u) => (row[u] = (row[u] as number) + c));
      current.push(row);
    }
    previous = current;
  }
  return previous[nb] as number[];
}
