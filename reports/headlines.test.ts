// A headline names a winner only when it beats the runner-up significantly; otherwise a tie.
import { describe, expect, it } from 'vitest';
import { testMetric as metric, testResults as results } from '../test/results-fixture.js';
import { headlines } from './headlines.js';

const cell = { size: 1024, connections: 10 };
const cost = (style: string, samples: number[], extra: Record<string, boolean> = {}) =>
  metric('echo.cpu_us_per_req', 'lower', samples, { style, params: cell, unit: 'us/req', extra });

describe('headlines', () => {
  it('names the winner when it beats the runner-up significantly', () => {
    const [lead] = headlines(results([cost('callbacks', [10, 10.1, 9.9, 10.05]), cost('rxjs', [13, 13.1, 12.9, 13.05])]));
    expect(lead).toMatchObject({ key: 'Echo cost', style: 'callbacks' });
    expect(lead?.detail).toMatch(/next: rxjs, 1\.30× \(p = /);
  });

  it('calls it a tie, naming every style not significantly behind, when the lead is within the noise', () => {
    const [lead] = headlines(
      results([cost('callbacks', [10, 11, 9.5, 10.4]), cost('async-await', [10.3, 9.8, 11.2, 10.1]), cost('rxjs', [20, 20.2, 19.8, 20.1])]),
    );
    expect(lead?.style).toBe('tie: callbacks, async-await');
    expect(lead?.detail).toMatch(/not significantly behind \(p ≥ 0\.05, n=4\)/);
  });

  it('never ranks a saturated cell or the baseline', () => {
    const [lead] = headlines(
      results([cost('baseline', [5, 5.1, 4.9]), cost('callbacks', [1, 1.1, 0.9], { saturated: true }), cost('rxjs', [13, 13.1, 12.9])]),
    );
    expect(lead?.style).toBe('rxjs');
  });
});
