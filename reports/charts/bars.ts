// The sections' bar charts (echo cost and capacity, memory, workflow, micro), each built on the
// shared bar chart of panels.ts: which metrics, in which panels, labelled how.
import type { TopLevelSpec } from 'vega-lite';
import type { Metric } from '../../harness/schema.js';
import { compareParams, formatBytes, formatFactor, formatNumber, formatParams, formatR2, formatValue } from '../format.js';
import type { ChartContext } from '../view.js';
import { type Bar, type BarPanel, barSpec } from './panels.js';
import { label, paramOrder } from './select.js';

export type { ChartContext } from '../view.js';

function barOf(metric: Metric, scale = 1, text?: string): Bar {
  return {
    style: metric.style,
    value: metric.median / scale,
    lo: metric.ci95[0] / scale,
    hi: metric.ci95[1] / scale,
    label: text ?? formatValue(metric.median, metric.unit),
  };
}

/** One panel per value of `key` (its label), in the order given; metrics without the key go under `none`. */
function panelsBy(metrics: readonly Metric[], titleOf: (metric: Metric) => string, toBar: (metric: Metric) => Bar): BarPanel[] {
  const panels = new Map<string, Bar[]>();
  for (const metric of metrics) {
    const title = titleOf(metric);
    panels.set(title, [...(panels.get(title) ?? []), toBar(metric)]);
  }
  return [...panels].map(([title, bars]) => ({ title, bars }));
}

export function stylesOf(context: ChartContext, metrics: readonly Metric[]): string[] {
  const present = new Set(metrics.map((metric) => metric.style));
  return context.styles.filter((style) => present.has(style));
}

/**
 * The echo cells a run measured, in the order of a grid with message sizes across and connection
 * counts down, and how many columns that grid has. Only measured cells: a full run leaves out
 * 100 KiB x 100 connections, and an empty panel would say nothing.
 */
export function echoCells(metrics: readonly Metric[]): { readonly ordered: Metric[]; readonly columns: number } {
  const connections = (metric: Metric): number => Number(metric.params.connections ?? 0);
  const ordered = [...metrics].sort((a, b) => connections(a) - connections(b) || compareParams(a.params, b.params));
  return { ordered, columns: Math.max(1, Math.min(3, paramOrder(metrics, 'size').length)) };
}

/** Bars for one echo metric, one panel per measured cell, titled by its parameters (`1 KiB · 10 conn`). */
export function echoBarsSpec(context: ChartContext, name: string, xTitle: string): TopLevelSpec | undefined {
  const metrics = context.named(name);
  if (metrics.length === 0) return undefined;
  const { ordered, columns } = echoCells(metrics);
  return barSpec({
    panels: panelsBy(ordered, (metric) => formatParams(metric.params), (metric) => barOf(metric)),
    styles: stylesOf(context, metrics),
    colours: context.colours,
    references: context.references,
    xTitle,
    columns,
  });
}

// Three heaps on the first row, the RSS twins below them.
const MEMORY_NAMES: readonly (readonly [string, string])[] = [
  ['memory.echo_idle.bytes_per_conn', 'heap per idle connection'],
  ['memory.echo_active.bytes_per_conn', 'heap per connection after one echo'],
  ['memory.workflow.bytes_per_inflight', 'heap per in-flight workflow'],
  ['memory.echo_idle.rss_per_conn', 'RSS per idle connection'],
  ['memory.workflow.rss_per_inflight', 'RSS per in-flight workflow'],
];

