// Summaries of repeated samples: centre, spread and the 95% interval of the centre. Positive
// quantities (times, rates, bytes, ratios) are summarised on the log scale, so no interval of a
// positive figure can cross 0. Distributions come from @stdlib; summary.test.ts checks against R.
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { BOOTSTRAP_SEED, bootstrapInterval } from './bootstrap.js';
import { at, requireSamples, StatsError } from './samples.js';

export interface Summary {
  readonly median: number;
  /**
   * 95% interval of the centre: the geometric mean's (log-scale t, carried back) for positive
   * samples, a seeded percentile bootstrap of the mean otherwise; equal bounds when n < 2. It never
   * crosses 0 for a positive quantity.
   */
  readonly ci95: readonly [number, number];
  /** Geometric mean; null when a sample is 0 or negative. */
  readonly geomean: number | null;
  readonly mean: number;
  /** Sample standard deviation (n - 1); 0 when n < 2: no spread was observed. */
  readonly stdev: number;
  readonly n: number;
}

export function median(xs: readonly number[]): number {
  requireSamples('median', xs, 1);
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  // Even counts average the two middle values, as R's median() does.
  return sorted.length % 2 === 1 ? at(sorted, mid) : (at(sorted, mid - 1) + at(sorted, mid)) / 2;
}

export function mean(xs: readonly number[]): number {
  requireSamples('mean', xs, 1);
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Sample standard deviation (Bessel's n - 1); 0 for a single sample. */
export function stdev(xs: readonly number[]): number {
  return Math.sqrt(variance(xs));
}

/** 95% confidence interval of the mean: mean ± t(0.975, n - 1) · s / √n. Equal bounds when n < 2. */
export function ci95Mean(xs: readonly number[]): [number, number] {
  const m = mean(xs);
  if (xs.length < 2) return [m, m];
  const half = tQuantile(0.975, xs.length - 1) * (stdev(xs) / Math.sqrt(xs.length));
  return [m - half, m + half];
}

export function summarize(xs: readonly number[]): Summary {
  return {
    median: median(xs),
    ci95: interval95(xs),
    geomean: allPositive(xs) ? geometricMean(xs) : null,
    mean: mean(xs),
    stdev: stdev(xs),
    n: xs.length,
  };
}

/** Two-sided quantile of Student's t: the multiplier of a standard error for a (1 - risk) interval. */
export function tCritical(risk: number, df: number): number {
  if (!(risk > 0 && risk < 1)) throw new StatsError(`tCritical: risk must be between 0 and 1 (got ${risk})`);
  if (!(df > 0)) throw new StatsError(`tCritical: degrees of freedom must be above 0 (got ${df})`);
  return tQuantile(1 - risk / 2, df);
}

/** (max - min) / |median|: how far apart repeated samples landed, relative to their centre. */
export function relativeSpread(xs: readonly number[]): number {
  const m = median(xs);
  const spread = Math.max(...xs) - Math.min(...xs);
  if (spread === 0) return 0;
  return spread / Math.abs(m);
}

/** Sample variance (n - 1); 0 for a single sample. */
export function variance(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  // Shifted by the first value: the mean of three equal logs can differ from each by an ulp, and a
  // constant sample must have a variance of exactly 0 (welch's exact case), not 1e-31.
  const shift = at(xs, 0);
  const deviations = xs.map((x) => x - shift);
  const m = mean(deviations);
  let ss = 0;
  for (const d of deviations) ss += (d - m) * (d - m);
  return ss / (xs.length - 1);
}

/** Sample skewness (the adjusted Fisher-Pearson g1, as R's e1071::skewness type 2 gives it); 0 below 3 samples or with no spread. */
export function skewness(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 3) return 0;
  const m = mean(xs);
  let m2 = 0;
  let m3 = 0;
  for (const x of xs) {
    m2 += (x - m) ** 2;
    m3 += (x - m) ** 3;
  }
  m2 /= n;
  m3 /= n;
  if (m2 === 0) return 0;
  const g1 = m3 / m2 ** 1.5;
  return (g1 * Math.sqrt(n * (n - 1))) / (n - 2);
}

// ---------------------------------------------------------------------------------------------
// Positive quantities on the log scale. Times, rates, bytes and ratios are multiplicative: a 10%
// slowdown is the same step whatever the size. They are summarised by the geometric mean, with an
// interval computed on log values and carried back, so no interval of a positive figure can cross 0.

/** True when every sample is finite and above 0: the log scale applies. */
export function allPositive(xs: readonly number[]): boolean {
  return xs.length > 0 && xs.every((x) => Number.isFinite(x) && x > 0);
}

export function geometricMean(xs: readonly number[]): number {
  requireSamples('geometricMean', xs, 1);
  if (!allPositive(xs)) throw new StatsError('geometricMean: every sample must be above 0');
  return Math.exp(mean(xs.map(Math.log)));
}

/** A metric's centre: the geometric mean of positive samples, the arithmetic mean where one is 0 or below. */
export function centre(xs: readonly number[]): number {
  return allPositive(xs) ? geometricMean(xs) : mean(xs);
}

/**
 * The 95% interval of a metric's centre. Positive samples: the geometric mean's, from the t interval
 * of the log values carried back (R: `exp(t.test(log(x))$conf.int)`). Anything else (a slope that
 * may be negative): a percentile bootstrap of the mean with a fixed seed, which does not assume
 * symmetry either. Equal bounds when n < 2.
 */
export function interval95(xs: readonly number[]): [number, number] {
  requireSamples('interval95', xs, 1);
  if (xs.length < 2) return [at(xs, 0), at(xs, 0)];
  if (allPositive(xs)) {
    const logs = xs.map(Math.log);
    const half = tQuantile(0.975, logs.length - 1) * (stdev(logs) / Math.sqrt(logs.length));
    const centre = mean(logs);
    // Samples spread over hundreds of orders of magnitude can carry a bound past the largest double:
    // results.json holds finite numbers only, so such a bound is the largest one there is.
    return [Math.min(Math.exp(centre - half), Number.MAX_VALUE), Math.min(Math.exp(centre + half), Number.MAX_VALUE)];
  }
  return bootstrapInterval([xs], (resampled) => mean(resampled[0] as number[]), 0.95, { seed: BOOTSTRAP_SEED });
}
