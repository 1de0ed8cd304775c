// The statistics against answers computed elsewhere: R's documented `t.test` output on the sleep
// data, `t.test(1:5)`, and SciPy 1.17 (`scipy.stats.ttest_ind(..., equal_var=False)`, `t.ppf`)
// where R's manual prints no example. Every expected number below names its source.
import { describe, expect, it } from 'vitest';
import {
  bootstrapInterval,
  centre,
  ci95Mean,
  compareLog,
  compareLogPooled,
  compareLogToOne,
  geometricMean,
  holm,
  interval95,
  linearFit,
  mannWhitney,
  mean,
  median,
  minimumDetectableRatio,
  pooledLogNoise,
  relativeSpread,
  skewness,
  StatsError,
  stdev,
  summarize,
  tCritical,
  welch,
  wilsonInterval,
} from './stats.js';

// R's `sleep` data set (Student 1908), extra hours of sleep under two drugs; the Welch example of
// R's ?t.test: `t.test(extra ~ group, data = sleep)` prints
//   t = -1.8608, df = 17.776, p-value = 0.07939
//   95 percent confidence interval: -3.3654832  0.2054832
//   mean in group 1 0.75, mean in group 2 2.33
const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('median, mean, stdev', () => {
  it('takes the middle value of an odd count and averages the two middle values of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('does not reorder the caller’s array', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('computes the sample standard deviation (n - 1)', () => {
    // The textbook set 2,4,4,4,5,5,7,9: population sd 2, sample sd sqrt(32/7) = 2.138089935299395.
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(stdev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 12);
    expect(stdev([42])).toBe(0);
  });

  it('refuses empty and non-finite input with a StatsError that says what it needs', () => {
    expect(() => median([])).toThrow(StatsError);
    expect(() => mean([])).toThrow(/needs at least 1 sample \(got 0\)/);
    expect(() => median([1, Number.NaN])).toThrow(/finite/);
  });
});

describe('ci95Mean and summarize', () => {
  it('matches R: t.test(1:5)$conf.int is 1.036757 4.963243', () => {
    const [low, high] = ci95Mean([1, 2, 3, 4, 5]);
    // SciPy: t.interval(0.95, 4, loc=3, scale=sem) = (1.0367568385224428, 4.963243161477557)
    expect(low).toBeCloseTo(1.0367568385224428, 10);
    expect(high).toBeCloseTo(4.963243161477557, 10);
  });

  it('has equal bounds below two samples', () => {
    expect(ci95Mean([5])).toEqual([5, 5]);
  });

  it('summarizes median, ci95, mean, stdev and n together', () => {
    const summary = summarize([5, 1, 3, 2, 4]);
    expect(summary.median).toBe(3);
    expect(summary.mean).toBe(3);
    expect(summary.n).toBe(5);
    expect(summary.stdev).toBeCloseTo(Math.sqrt(2.5), 12);
    // Positive samples: the geometric mean's interval, R's exp(t.test(log(1:5))$conf.int).
    expect(summary.ci95[0]).toBeCloseTo(1.18342071759354, 10);
    expect(summary.ci95[1]).toBeCloseTo(5.73499878753534, 10);
  });
});

describe('tCritical', () => {
  it('is the two-sided quantile of Student’s t', () => {
    // R: qt(0.975, 4) = 2.776445; SciPy t.ppf(0.975, 4) = 2.7764451051977934
    expect(tCritical(0.05, 4)).toBeCloseTo(2.7764451051977934, 10);
    // SciPy t.ppf(0.995, 17.776473516178484) = 2.8826508233224812, t.ppf(0.9995, ...) = 3.930874063467421
    expect(tCritical(0.01, 17.776473516178484)).toBeCloseTo(2.8826508233224812, 8);
    expect(tCritical(0.001, 17.776473516178484)).toBeCloseTo(3.930874063467421, 8);
  });

  it('rejects a risk outside (0, 1) and df that is not positive', () => {
    expect(() => tCritical(0, 4)).toThrow(StatsError);
    expect(() => tCritical(0.05, 0)).toThrow(/degrees of freedom/);
  });
});

