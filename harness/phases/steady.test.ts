// The steady-state rule before a timed window: short windows until two in a row agree within the
// tolerance, never before the floor, and no longer than the cap (then flagged), on a virtual clock.
import { describe, expect, it } from 'vitest';
import { warmUntilSteady } from './steady.js';

/** Feeds the given readings, one per 100 ms window of a virtual clock. */
function readings(values: readonly number[]): { measure: () => Promise<number>; now: () => number } {
  let clock = 0;
  let i = 0;
  return {
    measure: () => {
      clock += 100;
      return Promise.resolve(values[Math.min(i++, values.length - 1)] as number);
    },
    now: () => clock,
  };
}

const OPTIONS = { stepMs: 100, minMs: 300, maxMs: 1_000, tolerance: 0.03 };

describe('warmUntilSteady', () => {
  it('stops at the first two windows in a row that agree within the tolerance, after the floor', async () => {
    // A cold process: 40, 30, 25 µs per request, then 20, 20.3: the last two agree within 3%.
    const { measure, now } = readings([40, 30, 25, 20, 20.3, 20.1]);
    expect(await warmUntilSteady(measure, OPTIONS, now)).toEqual({ ms: 500, windows: 5, steady: true });
  });

  it('does not stop before the floor even when the first windows agree', async () => {
    const { measure, now } = readings([20, 20, 20, 20]);
    expect(await warmUntilSteady(measure, OPTIONS, now)).toEqual({ ms: 300, windows: 3, steady: true });
  });

  it('gives up at the cap and says the process never settled', async () => {
    const { measure, now } = readings([10, 20, 10, 20, 10, 20, 10, 20, 10, 20, 10, 20]);
    expect(await warmUntilSteady(measure, OPTIONS, now)).toEqual({ ms: 1000, windows: 10, steady: false });
  });
});
