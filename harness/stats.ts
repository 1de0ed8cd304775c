// The one place the kit does statistics: summaries of repeated samples (log scale for positive
// quantities), least-squares fits (memory per connection), and the two-group tests the regression
// gate decides with: Welch's t on log values, Mann-Whitney U where the logs are skewed, a seeded
// percentile bootstrap, Holm-Bonferroni across metrics, and the minimum detectable change.
// Distributions come from @stdlib, a maintained library; nothing here hand-rolls a t or normal
// distribution. stats.test.ts checks the answers against R's.
import ttest2 from '@stdlib/stats-ttest2';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Raised when the input cannot give an answer (no samples, lengths that differ, a vertical line). */
export class StatsError extends RangeError {
  override readonly name = 'StatsError';
}

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

export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** Coefficient of determination; 1 when every y is explained (including a flat line through flat data). */
  readonly r2: number;
  /** Standard error of the slope, sqrt(SSres / (n - 2) / Sxx); 0 with two points (a line through both). */
  readonly slopeSe: number;
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
  return {
    median: median(xs),
    ci95: interval95(xs),
    geomean: allPositive(xs) ? geometricMean(xs) : null,
    mean: mean(xs),
    stdev: stdev(xs),
    n: xs.length,
  };
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
  const slopeSe = xs.length > 2 ? Math.sqrt(ssRes / (xs.length - 2) / sxx) : 0;
  return { slope, intercept, r2, slopeSe };
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

// ---------------------------------------------------------------------------------------------
// Two groups: the change of the geometric mean, head against base, and whether it is real.

/** The seed every bootstrap in the kit uses unless told otherwise: the same data give the same interval. */
export const BOOTSTRAP_SEED = 0x5eed;
export const BOOTSTRAP_RESAMPLES = 4000;

/** Which test decided a comparison, printed beside its verdict. */
export type TestName = 'welch-log' | 'mann-whitney' | 'welch' | 'prediction-log' | 'pooled-log';

export interface LogComparison {
  /** geomean(head) / geomean(base) (or, for non-positive data, mean(head) / mean(base)). */
  readonly ratio: number;
  /** Interval of `ratio` at the requested confidence (never crosses 0 on the log scale). */
  readonly interval: readonly [number, number];
  readonly pValue: number;
  readonly test: TestName;
  /** Welch's df on the scale the test ran on. */
  readonly df: number;
  /** Standard error of the difference of (log) means. */
  readonly standardError: number;
  /** Skewness of the pooled, centred log values: what made the rank test decide. */
  readonly skewness: number;
}

/** |skewness| of the pooled, centred log samples above which the rank test decides instead of Welch. */
export const SKEW_LIMIT = 1;
/** The rank test needs this many samples in all before it is trusted over Welch on skewed data. */
export const RANK_MIN_TOTAL = 8;

/**
 * Compares head with base on the log scale. Welch's t on the log values decides when they look
 * near-normal; when the pooled log residuals are skewed (|skewness| > 1 with 8 samples or more) the
 * Mann-Whitney U test decides (as Go's benchstat does) and the interval is a seeded percentile
 * bootstrap of the ratio of geometric means. Needs 2 samples a side and positive data.
 */
export function compareLog(head: readonly number[], base: readonly number[], confidence = 0.95): LogComparison {
  if (head.length < 2 || base.length < 2) {
    throw new StatsError(`compareLog: needs at least 2 samples on each side (got ${head.length} and ${base.length})`);
  }
  if (!allPositive(head) || !allPositive(base)) throw new StatsError('compareLog: every sample must be above 0');
  const lh = head.map(Math.log);
  const lb = base.map(Math.log);
  const test = welch(lh, lb);
  const skew = skewness([...lh.map((x) => x - mean(lh)), ...lb.map((x) => x - mean(lb))]);
  const risk = 1 - confidence;
  if (lh.length + lb.length >= RANK_MIN_TOTAL && Math.abs(skew) > SKEW_LIMIT) {
    const rank = mannWhitney(head, base);
    const interval = bootstrapInterval(
      [lh, lb],
      ([h, b]) => mean(h as number[]) - mean(b as number[]),
      confidence,
      { seed: BOOTSTRAP_SEED },
    );
    return {
      ratio: Math.exp(test.difference),
      interval: [Math.exp(interval[0]), Math.exp(interval[1])],
      pValue: rank.pValue,
      test: 'mann-whitney',
      df: test.df,
      standardError: test.standardError,
      skewness: skew,
    };
  }
  const half = test.standardError === 0 ? 0 : tCritical(risk, test.df) * test.standardError;
  return {
    ratio: Math.exp(test.difference),
    interval: [Math.exp(test.difference - half), Math.exp(test.difference + half)],
    pValue: test.pValue,
    test: 'welch-log',
    df: test.df,
    standardError: test.standardError,
    skewness: skew,
  };
}

/**
 * One new measurement against a group of earlier ones, on the log scale: is `value` outside what the
 * group predicts for one more measurement? t = (log value - mean(log group)) / (s · sqrt(1 + 1/n)),
 * n - 1 degrees of freedom (the prediction interval of one observation). For a figure a run measures
 * once (a memory slope) against a baseline of several runs. Needs 2 earlier samples, positive data.
 */
