// Mann-Whitney U against R's wilcox.test, exact and with ties (harness/fixtures/stats-reference.R).
import { describe, expect, it } from 'vitest';
import { mannWhitney } from './mann-whitney.js';

// Known answers from R (harness/fixtures/stats-reference.R, R 4.2.2 on Debian bookworm).
const A = [10.1, 10.4, 9.8, 10.9, 10.2];
const B = [11.2, 11.9, 10.8, 11.5, 12.4, 11.1];

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
