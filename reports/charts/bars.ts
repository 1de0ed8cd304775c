// The bar chart every section shares: one horizontal bar per style with its 95% interval and its
// value written at the end, optionally in a grid of facets (one per parameter value); and the
// sections' specs built on it (echo, latency, memory, workflow, micro).
import type { TopLevelSpec } from 'vega-lite';
import type { Metric, Results } from '../../harness/schema.js';
import { formatBytes, formatFactor, formatNumber, formatR2, formatValue } from '../format.js';
import { asSpec } from './render.js';
import { label, metricsNamed, paramOrder } from './select.js';

interface Bar {
  readonly style: string;
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
  readonly label: string;
  readonly row?: string;
  readonly column?: string;
  /** A reference line (the ideal wall time), drawn dashed. */
  readonly reference?: number;
}

interface BarOptions {
  readonly bars: readonly Bar[];
  readonly styles: readonly string[];
  readonly colours: ReadonlyMap<string, string>;
  readonly xTitle: string;
  readonly row?: { readonly title: string; readonly order: readonly string[] };
  readonly column?: { readonly title: string; readonly order: readonly string[]; readonly wrap?: number };
  readonly width?: number;
}

function barSpec(options: BarOptions): TopLevelSpec {
  const { bars, styles, colours } = options;
  const y = { field: 'style', type: 'nominal', title: null, sort: [...styles], scale: { domain: [...styles] } } as const;
  // Room at the end of the longest bar for its value: an invisible point a third further out.
  const values = bars.map((bar) => ({ ...bar, pad: Math.max(bar.hi, bar.value, bar.reference ?? 0) * 1.32 }));
  const x = { type: 'quantitative', title: options.xTitle, axis: { format: ',~f', tickCount: 4, labelFlush: true }, scale: { zero: true, nice: false } } as const;
  const layers = [
    {
      mark: { type: 'bar', cornerRadiusEnd: 2, height: { band: 0.72 } },
      encoding: {
        y,
        x: { field: 'value', ...x },
        color: { field: 'style', type: 'nominal', legend: null, scale: { domain: [...styles], range: styles.map((s) => colours.get(s) ?? '#999') } },
      },
    },
    {
      mark: { type: 'errorbar', ticks: { size: 6 }, color: '#222', thickness: 1 },
      encoding: { y, x: { field: 'lo', ...x }, x2: { field: 'hi' } },
    },
    {
      mark: { type: 'text', align: 'left', baseline: 'middle', dx: 5 },
      encoding: { y, x: { field: 'hi', ...x }, text: { field: 'label' } },
    },
    { mark: { type: 'point', opacity: 0 }, encoding: { y, x: { field: 'pad', ...x } } },
    ...(bars.some((bar) => bar.reference !== undefined)
      ? [{ mark: { type: 'tick', color: '#000', thickness: 1.5, strokeDash: [3, 2], bandSize: 14 }, encoding: { y, x: { field: 'reference', ...x } } }]
      : []),
  ];
  const inner = { width: options.width ?? 190, height: { step: 17 }, layer: layers };
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', data: { values } } as const;
  if (options.row === undefined && options.column === undefined) return asSpec({ ...base, ...inner });
  const header = (title: string) => ({ title, labelFontWeight: 600 });
  if (options.row === undefined && options.column?.wrap !== undefined) {
    return asSpec({
      ...base,
      facet: { field: 'column', type: 'nominal', sort: [...options.column.order], header: header(options.column.title) },
      columns: options.column.wrap,
      spacing: { row: 16, column: 40 },
      spec: inner,
      resolve: { scale: { x: 'independent' } },
    });
  }
  const facet: Record<string, unknown> = {};
  if (options.row !== undefined) facet.row = { field: 'row', type: 'nominal', sort: [...options.row.order], header: header(options.row.title) };
  if (options.column !== undefined) {
    facet.column = { field: 'column', type: 'nominal', sort: [...options.column.order], header: header(options.column.title) };
  }
  return asSpec({
    ...base,
    facet,
    spacing: { row: 14, column: 40 },
    spec: inner,
    resolve: { scale: { x: 'independent' } },
  });
}

