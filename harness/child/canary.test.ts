// The canary is real work: Marsaglia's xorshift32 (13, 17, 5) from his paper's seed, whose first
// output the paper gives, and a timed run that reports both clocks.
import { describe, expect, it } from 'vitest';
import { canaryWork, runCanary } from './canary.js';

describe('canary', () => {
  it('computes xorshift32: the first output from seed 2463534242 is 723471715 (Marsaglia 2003)', () => {
    expect(canaryWork(1)).toBe(723471715);
    // Never stuck at zero and different at every step count: the loop cannot be folded away.
    expect(new Set([1, 2, 3, 1000].map(canaryWork)).size).toBe(4);
  });

  it('reports the CPU and wall time of a run, with its result kept', () => {
    const reading = runCanary(200_000);
    expect(reading.sink).toBe(canaryWork(200_000));
    expect(reading.wallUs).toBeGreaterThan(0);
    expect(Number.isFinite(reading.cpuUs)).toBe(true);
    expect(reading.cpuUs).toBeGreaterThanOrEqual(0);
  });
});
