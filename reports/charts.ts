// Every chart of the report: a vega-lite spec built from results.json, compiled to vega and drawn
// to an SVG string by vega's headless renderer (`renderer: 'none'`, no browser, no canvas), so the
// page carries its charts inline and needs no JavaScript to show them.
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { Config, TopLevelSpec } from 'vega-lite';
import type { Metric, Results } from '../harness/schema.js';
import { BASELINE, compareParams, formatBytes, formatFactor, formatNumber, formatR2, formatValue, paramLabel } from './format.js';

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

// Chart text names one family plus the generic fallback: vega repeats it on every text element.
const CHART_FONT = 'system-ui, sans-serif';

const CONFIG: Config = {
  font: CHART_FONT,
  // No generated ARIA descriptions per mark: they triple the SVG's size, and every figure has a
  // caption and its numbers in #results-table.
  aria: false,
  background: '#ffffff',
  padding: 6,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 600,
    titleColor: '#333',
    labelColor: '#444',
    gridColor: '#ececec',
    domainColor: '#999',
    tickColor: '#999',
  },
  header: { labelFontSize: 12, labelFontWeight: 600, labelColor: '#222', titleFontSize: 12, titleFontWeight: 400, titleColor: '#555' },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 600 },
  text: { fontSize: 10, color: '#333' },
};

export interface Chart {
  readonly id: string;
  readonly svg: string;
  readonly width: number;
  readonly height: number;
  /** What vega-lite or vega complained about; the tests hold the fixture's charts to none. */
  readonly warnings: readonly string[];
}

type Logger = NonNullable<NonNullable<Parameters<typeof compile>[1]>['logger']>;