export function compareLogToOne(value: number, group: readonly number[], confidence = 0.95): LogComparison {
  if (group.length < 2) throw new StatsError(`compareLogToOne: needs at least 2 earlier samples (got ${group.length})`);
  if (!allPositive([value]) || !allPositive(group)) throw new StatsError('compareLogToOne: every sample must be above 0');
  const logs = group.map(Math.log);
  const difference = Math.log(value) - mean(logs);
  const df = logs.length - 1;
  const se = stdev(logs) * Math.sqrt(1 + 1 / logs.length);
  let pValue: number;
  if (se === 0) pValue = difference === 0 ? 1 : 0;
  else pValue = 2 * (1 - tCdf(Math.abs(difference / se), df));
  const half = se === 0 ? 0 : tCritical(1 - confidence, df) * se;
  return {
    ratio: Math.exp(difference),
    interval: [Math.exp(difference - half), Math.exp(difference + half)],
    pValue,
    test: 'prediction-log',
    df,
    standardError: se,
    skewness: 0,
  };
}

/** A noise level estimated from many groups at once: the pooled variance of log values and its df. */
export interface PooledNoise {
  readonly variance: number;
  readonly df: number;
  readonly groups: number;
}

/**
 * Pools the within-group variance of log values over many groups (each side of each row of one
 * metric): sum of squared deviations from each group's own mean, over sum of (n - 1). For a figure
 * whose relative noise is the same wherever it is measured, such as an instruction count, this gives
 * a test many degrees of freedom where each row alone has two or three samples. Groups of one add
 * nothing. Undefined when no group has two samples.
 */
export function pooledLogNoise(groups: readonly (readonly number[])[]): PooledNoise | undefined {
  let squares = 0;
  let df = 0;
  let used = 0;
  for (const group of groups) {
    if (group.length < 2 || !allPositive(group)) continue;
    const logs = group.map(Math.log);
    const centre = mean(logs);
    squares += logs.reduce((sum, x) => sum + (x - centre) ** 2, 0);
    df += logs.length - 1;
    used++;
  }
  return df === 0 ? undefined : { variance: squares / df, df, groups: used };
}

/**
 * Head against base on the log scale with a pooled noise level (Student's t with the pooled df):
 * t = (mean log head - mean log base) / (s_pooled · sqrt(1/n_head + 1/n_base)). Works with one head
 * sample. Positive data only.
 */
export function compareLogPooled(head: readonly number[], base: readonly number[], noise: PooledNoise, confidence = 0.95): LogComparison {
  if (head.length < 1 || base.length < 1) throw new StatsError(`compareLogPooled: needs a sample on each side (got ${head.length} and ${base.length})`);
  if (!allPositive(head) || !allPositive(base)) throw new StatsError('compareLogPooled: every sample must be above 0');
  const lh = head.map(Math.log);
  const lb = base.map(Math.log);
  const difference = mean(lh) - mean(lb);
  const se = Math.sqrt(noise.variance * (1 / lh.length + 1 / lb.length));
  let pValue: number;
  if (se === 0) pValue = difference === 0 ? 1 : 0;
  else pValue = 2 * (1 - tCdf(Math.abs(difference / se), noise.df));
  const half = se === 0 ? 0 : tCritical(1 - confidence, noise.df) * se;
  return {
    ratio: Math.exp(difference),
    interval: [Math.exp(difference - half), Math.exp(difference + half)],
    pValue,
    test: 'pooled-log',
    df: noise.df,
    standardError: se,
    skewness: 0,
  };
}

/**
 * The smallest change (as a ratio above 1) that a two-sided test at `alpha` detects with
 * probability `power`, for a standard error `se` of the difference of log means on `df` degrees of
 * freedom: exp((t(1 - alpha/2) + t(power)) · se). The usual rule of thumb with t for z, which
 * is the honest factor at the small n of benchmark runs.
 */
export function minimumDetectableRatio(se: number, df: number, alpha: number, power = 0.8): number {
  if (!(se >= 0)) throw new StatsError(`minimumDetectableRatio: the standard error must be 0 or more (got ${se})`);
  if (se === 0) return 1;
  const d = Math.max(df, 1);
  return Math.exp((tCritical(alpha, d) + tQuantile(power, d)) * se);
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
// Mann-Whitney U (Wilcoxon rank-sum), as R's `wilcox.test(a, b)`: exact p-value when both samples
// are under 50 and there are no ties, otherwise the normal approximation with tie and continuity
// corrections.

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

// ---------------------------------------------------------------------------------------------
// A percentile bootstrap with its own seeded generator: the same data and seed give the same interval
// on every machine, so a test can pin its answer.

/** mulberry32: a small, well-mixed 32-bit generator; plenty for resampling indices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Percentile bootstrap: each group is resampled with replacement (independently), `statistic` is
 * computed on every resample, and the interval is the (1 - confidence)/2 and (1 + confidence)/2
 * quantiles of those values (R's `quantile(..., type = 7)`).
 */
export function bootstrapInterval(
  groups: readonly (readonly number[])[],
  statistic: (resampled: readonly (readonly number[])[]) => number,
  confidence: number,
  options: { readonly seed: number; readonly resamples?: number },
): [number, number] {
  if (!(confidence > 0 && confidence < 1)) throw new StatsError(`bootstrapInterval: confidence must be between 0 and 1 (got ${confidence})`);
  for (const group of groups) requireSamples('bootstrapInterval', group, 1);
  const random = seededRandom(options.seed);
  const count = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const values = new Float64Array(count);
  const buffers = groups.map((group) => new Array<number>(group.length));
  for (let r = 0; r < count; r++) {
    groups.forEach((group, g) => {
      const buffer = buffers[g] as number[];
      for (let i = 0; i < group.length; i++) buffer[i] = at(group, Math.floor(random() * group.length));
    });
    values[r] = statistic(buffers);
  }
  values.sort();
  return [quantile7(values, (1 - confidence) / 2), quantile7(values, (1 + confidence) / 2)];
}

/** R's default quantile (type 7) of sorted values. */
function quantile7(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

// ---------------------------------------------------------------------------------------------
// Many metrics, one decision.

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

function variance(xs: readonly number[]): number {
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