function barOf(metric: Metric, scale = 1, text?: string): Bar {
  return {
    style: metric.style,
    value: metric.median / scale,
    lo: metric.ci95[0] / scale,
    hi: metric.ci95[1] / scale,
    label: text ?? formatValue(metric.median, metric.unit),
  };
}

export interface ChartContext {
  readonly results: Results;
  /** The styles in report order, baseline first when present. */
  readonly styles: readonly string[];
  readonly colours: ReadonlyMap<string, string>;
}

function stylesOf(context: ChartContext, metrics: readonly Metric[]): string[] {
  const present = new Set(metrics.map((metric) => metric.style));
  return context.styles.filter((style) => present.has(style));
}

/** A grid of bars for one echo metric: message size across, concurrency down. */
export function echoBarsSpec(context: ChartContext, name: string, xTitle: string): TopLevelSpec | undefined {
  const metrics = metricsNamed(context.results, name);
  if (metrics.length === 0) return undefined;
  return barSpec({
    bars: metrics.map((metric) => ({ ...barOf(metric), row: label(metric, 'connections'), column: label(metric, 'size') })),
    styles: stylesOf(context, metrics),
    colours: context.colours,
    xTitle,
    row: { title: 'concurrent connections', order: paramOrder(metrics, 'connections') },
    column: { title: 'message size', order: paramOrder(metrics, 'size') },
  });
}

