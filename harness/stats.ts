// The one place the kit does statistics: summaries of repeated samples, least-squares fits (memory
// per connection) and Welch's two-sample t-test (the regression gate). Distributions come from
// @stdlib, a maintained library; nothing here hand-rolls a t distribution.
import ttest2 from '@stdlib/stats-ttest2';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Raised when the input cannot give an answer (no samples, lengths that differ, a vertical line). */
export class StatsError extends RangeError {
  override readonly name = 'StatsError';
}

export interface Summary {
  readonly median: number;
  /** 95% confidence interval of the mean (t distribution); equal bounds when n < 2. */
  readonly ci95: readonly [number, number];
  readonly mean: number;
  /** Sample standard deviation (n - 1); 0 when n < 2: no spread was observed. */
  readonly stdev: number;
  readonly n: number;
}

export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** Coefficient of determination; 1 when every y is explained (including a flat line through flat data). */
  readonly r2: number;
}

export interface Welch {
  /** (mean(a) - mean(b)) / standard error, as R's `t.test(a, b)` reports it. */
  readonly t: number;
  /** Welch-Satterthwaite degrees of freedom. */
  readonly df: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  /** mean(a) - mean(b). */
  readonly difference: number;
  /** sqrt(var(a)/na + var(b)/nb): the standard error of `difference`. */
  readonly standardError: number;
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
  return { median: median(xs), ci95: ci95Mean(xs), mean: mean(xs), stdev: stdev(xs), n: xs.length };
}

/** Ordinary least squares y = slope · x + intercept. */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit {
  if (xs.length !== ys.length) {
    throw new StatsError(`linearFit: xs has ${xs.length} values but ys has ${ys.length}; expected the same length`);
  }
  requireSamples('linearFit', xs, 2);
  const mx = mean(xs);
  const my = mean(ys);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = at(xs, i) - mx;
    const dy = at(ys, i) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new StatsError(`linearFit: every x is ${mx}; a slope needs at least two distinct x values`);
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let ssRes = 0;
  for (let i = 0; i < xs.length; i++) {
    const residual = at(ys, i) - (slope * at(xs, i) + intercept);
    ssRes += residual * residual;
  }
  // Flat data has no variance to explain; a flat fit explains all of it.
  const r2 = syy === 0 ? 1 : 1 - ssRes / syy;
  return { slope, intercept, r2 };
}

/**
 * Welch's two-sample t-test of mean(a) = mean(b), two-sided. Both sides need 2 samples or more.
 * When both samples are constant the test is undefined (0/0); the answer is then exact: equal
 * constants cannot differ (p = 1), different constants certainly do (p = 0).
 */
export function welch(a: readonly number[], b: readonly number[]): Welch {
  if (a.length < 2 || b.length < 2) {
    throw new StatsError(`welch: needs at least 2 samples on each side (got ${a.length} and ${b.length})`);
  }
  const difference = mean(a) - mean(b);
  const va = variance(a);
  const vb = variance(b);
  if (va === 0 && vb === 0) {
    // Welch-Satterthwaite df is 0/0 here; the pooled df (what Student's test would use) stands in.
    // It only labels the result: with a zero standard error every interval has zero width.
    const df = a.length + b.length - 2;
    if (difference === 0) return { t: 0, df, pValue: 1, difference, standardError: 0 };
    return { t: difference > 0 ? Infinity : -Infinity, df, pValue: 0, difference, standardError: 0 };
  }
  const result = ttest2(a as number[], b as number[]);
  return {
    t: result.statistic,
    df: result.df,
    pValue: result.pValue,
    difference,
    standardError: Math.sqrt(va / a.length + vb / b.length),
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

function variance(xs: readonly number[]): number {
  const m = mean(xs);
  if (xs.length < 2) return 0;
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return ss / (xs.length - 1);
}

function requireSamples(fn: string, xs: readonly number[], min: number): void {
  if (xs.length < min) throw new StatsError(`${fn}: needs at least ${min} sample${min === 1 ? '' : 's'} (got ${xs.length})`);
  for (const x of xs) {
    if (!Number.isFinite(x)) throw new StatsError(`${fn}: samples must be finite numbers (got ${x})`);
  }
}

/** Index that the caller has bounds-checked; noUncheckedIndexedAccess cannot see that. */
function at(xs: readonly number[], i: number): number {
  return xs[i] as number;
}
