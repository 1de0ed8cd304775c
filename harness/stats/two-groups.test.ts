// Two-group tests against R's documented Welch example (the sleep data), SciPy where R's manual
// prints none, and R's answers for the log-scale, prediction and pooled tests (harness/fixtures/stats-reference.R).
import { describe, expect, it } from 'vitest';
import { mannWhitney } from './mann-whitney.js';
import { stdev, tCritical } from './summary.js';
import { compareLog, compareLogPooled, compareLogToOne, minimumDetectableRatio, pooledLogNoise, welch } from './two-groups.js';

// R's `sleep` data set (Student 1908), extra hours of sleep under two drugs; the Welch example of
// R's ?t.test: `t.test(extra ~ group, data = sleep)` prints
//   t = -1.8608, df = 17.776, p-value = 0.07939
//   95 percent confidence interval: -3.3654832  0.2054832
//   mean in group 1 0.75, mean in group 2 2.33
const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

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

// Known answers from R (harness/fixtures/stats-reference.R, R 4.2.2 on Debian bookworm).
const A = [10.1, 10.4, 9.8, 10.9, 10.2];
const B = [11.2, 11.9, 10.8, 11.5, 12.4, 11.1];

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

describe('the minimum detectable change', () => {
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