/** Latency percentiles as ranges: a line from p50 to p99.9 with a mark at each percentile, log scale. */
export function latencySpec(context: ChartContext): TopLevelSpec | undefined {
  // Field names without dots: vega-lite reads `p99.9` as the field `9` of `p99`.
  const percentiles = [
    ['p50', 'echo.p50_us'],
    ['p99', 'echo.p99_us'],
    ['p999', 'echo.p999_us'],
  ] as const;
  const byKey = new Map<string, Record<string, string | number>>();
  const all: Metric[] = [];
  for (const [percentile, name] of percentiles) {
    for (const metric of metricsNamed(context.results, name)) {
      all.push(metric);
      const key = `${metric.style}|${label(metric, 'size')}|${label(metric, 'connections')}`;
      const datum = byKey.get(key) ?? { style: metric.style, column: label(metric, 'size'), row: label(metric, 'connections') };
      datum[percentile] = metric.median;
      byKey.set(key, datum);
    }
  }
  if (all.length === 0) return undefined;
  const values = [...byKey.values()].filter((datum) => percentiles.every(([p]) => typeof datum[p] === 'number'));
  if (values.length === 0) return undefined;
  const styles = stylesOf(context, all);
  const y = { field: 'style', type: 'nominal', title: null, sort: styles, scale: { domain: styles } } as const;
  const x = { type: 'quantitative', title: 'latency (µs, log scale)', scale: { type: 'log', nice: true }, axis: { format: ',~f', tickCount: 4 } } as const;
  const colour = { field: 'style', type: 'nominal', legend: null, scale: { domain: styles, range: styles.map((s) => context.colours.get(s) ?? '#999') } } as const;
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    facet: {
      row: { field: 'row', type: 'nominal', sort: paramOrder(all, 'connections'), header: { title: 'concurrent connections' } },
      column: { field: 'column', type: 'nominal', sort: paramOrder(all, 'size'), header: { title: 'message size' } },
    },
    spacing: { row: 14, column: 28 },
    spec: {
      width: 190,
      height: { step: 17 },
      layer: [
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, x: { field: 'p50', ...x }, x2: { field: 'p999' }, color: colour } },
        {
          transform: [{ fold: percentiles.map(([p]) => p), as: ['percentile', 'us'] }],
          mark: { type: 'point', filled: true, size: 42, stroke: '#222', strokeWidth: 0.6 },
          encoding: {
            y,
            x: { field: 'us', ...x },
            color: colour,
            shape: {
              field: 'percentile',
              type: 'nominal',
              sort: percentiles.map(([p]) => p),
              scale: { domain: percentiles.map(([p]) => p), range: ['circle', 'diamond', 'triangle-right'] },
              legend: { title: 'percentile', orient: 'top', direction: 'horizontal', symbolFillColor: '#666', labelExpr: "datum.label === 'p999' ? 'p99.9' : datum.label" },
            },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
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
  const bars: Bar[] = [];
  const metrics: Metric[] = [];
  const known = new Set(MEMORY_NAMES.map(([name]) => name));
  const names = [
    ...MEMORY_NAMES,
    ...[...new Set(context.results.metrics.map((m) => m.name))]
      .filter((name) => name.startsWith('memory.') && !known.has(name) && !name.endsWith('.ratio'))
      .map((name) => [name, name] as const),
  ];
  const order: string[] = [];
  for (const [name, title] of names) {
    const found = metricsNamed(context.results, name);
    if (found.length === 0) continue;
    order.push(title);
    for (const metric of found) {
      metrics.push(metric);
      const r2 = metric.extra?.r2;
      const text = `${formatBytes(metric.median)}${typeof r2 === 'number' ? ` · R² ${formatR2(r2)}` : ''}`;
      bars.push({ ...barOf(metric, 1024, text), column: title });
    }
  }
  if (bars.length === 0) return undefined;
  return barSpec({
    bars,
    styles: stylesOf(context, metrics),
    colours: context.colours,
    xTitle: 'KiB (slope of a linear fit)',
    column: { title: '', order, wrap: 3 },
    width: 200,
  });
}

/** Workflows per second at zero latency, one facet per number of concurrent workflows. */
export function workflowThroughputSpec(context: ChartContext): TopLevelSpec | undefined {
  const metrics = metricsNamed(context.results, 'workflow.throughput');
  if (metrics.length === 0) return undefined;
  return barSpec({
    bars: metrics.map((metric) => ({ ...barOf(metric), column: label(metric, 'concurrent') || 'all' })),
    styles: stylesOf(context, metrics),
    colours: context.colours,
    xTitle: 'workflows/s',
    column: { title: 'concurrent workflows', order: paramOrder(metrics, 'concurrent').concat(metrics.some((m) => m.params.concurrent === undefined) ? ['all'] : []) },
  });
}

/** Wall time at a set latency against the ideal lower bound (dashed), labelled with the ratio. */
export function workflowWallSpec(context: ChartContext): TopLevelSpec | undefined {
  const metrics = metricsNamed(context.results, 'workflow.wall_ms');
  if (metrics.length === 0) return undefined;
  const bars = metrics.map((metric): Bar => {
    const ideal = metric.extra?.idealMs;
    const ratio = typeof ideal === 'number' && ideal > 0 ? ` · ${formatFactor(metric.median / ideal)} ideal` : '';
    return {
      ...barOf(metric, 1, `${formatValue(metric.median, metric.unit)}${ratio}`),
      column: label(metric, 'latencyMs') || 'all',
      ...(typeof ideal === 'number' ? { reference: ideal } : {}),
    };
  });
  return barSpec({
    bars,
    styles: stylesOf(context, metrics),
    colours: context.colours,
    xTitle: 'wall time (ms); dashed: ideal',
    column: { title: 'backend latency', order: paramOrder(metrics, 'latencyMs').concat(metrics.some((m) => m.params.latencyMs === undefined) ? ['all'] : []) },
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
  const bars: Bar[] = [];
  const metrics: Metric[] = [];
  const order: string[] = [];
  const known = new Set(MICRO_NAMES.map(([name]) => name));
  const extraNames = [...new Set(context.results.metrics.map((m) => m.name))].filter(
    (name) => name.startsWith('micro.') && !known.has(name) && !name.endsWith('.ratio'),
  );
  for (const [name, title] of [...MICRO_NAMES, ...extraNames.map((name) => [name, name] as const)]) {
    const found = metricsNamed(context.results, name);
    if (found.length === 0) continue;
    order.push(title);
    for (const metric of found) {
      metrics.push(metric);
      bars.push({ ...microBar(metric), column: title });
    }
  }
  if (bars.length === 0) return undefined;
  return barSpec({
    bars,
    styles: stylesOf(context, metrics),
    colours: context.colours,
    xTitle: 'ns per operation',
    column: { title: '', order, wrap: 3 },
    width: 170,
  });
}
