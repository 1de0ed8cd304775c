// The sections' bar specs from results: a section without data yields no spec, and a one-sample
// benchmark is whiskered with its own margin of error.
import { describe, expect, it } from 'vitest';
import { testMetric, testResults } from '../../test/results-fixture.js';
import { reportView } from '../view.js';
import { echoBarsSpec, microSpec } from './bars.js';

describe('specs from results', () => {
  const context = reportView;

  it('gives no spec for a section without its metrics', () => {
    expect(echoBarsSpec(context(testResults([])), 'echo.rps', 'req/s')).toBeUndefined();
    expect(microSpec(context(testResults([])))).toBeUndefined();
  });

  it('whiskers a one-sample micro benchmark with its own margin of error', () => {
    const hop = testMetric('micro.hop_ns', 'lower', [40], { unit: 'ns', extra: { rme: 5 } });
    const spec = microSpec(context(testResults([hop]))) as unknown as { data: { values: { lo: number; hi: number; label: string }[] } };
    expect(spec.data.values[0]).toMatchObject({ lo: 38, hi: 42, label: '40 ns ±5%' });
  });
});
