import { describe, expect, it } from 'vitest';
import { nestedComponents, standardError } from './variance.js';

describe('nestedComponents', () => {
  it('splits a hand-computed balanced design into its components', () => {
    // Log values: generation means 0 and 0.2; within each, rounds ±0.1 around the mean; within each
    // turn, parts ±0.05 around the round. By hand: MS(within) = 4·0.05²·... computed below.
    const e = Math.exp;
    const values = [0, 0.2].map((g) => [-0.1, 0.1].map((r) => [-0.05, 0.05].map((p) => e(g + r + p))));
    // SS(within) = 8 · 0.05² = 0.02, df 4 → MS 0.005. SS(rounds) = 2 · 4 · 0.1² = 0.08, df 2 → MS 0.04.
    // SS(generations) = 4 · 2 · 0.1² = 0.08, df 1 → MS 0.08.
    const c = nestedComponents(values);
    expect(c.withinTurn).toBeCloseTo(0.005, 12);
    expect(c.betweenRounds).toBeCloseTo((0.04 - 0.005) / 2, 12);
    expect(c.betweenGenerations).toBeCloseTo((0.08 - 0.04) / 4, 12);
    expect(c.fGenerations).toBeCloseTo(2, 12);
    expect(c.fRounds).toBeCloseTo(8, 12);
    expect(standardError(c, 2, 2, 2)).toBeCloseTo(Math.sqrt(0.01 / 2 + 0.0175 / 4 + 0.005 / 8), 12);
  });

  it('reports a component that the data cannot tell from noise as 0, not negative', () => {
    // Two generations with the same mean and noisy rounds: MS(generations) below MS(rounds).
    const values = [
      [[1, 1.1], [1.3, 1.2], [0.9, 0.8]],
      [[1.3, 1.2], [0.9, 0.8], [1, 1.1]],
    ];
    expect(nestedComponents(values).betweenGenerations).toBe(0);
  });

  it('refuses an unbalanced design or non-positive values, saying which', () => {
    expect(() => nestedComponents([[[1, 1], [1, 1]], [[1, 1]]])).toThrow(/generation 1 has 1 rounds; expected 2/);
    expect(() => nestedComponents([[[1, 0], [1, 1]]])).toThrow(/positive finite values \(got 0\)/);
    expect(() => nestedComponents([[[1, 1]]])).toThrow(/at least 1 generation, 2 rounds and 2 parts/);
  });
});
