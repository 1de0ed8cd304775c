import { describe, expect, it } from 'vitest';
import { UsageError } from './args.js';
import { parseBudget, parsePrecision } from './budget.js';

describe('parseBudget', () => {
  it('reads seconds, minutes and hours, and plain numbers as seconds', () => {
    expect(parseBudget('run', 'budget', '90s')).toBe(90_000);
    expect(parseBudget('run', 'budget', '10m')).toBe(600_000);
    expect(parseBudget('run', 'budget', '1.5h')).toBe(5_400_000);
    expect(parseBudget('run', 'budget', '600')).toBe(600_000);
  });

  it('names the flag, the value and what is accepted when it cannot read it', () => {
    for (const bad of ['', '10 minutes', '-5m', '5s', '25h', 'm']) {
      expect(() => parseBudget('run', 'budget', bad)).toThrow(UsageError);
    }
    expect(() => parseBudget('run', 'budget', '10x')).toThrow(/--budget got "10x"; expected a time from 10s to 24h/);
  });
});

describe('parsePrecision', () => {
  it('reads a percentage or a fraction', () => {
    expect(parsePrecision('run', 'precision', '2%')).toBeCloseTo(0.02, 12);
    expect(parsePrecision('run', 'precision', '0.05')).toBe(0.05);
  });

  it('refuses what is not a precision', () => {
    for (const bad of ['', '%', '0', '80%', 'two', '0.0001']) {
      expect(() => parsePrecision('run', 'precision', bad)).toThrow(UsageError);
    }
    expect(() => parsePrecision('run', 'precision', '80%')).toThrow(/--precision got "80%"; expected a relative precision from 0.1% to 50%/);
  });
});