/** Compiles and draws one chart. `id` prefixes the SVG's internal ids so several can share a page. */
export async function renderChart(id: string, spec: TopLevelSpec): Promise<Chart> {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const compiled = compile(spec, { config: CONFIG, logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    const raw = await view.toSVG();
    // vega numbers clip paths and gradients from one counter per process; a prefix keeps two
    // charts from pointing at each other's definitions whatever process drew them.
    const svg = raw
      .replace(/\bid="([^"]+)"/g, (_, name: string) => `id="${id}-${name}"`)
      .replace(/url\(#([^)]+)\)/g, (_, name: string) => `url(#${id}-${name})`);
    const size = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
    return { id, svg, width: Number(size?.[1] ?? 0), height: Number(size?.[2] ?? 0), warnings };
  } finally {
    view.finalize();
  }
}

function collectingLogger(into: string[]): Logger {
  let level = 2; // vega's Warn
  const logger: Logger = {
    level(value?: number) {
      if (value === undefined) return level as never;
      level = value;
      return logger;
    },
    error(...args: readonly unknown[]) {
      into.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: readonly unknown[]) {
      into.push(`warning: ${args.map(String).join(' ')}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  } as Logger;
  return logger;
}

// ------------------------------------------------------------------------------------------------
// Selecting what a chart shows.

/** The absolute metrics of one name, in parameter order. */
export function metricsNamed(results: Results, name: string): Metric[] {
  return results.metrics
    .filter((metric) => metric.name === name && metric.kind === 'absolute')
    .sort((a, b) => compareParams(a.params, b.params));
}

/** Distinct values of one parameter across metrics, ascending, as their labels. */
function paramOrder(metrics: readonly Metric[], key: string): string[] {
  const values = [...new Set(metrics.map((metric) => metric.params[key]).filter((value) => value !== undefined))];
  values.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
  return values.map((value) => paramLabel(key, value));
}

function label(metric: Metric, key: string): string {
  const value = metric.params[key];
  return value === undefined ? '' : paramLabel(key, value);
}

// ------------------------------------------------------------------------------------------------
// The bar chart every section shares: one horizontal bar per style with its 95% interval and its
// value written at the end, optionally in a grid of facets (one per parameter value).

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

/**
 * vega-lite's types cannot follow a spec assembled from shared parts (a layer list built from
 * conditions, a facet chosen at run time); `compile` checks the spec, and the tests hold every
 * chart of the fixture to zero warnings.
 */
function asSpec(spec: object): TopLevelSpec {
  return spec as TopLevelSpec;
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

// ------------------------------------------------------------------------------------------------
// The two axes of the question: memory per connection against coding difficulty.

export interface TwoAxesPoint {
  readonly style: string;
  readonly memory: number;
  readonly memoryLo: number;
  readonly memoryHi: number;
  readonly tokens: number;
  readonly score: number | undefined;
}

export interface TwoAxesData {
  readonly points: readonly TwoAxesPoint[];
  /** Styles left out, each with what it lacked. */
  readonly missing: readonly string[];
  readonly maxScore: number | undefined;
}

/**
 * RSS, not heap: the threads row keeps each connection's state in a worker's own isolate, stack and
 * event loop, which the main isolate's heap does not see and RSS does; for the event-loop styles
 * the two rank alike. Plotted on a log scale: a thread costs about a thousand times a callback.
 */
export const TWO_AXES_MEMORY = 'memory.echo_idle.rss_per_conn';

/** One point per style: idle RSS per connection, tokens of both scenarios, traceback total. */
export function twoAxesData(results: Results, styles: readonly string[]): TwoAxesData {
  const memory = new Map(metricsNamed(results, TWO_AXES_MEMORY).map((metric) => [metric.style, metric]));
  const tokens = new Map<string, number>();
  for (const row of results.difficulty ?? []) {
    if (row.scenario === 'repos-and-forks' || row.scenario === 'echo') tokens.set(row.style, (tokens.get(row.style) ?? 0) + row.tokens);
  }
  const scores = new Map((results.tracebacks?.totals ?? []).map((total) => [total.style, total.score]));
  const points: TwoAxesPoint[] = [];
  const missing: string[] = [];
  for (const style of styles) {
    if (style === BASELINE || style.includes('+')) continue;
    const m = memory.get(style);
    const t = tokens.get(style);
    if (m === undefined || t === undefined) {
      const lacks = [m === undefined ? 'memory' : '', t === undefined ? 'difficulty' : ''].filter(Boolean).join(' and ');
      missing.push(`${style} (no ${lacks})`);
      continue;
    }
    // A log axis has no place for a slope of zero or less (a sweep too short for RSS to resolve).
    if (!(m.median > 0)) {
      missing.push(`${style} (RSS slope ${Math.round(m.median)} bytes: not positive, so not on a log axis)`);
      continue;
    }
    const floor = m.median / 1000;
    points.push({ style, memory: m.median, memoryLo: Math.max(floor, m.ci95[0]), memoryHi: Math.max(m.median, m.ci95[1]), tokens: t, score: scores.get(style) });
  }
  const maxScore = results.tracebacks?.rubric !== undefined ? Object.values(results.tracebacks.rubric).reduce((a, b) => a + Math.max(0, b), 0) : undefined;
  return { points, missing, maxScore: maxScore !== undefined && maxScore > 0 ? maxScore : undefined };
}

/**
 * Where each label goes: right of its point unless another point sits in the way (within a quarter
 * of the x range to the right, at about the same height), then left if there is room, else below. vega-lite's text
 * marks do not avoid each other, and two styles often cost about the same.
 */
export function labelSides(points: readonly TwoAxesPoint[], scale: (x: number) => number = (x) => x): Map<string, 'right' | 'left' | 'below'> {
  const at = new Map(points.map((p) => [p, scale(p.memory)]));
  const xOf = (p: TwoAxesPoint): number => at.get(p) ?? p.memory;
  const xs = points.map(xOf);
  const ys = points.map((p) => p.tokens);
  const xRange = Math.max(1, Math.max(...xs) - Math.min(...xs));
  const yRange = Math.max(1, Math.max(...ys) - Math.min(...ys));
  const blocked = (p: TwoAxesPoint, direction: 1 | -1): boolean =>
    points.some((q) => q !== p && Math.abs(q.tokens - p.tokens) < 0.08 * yRange && direction * (xOf(q) - xOf(p)) > 0 && direction * (xOf(q) - xOf(p)) < 0.25 * xRange);
  // A label set left of a point near the y axis would run over the axis's numbers.
  const roomLeft = (p: TwoAxesPoint): boolean => xOf(p) - Math.min(...xs) > 0.3 * xRange;
  return new Map(points.map((p) => [p.style, !blocked(p, 1) ? 'right' : roomLeft(p) && !blocked(p, -1) ? 'left' : 'below']));
}

export function twoAxesSpec(data: TwoAxesData): TopLevelSpec | undefined {
  if (data.points.length === 0) return undefined;
  const sides = labelSides(data.points, Math.log10);
  const values = data.points.map((point) => ({
    ...point,
    side: sides.get(point.style) ?? 'right',
    label: `${point.style}${point.score !== undefined ? ` · ${formatNumber(point.score)}` : ''}`,
  }));
  const hasScore = data.points.some((point) => point.score !== undefined);
  // Log: a thread per connection costs megabytes, a callback kilobytes; a linear axis would crush
  // every event-loop style into one point at the left edge.
  const x = { type: 'quantitative', title: 'RSS per idle echo connection (bytes, log scale) → more memory', scale: { type: 'log', padding: 24 }, axis: { format: '~s' } } as const;
  const y = { field: 'tokens', type: 'quantitative', title: 'tokens, repos-and-forks + echo → harder to write', scale: { zero: false, padding: 24 } } as const;
  const scores = data.points.map((point) => point.score).filter((score): score is number => score !== undefined);
  // The scale spans the scores seen (down to a round ten) up to the best possible, so styles that
  // all fail fairly well still read apart; red is the worst traceback, green the best.
  const top = data.maxScore ?? Math.max(...scores);
  const bottom = Math.min(top - 10, Math.floor(Math.min(...scores) / 10) * 10);
  const colour = hasScore
    ? {
        field: 'score',
        type: 'quantitative',
        title: 'traceback score',
        scale: { scheme: 'redyellowgreen', domain: [bottom, top] },
        legend: { orient: 'right', gradientLength: 160 },
      }
    : { value: '#4e79a7' };
  const placements = [
    ['right', { align: 'left', dx: 13, dy: -9 }],
    ['left', { align: 'right', dx: -13, dy: -9 }],
    ['below', { align: 'center', dx: 0, dy: 20 }],
  ] as const;
  const labelLayers = placements
    // A layer whose filter leaves nothing would give vega an empty extent to warn about.
    .filter(([side]) => values.some((value) => value.side === side))
    .map(([side, place]) => ({
      transform: [{ filter: { field: 'side', equal: side } }],
      mark: { type: 'text', ...place, fontSize: 12, fontWeight: 600 },
      encoding: { x: { field: 'memory', ...x }, y, text: { field: 'label' } },
    }));
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 620,
    height: 360,
    data: { values },
    layer: [
      { mark: { type: 'errorbar', ticks: { size: 8 }, color: '#555' }, encoding: { x: { field: 'memoryLo', ...x }, x2: { field: 'memoryHi' }, y } },
      { mark: { type: 'point', filled: true, size: 260, stroke: '#333', strokeWidth: 1, opacity: 1 }, encoding: { x: { field: 'memory', ...x }, y, color: colour } },
      ...labelLayers,
    ],
  });
}
