// Merging runs: samples pooled per metric in run order, each labelled with its run so the decision
// still counts runs as units; a metric that changed shape between runs is a MergeError. How the
// decision reads a merged file: reports/compare.test.ts.
import { describe, expect, it } from 'vitest';
import type { Metric, Results } from './schema.js';
import { testMetric as metric, testResults as results } from '../test/results-fixture.js';
import { mergeResults, MergeError } from './merge.js';

describe('mergeResults', () => {
  const run = (samples: number[], more: Partial<Metric> = {}, durationMs = 100): Results =>
    results([metric('echo.rps', 'higher', samples, more), metric('echo.rps', 'higher', samples.map((x) => x * 2), { style: 'rxjs' })], {}, {
      durationMs,
    });

  it('concatenates samples per id in run order, labels each with its run, and recomputes median and ci95', () => {
    const merged = mergeResults([run([1]), run([2]), run([3]), run([4]), run([5])]);
    expect(merged.metrics).toHaveLength(2);
    const callbacks = merged.metrics[0]!;
    expect(callbacks.samples).toEqual([1, 2, 3, 4, 5]);
    expect(callbacks.runs).toEqual([0, 1, 2, 3, 4]);
    expect(callbacks.median).toBe(3);
    // R: exp(t.test(log(1:5))$conf.int) = 1.18342071759354 5.73499878753534
    expect(callbacks.ci95[0]).toBeCloseTo(1.18342071759354, 10);
    expect(callbacks.ci95[1]).toBeCloseTo(5.73499878753534, 10);
    expect(merged.metrics[1]!.samples).toEqual([2, 4, 6, 8, 10]);
    expect(merged.durationMs).toBe(500);
    expect(merged.config).toEqual({ mode: 'quick', repeatUnit: 'fresh process pair', mergedRuns: 5 });
  });

  it('keeps a metric that only some runs produced, and every run’s failures', () => {
    const failing = results([metric('echo.rps', 'higher', [7])], {}, {
      failures: [{ what: 'echo style=rxjs', reason: 'crashed', message: 'boom', stderrTail: '' }],
    });
    const merged = mergeResults([run([1]), failing]);
    expect(merged.metrics[0]!.samples).toEqual([1, 7]);
    expect(merged.metrics[1]!.samples).toEqual([2]);
    expect(merged.failures).toHaveLength(1);
  });

  it('keeps extra only when every run agrees on it', () => {
    expect(mergeResults([run([1], { extra: { r2: 0.99 } }), run([2], { extra: { r2: 0.99 } })]).metrics[0]!.extra).toEqual({ r2: 0.99 });
    expect(mergeResults([run([1], { extra: { r2: 0.99 } }), run([2], { extra: { r2: 0.97 } })]).metrics[0]).not.toHaveProperty('extra');
  });

  it('refuses runs that disagree on what a metric is', () => {
    expect(() => mergeResults([run([1]), run([2], { unit: 'MiB/s' })])).toThrow(MergeError);
    expect(() => mergeResults([run([1]), run([2], { unit: 'MiB/s' })])).toThrow(/run 2: .*unit "MiB\/s", an earlier run had "req\/s"/);
    expect(() => mergeResults([])).toThrow(/at least one run/);
  });
});
