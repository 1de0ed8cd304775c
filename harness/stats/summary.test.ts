// Summaries against R: the median, mean and sample deviation, t.test(1:5)'s interval, Student's t
// quantiles, and the geometric mean's log-scale interval (harness/fixtures/stats-reference.R).
import { describe, expect, it } from 'vitest';
import { StatsError } from './samples.js';
import { centre, ci95Mean, geometricMean, interval95, mean, median, relativeSpread, skewness, stdev, summarize, tCritical } from './summary.js';

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

describe('centre', () => {
  it('is the geometric mean of positive samples and the mean otherwise', () => {
    expect(centre([1, 4, 16])).toBeCloseTo(4, 12);
    expect(centre([-1, 0, 4])).toBe(1);
  });
});

describe('relativeSpread', () => {
  it('is (max - min) / median', () => {
    expect(relativeSpread([110, 90, 100])).toBeCloseTo(0.2, 12);
    expect(relativeSpread([3, 3, 3])).toBe(0);
    expect(relativeSpread([-110, -90, -100])).toBeCloseTo(0.2, 12);
  });
});

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
});

describe('skewness', () => {
  it('computes the adjusted Fisher-Pearson skewness (type 2)', () => {
    expect(skewness([1, 2, 3, 10])).toBeCloseTo(1.76363261480389, 10);
    expect(skewness([5, 5, 5])).toBe(0);
  });
});

describe('interval95 at the edges of a double', () => {
  it('keeps both bounds finite for samples hundreds of orders of magnitude apart (found by the results.json property)', () => {
    const [low, high] = interval95([5e-324, 1e308, 1e308]);
    expect(Number.isFinite(low)).toBe(true);
    expect(high).toBe(Number.MAX_VALUE);
  });
});
