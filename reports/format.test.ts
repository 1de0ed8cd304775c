import { describe, expect, it } from 'vitest';
import { configValue, precisionNote } from './format.js';

describe('precisionNote', () => {
  it("gives a timed figure's relative half-width and what stopped its rounds", () => {
    // An interval of 0.98-1.0404 around a geometric mean of ~1.0099: √(1.0404/0.98) - 1 = 3.04%.
    expect(precisionNote({ stoppedBy: 'budget', rounds: 9 }, [0.98, 1.0404])).toBe('±3.0% (budget spent)');
    expect(precisionNote({ stoppedBy: 'precision' }, [1, 1.0201])).toBe('±1.0% (target reached)');
    expect(precisionNote({ stoppedBy: 'rounds' }, [1, 1.0201])).toBe('±1.0% (rounds capped)');
  });

  it('says nothing of a figure not taken in rounds, and ± ? of an interval it cannot read', () => {
    expect(precisionNote({ r2: 0.99 }, [1, 2])).toBeUndefined();
    expect(precisionNote(undefined, [1, 2])).toBeUndefined();
    expect(precisionNote({ stoppedBy: 'budget' }, [-1, 2])).toBe('±? (budget spent)');
  });
});

describe('configValue', () => {
  it('prints an empty list as none, a list comma-separated and an object as key=value pairs', () => {
    expect(configValue([])).toBe('none');
    expect(configValue(['callbacks+trace', 'rxjs+trace'])).toBe('callbacks+trace, rxjs+trace');
    expect(configValue({ settleMs: 100, cells: [1, 2] })).toBe('settleMs=100  cells=1,2');
  });
});
