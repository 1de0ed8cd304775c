// Holm's adjustment and the Wilson interval against R's p.adjust and prop.test.
import { describe, expect, it } from 'vitest';
import { holm, wilsonInterval } from './error-rates.js';

describe('holm and Wilson', () => {
  it('adjusts p-values as R’s p.adjust(p, "holm")', () => {
    const adjusted = holm([0.01, 0.04, 0.03, 0.005, 0.2]);
    [0.04, 0.09, 0.09, 0.025, 0.2].forEach((want, i) => expect(adjusted[i]).toBeCloseTo(want, 12));
  });

  it('matches R’s prop.test(1, 20, correct = FALSE)$conf.int (the Wilson interval)', () => {
    const [low, high] = wilsonInterval(1, 20);
    expect(low).toBeCloseTo(0.00888144880079538, 10);
    expect(high).toBeCloseTo(0.236131193446742, 10);
  });
});
