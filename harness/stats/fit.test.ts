// Least squares against exact lines and a known scattered answer.
import { describe, expect, it } from 'vitest';
import { linearFit } from './fit.js';
import { StatsError } from './samples.js';

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
