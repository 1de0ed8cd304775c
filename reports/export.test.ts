// github-action-benchmark export: one direction per file, the fields its custom tools read
// (name, unit, value; range and extra as strings), and the metrics it must leave out.
import { describe, expect, it } from 'vitest';
import { type Direction, type Metric } from '../harness/schema.js';
import { testMetric, testResults } from '../test/results-fixture.js';
import { formatGithubActionBenchmark, toGithubActionBenchmark, toolFor } from './export.js';

// Every metric here has the params { size: 1024 }, so ids read `name|style=callbacks|size=1024`.
const metric = (name: string, direction: Direction, samples: readonly number[], more: Partial<Metric> = {}): Metric =>
  testMetric(name, direction, samples, { params: { size: 1024 }, ...more });

const RESULTS = testResults([
  metric('echo.rps', 'higher', [95, 100, 105], { ci95: [90, 110], extra: { clientSaturated: false } }),
  metric('echo.latency_p99', 'lower', [1.5, 2, 2.5], { ci95: [1.25, 2.75] }),
  metric('echo.rps_ratio', 'higher', [0.9, 0.95, 1], { kind: 'ratio', unit: '×', ci95: [0.85, 1.05] }),
  metric('once', 'lower', [7], { ci95: [7, 7] }),
  metric('never', 'lower', [], { ci95: [0, 0] }),
]);

describe('toGithubActionBenchmark', () => {
  it('maps a direction to its tool', () => {
    expect(toolFor('higher')).toBe('customBiggerIsBetter');
    expect(toolFor('lower')).toBe('customSmallerIsBetter');
  });

  it('exports only the higher-is-better metrics for customBiggerIsBetter', () => {
    const exported = toGithubActionBenchmark(RESULTS, { direction: 'higher' });
    expect(exported.tool).toBe('customBiggerIsBetter');
    expect(exported.entries.map((entry) => entry.name)).toEqual([
      'echo.rps style=callbacks size=1024',
      'echo.rps_ratio style=callbacks size=1024',
    ]);
    const [rps] = exported.entries;
    expect(rps).toMatchObject({ unit: 'req/s', value: 100, range: '± 10' });
    expect(rps!.extra).toContain('median of 3 samples');
    expect(rps!.extra).toContain('mean 100 req/s');
    expect(rps!.extra).toContain('range: 95% CI of the mean [90, 110]');
    expect(rps!.extra).toContain('kind: absolute');
    expect(rps!.extra).toContain('clientSaturated: false');
  });

  it('exports the lower-is-better ones for customSmallerIsBetter, skipping metrics without samples', () => {
    const exported = toGithubActionBenchmark(RESULTS, { direction: 'lower' });
    expect(exported.tool).toBe('customSmallerIsBetter');
    expect(exported.entries.map((entry) => entry.name)).toEqual(['echo.latency_p99 style=callbacks size=1024', 'once style=callbacks size=1024']);
    expect(exported.entries[0]).toMatchObject({ value: 2, unit: 'ms', range: '± 0.75' });
    expect(exported.skipped).toEqual(['never|style=callbacks|size=1024']);
  });

  it('gives a single sample no range rather than a range of zero', () => {
    const once = toGithubActionBenchmark(RESULTS, { direction: 'lower' }).entries[1]!;
    expect(once.value).toBe(7);
    expect(once).not.toHaveProperty('range');
    expect(once.extra).toContain('median of 1 sample\n');
  });

  it('keeps only the requested kinds', () => {
    const ratio = toGithubActionBenchmark(RESULTS, { direction: 'higher', kinds: ['ratio'] });
    expect(ratio.entries.map((entry) => entry.unit)).toEqual(['×']);
    expect(ratio.entries[0]!.extra).toContain('kind: ratio to the in-run reference');
  });

  it('formats a JSON array whose entries have exactly the fields the action reads', () => {
    const parsed = JSON.parse(formatGithubActionBenchmark(toGithubActionBenchmark(RESULTS, { direction: 'higher' }))) as unknown[];
    expect(Array.isArray(parsed)).toBe(true);
    for (const entry of parsed as Record<string, unknown>[]) {
      expect(Object.keys(entry).sort()).toEqual(['extra', 'name', 'range', 'unit', 'value']);
      expect(typeof entry.name).toBe('string');
      expect(typeof entry.unit).toBe('string');
      expect(typeof entry.value).toBe('number');
      expect(typeof entry.range).toBe('string');
      expect(typeof entry.extra).toBe('string');
    }
  });
});
