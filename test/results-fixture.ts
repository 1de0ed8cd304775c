// Synthetic results.json content for tests of the readers (compare, export): a fixed environment and
// metrics built from given samples, with median and ci95 computed as the harness computes them.
// Test-only: nothing here is measured.
import { metricId, type Direction, type Environment, type Metric, type Results } from '../harness/schema.js';
import { interval95, median } from '../harness/stats/summary.js';

export const TEST_ENVIRONMENT: Environment = {
  node: 'v20.20.2',
  v8: '11.3.244.8-node.33',
  platform: 'linux',
  osRelease: '6.1.0',
  arch: 'x64',
  cpuModel: 'Test CPU @ 2.00GHz',
  cores: 2,
  totalMemoryBytes: 24 * 2 ** 30,
  commit: '0123456789abcdef0123456789abcdef01234567',
  dirty: false,
  nodeFlags: [],
  pinned: false,
};

/** A metric of the callbacks style with `name`'s samples; `more` overrides any field (the id follows style and params). */
export function testMetric(
  name: string,
  direction: Direction,
  samples: readonly number[],
  more: Partial<Omit<Metric, 'name' | 'direction' | 'samples'>> = {},
): Metric {
  const style = more.style ?? 'callbacks';
  const params = more.params ?? {};
  return {
    id: metricId(name, style, params),
    name,
    scenario: 'echo',
    style,
    params,
    unit: direction === 'higher' ? 'req/s' : 'ms',
    direction,
    kind: 'absolute',
    samples,
    median: samples.length === 0 ? 0 : median(samples),
    ci95: samples.length === 0 ? [0, 0] : interval95(samples),
    ...more,
  };
}

export function testResults(
  metrics: readonly Metric[],
  environment: Partial<Environment> = {},
  more: Partial<Omit<Results, 'metrics' | 'environment'>> = {},
): Results {
  return {
    schemaVersion: 1,
    tool: 'async-rosetta',
    createdAt: '2025-11-22T15:00:00.000Z',
    durationMs: 1000,
    environment: { ...TEST_ENVIRONMENT, ...environment },
    // Each repeat a fresh process pair, as the harness takes them: every sample is a unit.
    config: { mode: 'quick', repeatUnit: 'fresh process pair' },
    metrics,
    failures: [],
    ...more,
  };
}