describe('linearFit', () => {
  it('is exact on a line', () => {
    const xs = [0, 1000, 2000, 5000, 10000];
    const fit = linearFit(xs, xs.map((x) => 3 * x + 2));
    expect(fit.slope).toBeCloseTo(3, 12);
    expect(fit.intercept).toBeCloseTo(2, 8);
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it('gives the least-squares answer on scattered points', () => {
    // x 1..5, y 2,4,5,4,5: Sxy = 6, Sxx = 10, so slope 0.6, intercept 4 - 0.6·3 = 2.2;
    // residuals -0.8 0.6 1.0 -0.6 -0.2 give SSres 2.4 of SStot 6: r² = 0.6.
    const fit = linearFit([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
    expect(fit.slope).toBeCloseTo(0.6, 12);
    expect(fit.intercept).toBeCloseTo(2.2, 12);
    expect(fit.r2).toBeCloseTo(0.6, 12);
    // R: summary(lm(y ~ x))$coefficients["x", "Std. Error"] = 0.282842712474619
    expect(fit.slopeSe).toBeCloseTo(0.282842712474619, 12);
  });

  it('calls a flat line through flat data a perfect fit', () => {
    expect(linearFit([1, 2, 3], [7, 7, 7])).toEqual({ slope: 0, intercept: 7, r2: 1, slopeSe: 0 });
  });

  it('refuses lengths that differ and x values that are all the same', () => {
    expect(() => linearFit([1, 2], [1])).toThrow(/xs has 2 values but ys has 1/);
    expect(() => linearFit([4, 4, 4], [1, 2, 3])).toThrow(/two distinct x values/);
    expect(() => linearFit([1], [1])).toThrow(StatsError);
  });
});

describe('centre', () => {
  it('is the geometric mean of positive samples and the mean otherwise', () => {
    expect(centre([1, 4, 16])).toBeCloseTo(4, 12);
    expect(centre([-1, 0, 4])).toBe(1);
  });
});

describe('welch', () => {
  it('takes equal constants whose mean is not exactly representable as equal (p = 1), not as NaN', () => {
    // The mean of three copies of log(2861.1) is one ulp above it: a naive variance is 1e-31, not 0.
    const constant = [2861.1, 2861.1, 2861.1].map(Math.log);
    expect(welch(constant, constant)).toMatchObject({ pValue: 1, standardError: 0, df: 4 });
    expect(compareLog([2861.1, 2861.1, 2861.1], [2861.1, 2861.1, 2861.1])).toMatchObject({ ratio: 1, pValue: 1 });
    expect(stdev([0.1, 0.1, 0.1])).toBe(0);
  });

  it('matches R’s documented Welch test on the sleep data', () => {
    const result = welch(SLEEP_1, SLEEP_2);
    // SciPy to full precision: statistic -1.8608134674868526, pvalue 0.0793941401873583, df 17.776473516178488
    expect(result.t).toBeCloseTo(-1.8608134674868526, 10);
    expect(result.df).toBeCloseTo(17.776473516178488, 8);
    expect(result.pValue).toBeCloseTo(0.0793941401873583, 10);
    expect(result.difference).toBeCloseTo(0.75 - 2.33, 12);
    // R's interval -3.3654832 0.2054832 is difference ± qt(0.975, df) · standard error.
    const half = tCritical(0.05, result.df) * result.standardError;
    expect(result.difference - half).toBeCloseTo(-3.3654832, 6);
    expect(result.difference + half).toBeCloseTo(0.2054832, 6);
  });

  it('is antisymmetric: swapping the sides flips t and keeps p', () => {
    const ab = welch(SLEEP_1, SLEEP_2);
    const ba = welch(SLEEP_2, SLEEP_1);
    expect(ba.t).toBeCloseTo(-ab.t, 12);
    expect(ba.pValue).toBeCloseTo(ab.pValue, 12);
  });

  it('handles one constant side (SciPy: t -5.196152422706632, df 2, p 0.03509871864598465)', () => {
    const result = welch([1, 2, 3], [5, 5, 5]);
    expect(result.t).toBeCloseTo(-5.196152422706632, 10);
    expect(result.df).toBeCloseTo(2, 10);
    expect(result.pValue).toBeCloseTo(0.03509871864598465, 10);
  });

  it('answers exactly when both sides are constant', () => {
    expect(welch([5, 5, 5], [5, 5])).toMatchObject({ t: 0, pValue: 1, difference: 0, standardError: 0 });
    const differ = welch([5, 5, 5], [6, 6]);
    expect(differ.pValue).toBe(0);
    expect(differ.t).toBe(-Infinity);
    expect(differ.difference).toBe(-1);
  });

  it('needs two samples on each side', () => {
    expect(() => welch([1], [1, 2])).toThrow(/at least 2 samples on each side \(got 1 and 2\)/);
  });
});

describe('relativeSpread', () => {
  it('is (max - min) / median', () => {
    expect(relativeSpread([110, 90, 100])).toBeCloseTo(0.2, 12);
    expect(relativeSpread([3, 3, 3])).toBe(0);
    expect(relativeSpread([-110, -90, -100])).toBeCloseTo(0.2, 12);
  });
});

// Known answers from R (harness/fixtures/stats-reference.R, R 4.2.2 on Debian bookworm).
const A = [10.1, 10.4, 9.8, 10.9, 10.2];
const B = [11.2, 11.9, 10.8, 11.5, 12.4, 11.1];

describe('the log scale', () => {
  it('summarises positive samples by the geometric mean with R’s exp(t.test(log(x))$conf.int)', () => {
    const x = [12.5, 13.1, 12.9, 14.2, 13.4];
    expect(geometricMean(x)).toBeCloseTo(13.2078714190498, 10);
    const [low, high] = interval95(x);
    expect(low).toBeCloseTo(12.4478663103722, 10);
    expect(high).toBeCloseTo(14.0142786781694, 10);
    expect(summarize(x).geomean).toBeCloseTo(13.2078714190498, 10);
  });

  it('never puts the interval of a positive, skewed quantity below zero', () => {
    // Three latencies, one far out: the symmetric t interval of the mean reaches below 0.
    const latencies = [40, 45, 900];
    expect(ci95Mean(latencies)[0]).toBeLessThan(0);
    const [low, high] = interval95(latencies);
    expect(low).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(900);
  });

  it('bootstraps the mean where samples can be negative, converging on the exact bootstrap quantiles', () => {
    // R enumerates all 4^4 resamples of (-1, 0.5, 2, 7): quantile(means, c(.025, .975)) = -0.25 5.375.
    const [low, high] = bootstrapInterval([[-1, 0.5, 2, 7]], ([g]) => mean(g!), 0.95, { seed: 1, resamples: 200_000 });
    expect(low).toBeCloseTo(-0.25, 1);
    expect(high).toBeCloseTo(5.375, 1);
  });

  it('gives the same bootstrap interval for the same seed and data, and another for another seed', () => {
    const stat = ([g]: readonly (readonly number[])[]): number => mean(g!);
    const one = bootstrapInterval([[1, 4, 2, 8, 5]], stat, 0.9, { seed: 7 });
    expect(bootstrapInterval([[1, 4, 2, 8, 5]], stat, 0.9, { seed: 7 })).toEqual(one);
    expect(bootstrapInterval([[1, 4, 2, 8, 5]], stat, 0.9, { seed: 8 })).not.toEqual(one);
  });
});

describe('compareLog', () => {
  it('matches R’s t.test(log(a), log(b)) as a ratio of geometric means with its interval', () => {
    const result = compareLog(A, B);
    expect(result.test).toBe('welch-log');
    expect(result.ratio).toBeCloseTo(0.89560453576779, 10);
    expect(result.pValue).toBeCloseTo(0.00281836625113635, 10);
    expect(result.df).toBeCloseTo(8.98404088342575, 8);
    expect(result.interval[0]).toBeCloseTo(0.842329006476474, 10);
    expect(result.interval[1]).toBeCloseTo(0.952249629682247, 10);
    const wide = compareLog(A, B, 0.99);
    expect(wide.interval[0]).toBeCloseTo(0.820060766547905, 10);
    expect(wide.interval[1]).toBeCloseTo(0.978107375950148, 10);
  });

  it('hands the decision to Mann-Whitney when the log values are skewed', () => {
    // One wild sample among many steady ones: |skewness| of the pooled log residuals is far above 1.
    const base = [100, 101, 99, 100, 102, 98, 100, 101];
    const head = [110, 111, 109, 110, 112, 108, 110, 400];
    const result = compareLog(head, base);
    expect(Math.abs(result.skewness)).toBeGreaterThan(1);
    expect(result.test).toBe('mann-whitney');
    expect(result.pValue).toBeCloseTo(mannWhitney(head, base).pValue, 12);
    expect(result.interval[0]).toBeGreaterThan(1);
  });

  it('refuses non-positive samples and sides of fewer than 2', () => {
    expect(() => compareLog([1, 2], [0, 1])).toThrow(/above 0/);
    expect(() => compareLog([1], [1, 2])).toThrow(/at least 2 samples/);
  });
});

describe('mannWhitney', () => {
  it('matches R’s exact wilcox.test without ties', () => {
    expect(mannWhitney(A, B)).toEqual({ w: 1, pValue: expect.closeTo(0.00865800865800866, 12) as number, exact: true });
    expect(mannWhitney([3, 1, 2], [6, 5, 4]).pValue).toBeCloseTo(0.1, 12);
    const d1 = [0.8, 1.1, 1.3, 0.9, 1.7, 1.2, 1.05, 0.95, 1.4, 1.15, 1.22, 1.33];
    const d2 = [1.9, 2.1, 1.5, 2.6, 1.75, 2.2, 1.85, 2.35, 1.62, 2.05, 1.99, 2.45];
    const r = mannWhitney(d1, d2);
    expect(r.w).toBe(2);
    expect(r.pValue / 2.95840920420272e-6).toBeCloseTo(1, 9);
  });

  it('matches R’s normal approximation with ties (wilcox.test(..., exact = FALSE))', () => {
    const r = mannWhitney([1, 2, 2, 3, 5, 8], [2, 3, 3, 6, 9, 9, 10]);
    expect(r.exact).toBe(false);
    expect(r.w).toBe(10);
    expect(r.pValue).toBeCloseTo(0.128788908519793, 10);
  });
});

describe('holm, skewness, Wilson, the minimum detectable change', () => {
  it('adjusts p-values as R’s p.adjust(p, "holm")', () => {
    const adjusted = holm([0.01, 0.04, 0.03, 0.005, 0.2]);
    [0.04, 0.09, 0.09, 0.025, 0.2].forEach((want, i) => expect(adjusted[i]).toBeCloseTo(want, 12));
  });

  it('computes the adjusted Fisher-Pearson skewness (type 2)', () => {
    expect(skewness([1, 2, 3, 10])).toBeCloseTo(1.76363261480389, 10);
    expect(skewness([5, 5, 5])).toBe(0);
  });

  it('matches R’s prop.test(1, 20, correct = FALSE)$conf.int (the Wilson interval)', () => {
    const [low, high] = wilsonInterval(1, 20);
    expect(low).toBeCloseTo(0.00888144880079538, 10);
    expect(high).toBeCloseTo(0.236131193446742, 10);
  });

  it('is close to R’s power.t.test for the detectable difference, and 1 with no spread', () => {
    // power.t.test(n = 5, sd = 0.05, sig.level = 0.01, power = 0.8)$delta = 0.137222 (noncentral t);
    // the (t + t) · se rule is within a few percent of it.
    const se = 0.05 * Math.sqrt(2 / 5);
    const ratio = minimumDetectableRatio(se, 8, 0.01, 0.8);
    expect(Math.log(ratio) / 0.137222057021898).toBeGreaterThan(0.95);
    expect(Math.log(ratio) / 0.137222057021898).toBeLessThan(1.02);
    expect(minimumDetectableRatio(0, 8, 0.01)).toBe(1);
  });
});

describe('interval95 at the edges of a double', () => {
  it('keeps both bounds finite for samples hundreds of orders of magnitude apart (found by the results.json property)', () => {
    const [low, high] = interval95([5e-324, 1e308, 1e308]);
    expect(Number.isFinite(low)).toBe(true);
    expect(high).toBe(Number.MAX_VALUE);
  });
});

describe('compareLogToOne', () => {
  it('matches the log-scale prediction interval of one more sample, computed in R', () => {
    // R (harness/fixtures/stats-reference.R): 2 * (1 - pt(|t|, 3)) = 0.00810573908596357,
    // interval exp(d ± qt(0.975, 3) · se) = 1.04568780321875 1.14578981578755
    const result = compareLogToOne(110, [100, 102, 99, 101]);
    expect(result.test).toBe('prediction-log');
    expect(result.pValue).toBeCloseTo(0.00810573908596357, 10);
    expect(result.interval[0]).toBeCloseTo(1.04568780321875, 10);
    expect(result.interval[1]).toBeCloseTo(1.14578981578755, 10);
    expect(result.df).toBe(3);
  });

  it('needs two earlier samples and positive values', () => {
    expect(() => compareLogToOne(1, [1])).toThrow(/at least 2/);
    expect(() => compareLogToOne(0, [1, 2])).toThrow(/above 0/);
  });
});

describe('pooled noise on the log scale', () => {
  // R 4.2: a <- c(15234, 15252, 15270); b <- c(15284, 15292, 15313, 15400)
  // t.test(log(a), log(b), var.equal = TRUE): p 0.0837557130945, df 5, exp(conf.int) 0.989981469344 1.000886804457
  const a = [15234, 15252, 15270];
  const b = [15284, 15292, 15313, 15400];

  it("with two groups is Student's equal-variance t on the logs (R's t.test(var.equal = TRUE))", () => {
    const noise = pooledLogNoise([a, b]);
    expect(noise).toBeDefined();
    expect(noise?.df).toBe(5);
    const c = compareLogPooled(a, b, noise as NonNullable<typeof noise>);
    expect(c.test).toBe('pooled-log');
    expect(c.pValue).toBeCloseTo(0.0837557130945, 9);
    expect(c.ratio).toBeCloseTo(0.99541920281, 10);
    expect(c.interval[0]).toBeCloseTo(0.989981469344, 9);
    expect(c.interval[1]).toBeCloseTo(1.000886804457, 9);
  });

  it('adds the degrees of freedom of every group and skips groups of one', () => {
    const noise = pooledLogNoise([a, b, [100, 101], [7]]);
    expect(noise?.df).toBe(6);
    expect(noise?.groups).toBe(3);
    expect(pooledLogNoise([[1], [2]])).toBeUndefined();
  });

  it('tests a single head sample against the base with the pooled df', () => {
    const noise = pooledLogNoise([a, b]) as NonNullable<ReturnType<typeof pooledLogNoise>>;
    const far = compareLogPooled([15234 * 1.1], b, noise);
    expect(far.df).toBe(5);
    expect(far.pValue).toBeLessThan(1e-4);
    const near = compareLogPooled([15300], b, noise);
    expect(near.pValue).toBeGreaterThan(0.5);
  });
});
