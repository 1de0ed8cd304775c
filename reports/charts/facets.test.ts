// Every chart of several panels puts each panel's bars under that panel's own labels. The results
// hold the echo grid a full run measures (1 KiB and 100 KiB at 10 connections, 1 KiB at 100: three
// cells of a two-by-two grid), two workflow cells of each kind and every memory and micro figure,
// each with a value no other metric has, so a bar drawn in a panel names the metric it came from.
import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import type { Metric } from '../../harness/schema.js';
import { testMetric, testResults } from '../../test/results-fixture.js';
import { layoutOf } from '../../test/support/chart-panels.js';
import { paramLabel } from '../format.js';
import { renderHtml } from '../html.js';
import { reportView } from '../view.js';
import { echoBarsSpec, memorySpec, microSpec, workflowThroughputSpec, workflowWallSpec, type ChartContext } from './bars.js';
import { latencySpec } from './latency.js';

const STYLES = ['baseline', 'threads', 'callbacks', 'async-await'];
const ECHO_CELLS = [
  { size: 1024, connections: 10 },
  { size: 100 * 1024, connections: 10 },
  { size: 1024, connections: 100 },
];

let next = 0;
/** A metric whose median no other metric of the file has (a whole number of thousands plus 17). */
function distinct(name: string, style: string, params: Metric['params'], scenario: Metric['scenario'] = 'echo'): Metric {
  next++;
  const value = 1000 * next + 17;
  return testMetric(name, 'lower', [value * 0.99, value, value * 1.01], { style, params, scenario, unit: 'us' });
}

const ECHO_NAMES = ['echo.cpu_us_per_req', 'echo.rps', 'echo.mibps', 'echo.p50_us', 'echo.p99_us', 'echo.p999_us'];
const MEMORY = {
  'memory.echo_idle.bytes_per_conn': 'heap per idle connection',
  'memory.echo_active.bytes_per_conn': 'heap per connection after one echo',
  'memory.workflow.bytes_per_inflight': 'heap per in-flight workflow',
  'memory.echo_idle.rss_per_conn': 'RSS per idle connection',
  'memory.workflow.rss_per_inflight': 'RSS per in-flight workflow',
} as const;
const MICRO = { 'micro.hop_ns': 'one async hop', 'micro.seq10_ns': '10 sequential I/O calls', 'micro.par25_ns': '25 parallel I/O calls' } as const;

const metrics: Metric[] = [];
for (const style of STYLES) {
  for (const cell of ECHO_CELLS) for (const name of ECHO_NAMES) metrics.push(distinct(name, style, cell));
  metrics.push(distinct('echo.instructions_per_req', style, { size: 1024, connections: 1 }));
  for (const name of Object.keys(MEMORY)) metrics.push(distinct(name, style, { maxConnections: 1000 }));
  if (style === 'baseline') continue;
  for (const concurrent of [4, 16]) metrics.push(distinct('workflow.throughput', style, { latencyMs: 0, concurrent }, 'repos-and-forks'));
  for (const latencyMs of [20, 50]) metrics.push(distinct('workflow.wall_ms', style, { latencyMs }, 'repos-and-forks'));
  for (const name of Object.keys(MICRO)) metrics.push(distinct(name, style, {}, 'micro'));
}
const results = testResults(metrics);
const context: ChartContext = reportView(results);

const echoCell = (metric: Metric): string[] => [paramLabel('size', metric.params.size ?? ''), paramLabel('connections', metric.params.connections ?? '')];
const byName = (titles: Readonly<Record<string, string>>) => (metric: Metric): string[] => [titles[metric.name] ?? metric.name];

