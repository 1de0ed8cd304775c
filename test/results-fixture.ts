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

/** The echo reference rows a run with a C compiler and Python has: the Node baseline, c-epoll, and the Python servers. */
export const TEST_REFERENCE_ROWS = ['baseline', 'c-epoll', 'uvloop', 'asyncio', 'asyncio-streams'] as const;

// Each reference server's figures as a multiple of the baseline's: c-epoll the fastest and leanest
// row of every echo table (so a ranking that let it in would crown it), the Python servers slower.
const REFERENCE_SCALE: Readonly<Record<string, { readonly higher: number; readonly lower: number }>> = {
  'c-epoll': { higher: 3, lower: 0.3 },
  uvloop: { higher: 1.2, lower: 0.8 },
  asyncio: { higher: 0.5, lower: 2 },
  'asyncio-streams': { higher: 0.4, lower: 2.5 },
};

/**
 * `results` as a run with every reference row writes it: each of the baseline's echo figures (and
 * their same-round ratio twins) copied for each reference server and scaled, a process-RSS figure
 * per idle connection of their own for each, and both new config fields.
 */
export function withReferenceRows(results: Results, loadClient: 'native' | 'node' = 'native'): Results {
  const added: Metric[] = [];
  for (const metric of results.metrics) {
    if (metric.style !== 'baseline' || metric.scenario !== 'echo' || !metric.name.startsWith('echo.')) continue;
    for (const [style, scale] of Object.entries(REFERENCE_SCALE)) {
      const factor = metric.direction === 'higher' ? scale.higher : scale.lower;
      const samples = metric.samples.map((sample) => sample * factor);
      const centre = samples.length === 0 ? { median: 0, ci95: [0, 0] as const } : { median: median(samples), ci95: interval95(samples) };
      added.push({ ...metric, id: metricId(metric.name, style, metric.params), style, samples, ...centre });
    }
  }
  for (const [style, scale] of Object.entries(REFERENCE_SCALE)) {
    const name = 'memory.echo_idle.process_rss_per_conn';
    added.push(testMetric(name, 'lower', [1000 * scale.lower, 1010 * scale.lower, 990 * scale.lower], { style, params: { maxConnections: 1000 }, unit: 'bytes/conn' }));
  }
  return { ...results, config: { ...results.config, referenceRows: [...TEST_REFERENCE_ROWS], loadClient }, metrics: [...results.metrics, ...added] };
}
