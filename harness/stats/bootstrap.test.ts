// The seeded bootstrap: converges on the exact bootstrap quantiles R enumerates, and repeats itself for a seed.
import { describe, expect, it } from 'vitest';
import { bootstrapInterval } from './bootstrap.js';
import { mean } from './summary.js';

describe('bootstrapInterval', () => {
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