/** Slopes of memory against connections (or workflows), in KiB, each labelled with its fit's R². */
export function memorySpec(context: ChartContext): TopLevelSpec | undefined {
  const panels: BarPanel[] = [];
  const metrics: Metric[] = [];
  const known = new Set(MEMORY_NAMES.map(([name]) => name));
  const names = [
    ...MEMORY_NAMES,
    ...context.names
      .filter((name) => name.startsWith('memory.') && !known.has(name) && !name.endsWith('.ratio'))
      .map((name) => [name, name] as const),
  ];
  for (const [name, title] of names) {
    const found = context.named(name);
    if (found.length === 0) continue;
    metrics.push(...found);
    const bar = (metric: Metric): Bar => {
      const r2 = metric.extra?.r2;
      return barOf(metric, 1024, `${formatBytes(metric.median)}${typeof r2 === 'number' ? ` · R² ${formatR2(r2)}` : ''}`);
    };
    panels.push({ title, bars: found.map(bar) });
  }
  if (panels.length === 0) return undefined;
  return barSpec({
    panels,
    styles: stylesOf(context, metrics),
    colours: context.colours,
    references: context.references,
    xTitle: 'KiB (slope of a linear fit)',
    columns: 3,
    width: 200,
  });
}

/** Workflows per second at zero latency, one panel per number of concurrent workflows. */
export function workflowThroughputSpec(context: ChartContext): TopLevelSpec | undefined {
  const metrics = context.named('workflow.throughput');
  if (metrics.length === 0) return undefined;
  return barSpec({
    panels: panelsBy(metrics, (metric) => label(metric, 'concurrent'), (metric) => barOf(metric)),
    styles: stylesOf(context, metrics),
    colours: context.colours,
    xTitle: 'workflows/s',
  });
}

/** Wall time at a set latency against the ideal lower bound (dashed), labelled with the ratio. */
export function workflowWallSpec(context: ChartContext): TopLevelSpec | undefined {
  const metrics = context.named('workflow.wall_ms');
  if (metrics.length === 0) return undefined;
  const bar = (metric: Metric): Bar => {
    const ideal = metric.extra?.idealMs;
    const ratio = typeof ideal === 'number' && ideal > 0 ? ` · ${formatFactor(metric.median / ideal)} ideal` : '';
    return { ...barOf(metric, 1, `${formatValue(metric.median, metric.unit)}${ratio}`), ...(typeof ideal === 'number' ? { reference: ideal } : {}) };
  };
  return barSpec({
    panels: panelsBy(metrics, (metric) => label(metric, 'latencyMs'), bar),
    styles: stylesOf(context, metrics),
    colours: context.colours,
    xTitle: 'wall time (ms); dashed: ideal',
    width: 240,
  });
}

const MICRO_NAMES: readonly (readonly [string, string])[] = [
  ['micro.hop_ns', 'one async hop'],
  ['micro.seq10_ns', '10 sequential I/O calls'],
  ['micro.par25_ns', '25 parallel I/O calls'],
];

/**
 * tinybench takes one sample of many iterations, so the interval of the samples is a point; its own
 * relative margin of error (`extra.rme`, percent) is the honest whisker.
 */
function microBar(metric: Metric): Bar {
  const rme = metric.extra?.rme;
  if (typeof rme !== 'number' || metric.ci95[0] !== metric.ci95[1]) return barOf(metric);
  const margin = (metric.median * rme) / 100;
  return { ...barOf(metric, 1, `${formatValue(metric.median, metric.unit)} ±${formatNumber(rme)}%`), lo: metric.median - margin, hi: metric.median + margin };
}

/** In-process cost of the styles' async primitives, ns per operation. */
export function microSpec(context: ChartContext): TopLevelSpec | undefined {
  const panels: BarPanel[] = [];
  const metrics: Metric[] = [];
  const known = new Set(MICRO_NAMES.map(([name]) => name));
  const extraNames = context.names.filter(
    (name) => name.startsWith('micro.') && !known.has(name) && !name.endsWith('.ratio'),
  );
  for (const [name, title] of [...MICRO_NAMES, ...extraNames.map((name) => [name, name] as const)]) {
    const found = context.named(name);
    if (found.length === 0) continue;
    metrics.push(...found);
    panels.push({ title, bars: found.map(microBar) });
  }
  if (panels.length === 0) return undefined;
  return barSpec({ panels, styles: stylesOf(context, metrics), colours: context.colours, xTitle: 'ns per operation', columns: 3, width: 170 });
}
