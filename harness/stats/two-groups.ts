// Two groups, head against base: the change of the geometric mean and whether it is real. Welch's t
// on log values, Mann-Whitney U where the logs are skewed, a prediction interval for a figure
// measured once, a noise level pooled over many groups, and the minimum detectable change.
import ttest2 from '@stdlib/stats-ttest2';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { BOOTSTRAP_SEED, bootstrapInterval } from './bootstrap.js';
import { mannWhitney } from './mann-whitney.js';
import { StatsError } from './samples.js';
import { allPositive, mean, skewness, stdev, tCritical, variance } from './summary.js';

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