/** Each faceted chart of the report: its spec, the metrics it draws, and the labels each metric belongs under. */
const CHARTS: readonly (readonly [string, TopLevelSpec | undefined, (name: string) => boolean, (metric: Metric) => string[]])[] = [
  ['chart-echo-cpu', echoBarsSpec(context, 'echo.cpu_us_per_req', 'µs'), (name) => name === 'echo.cpu_us_per_req', echoCell],
  ['chart-echo-instructions', echoBarsSpec(context, 'echo.instructions_per_req', 'instructions'), (name) => name === 'echo.instructions_per_req', echoCell],
  ['chart-echo-rps', echoBarsSpec(context, 'echo.rps', 'req/s'), (name) => name === 'echo.rps', echoCell],
  ['chart-echo-mibps', echoBarsSpec(context, 'echo.mibps', 'MiB/s'), (name) => name === 'echo.mibps', echoCell],
  ['chart-latency', latencySpec(context), (name) => name === 'echo.p50_us', echoCell],
  ['chart-memory', memorySpec(context), (name) => name in MEMORY, byName(MEMORY)],
  ['chart-workflow-throughput', workflowThroughputSpec(context), (name) => name === 'workflow.throughput', (m) => [paramLabel('concurrent', m.params.concurrent ?? '')]],
  ['chart-workflow-wall', workflowWallSpec(context), (name) => name === 'workflow.wall_ms', (m) => [paramLabel('latencyMs', m.params.latencyMs ?? '')]],
  ['chart-micro', microSpec(context), (name) => name in MICRO, byName(MICRO)],
];
/** Charts of one panel: nothing to mismatch. */
const SINGLE = ['chart-two-axes', 'chart-memory-explain-echo', 'chart-memory-explain-workflow'];

/** The metric a mark draws: the one of its style whose median (or median in KiB) is among the mark's numbers. */
function drawn(datum: Readonly<Record<string, unknown>>, candidates: readonly Metric[]): Metric | undefined {
  const numbers = Object.values(datum).filter((value): value is number => typeof value === 'number');
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.abs(b);
  return candidates.find((m) => m.style === datum.style && numbers.some((n) => close(n, m.median) || close(n, m.median / 1024)));
}

describe('every faceted chart', () => {
  it('is in this list, so none escapes the check below, and draws without a vega warning', async () => {
    const { charts } = await renderHtml(results);
    expect(charts.map((chart) => chart.id).filter((id) => !SINGLE.includes(id)).sort()).toEqual(CHARTS.map(([id]) => id).sort());
    expect(charts.flatMap((chart) => chart.warnings.map((warning) => `${chart.id}: ${warning}`))).toEqual([]);
  }, 60_000);

  it.each(CHARTS.map(([id, spec, draws, labels]) => ({ id, spec, draws, labels })))('$id draws each panel’s bars under its own labels', async ({ spec, draws, labels }) => {
    expect(spec).toBeDefined();
    const layout = await layoutOf(spec as TopLevelSpec);
    const candidates = metrics.filter((m) => draws(m.name));
    const wrong: string[] = [];
    const seen = new Map<Metric, number>();
    for (const panel of layout.panels) {
      // A panel's label may join several parameters: `1 KiB · 10 conn`.
      const words = panel.labels.flatMap((label) => label.split(' · '));
      const here = new Set(panel.data.map((datum) => drawn(datum, candidates)).filter((m): m is Metric => m !== undefined));
      if (here.size === 0) wrong.push(`the panel under [${panel.labels.join(' | ')}] draws nothing of this chart`);
      for (const metric of here) {
        seen.set(metric, (seen.get(metric) ?? 0) + 1);
        const missing = labels(metric).filter((label) => !words.includes(label));
        if (missing.length > 0) wrong.push(`the panel under [${panel.labels.join(' | ')}] draws ${metric.style} of ${labels(metric).join(' · ')}`);
      }
    }
    for (const metric of candidates) {
      if (seen.get(metric) !== 1) wrong.push(`${metric.style} of ${labels(metric).join(' · ')} is drawn in ${seen.get(metric) ?? 0} panels`);
    }
    // Every label stands over a panel that draws something: no facet is left empty.
    for (const label of layout.labels) {
      if (!layout.panels.some((panel) => panel.labels.includes(label.text))) wrong.push(`the label ${label.text} stands over no panel with bars`);
    }
    expect(wrong).toEqual([]);
  });
});
