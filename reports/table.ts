// The factor table, the model behind `#results-table` and the Markdown tables: one row per
// measurement (a metric name and its parameters), one cell per style, each cell its median, its
// 95% interval and how many times worse it is than the best style of the row, as the framework
// benchmarks show it. A reference row (the baseline, c-epoll, the Python servers) gets a factor too,
// but is never the best nor coloured: it is a reference.
import type { Metric } from '../harness/schema.js';
import { BASELINE, compareParams, formatParams, orderStyles } from './format.js';

export interface FactorCell {
  readonly style: string;
  readonly metric: Metric;
  /**
   * Times worse than the row's best style: 1 for the best, above 1 for the others, below 1 for a
   * reference that beats every style. Undefined when the row holds a value that is not positive,
   * where a ratio would mean nothing.
   */
  readonly factor: number | undefined;
  /** 0 for the best cell, 1 for the worst, on a log scale of the factor; undefined for a reference. */
  readonly heat: number | undefined;
  readonly best: boolean;
  readonly reference: boolean;
}

export interface FactorRow {
  /** The metric name and its parameters, without the style. */
  readonly key: string;
  readonly name: string;
  readonly params: Metric['params'];
  readonly unit: string;
  readonly direction: Metric['direction'];
  readonly kind: Metric['kind'];
  readonly cells: ReadonlyMap<string, FactorCell>;
}

export interface FactorGroup {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly FactorRow[];
}

export interface FactorTable {
  /** Every style that has a cell in some row, in report order. */
  readonly styles: readonly string[];
  readonly groups: readonly FactorGroup[];
}

export interface FactorOptions {
  /** Rows shown but not ranked (format.ts referenceRows); the echo baseline by default. */
  readonly references?: readonly string[];
}

// The groups of the table and the order of the names the harness writes; anything else goes last,
// alphabetically, so a metric added tomorrow still shows up.
const GROUPS: readonly { readonly id: string; readonly title: string; readonly prefix: string }[] = [
  { id: 'echo', title: 'Echo server', prefix: 'echo.' },
  { id: 'memory', title: 'Memory', prefix: 'memory.' },
  { id: 'workflow', title: 'repos-and-forks workflow', prefix: 'workflow.' },
  { id: 'micro', title: 'Micro-benchmarks', prefix: 'micro.' },
];
const NAME_ORDER: readonly string[] = [
  'echo.cpu_us_per_req',
  'echo.instructions_per_req',
  'echo.rps_per_core',
  'echo.p50_us',
  'echo.p99_us',
  'echo.p999_us',
  'echo.p99_sent_us',
  'echo.rps',
  'echo.mibps',
  'memory.echo_idle.bytes_per_conn',
  'memory.echo_idle.rss_per_conn',
  'memory.echo_active.bytes_per_conn',
  'memory.workflow.bytes_per_inflight',
  'workflow.throughput',
  'workflow.cpu_ms_per_workflow',
  'workflow.wall_ms',
  'workflow.bound_ratio',
  'micro.hop_ns',
  'micro.seq10_ns',
  'micro.par25_ns',
];

/** The key of a measurement without its style: `echo.rps|connections=10|size=1024`. */
export function rowKey(metric: Pick<Metric, 'name' | 'params'>): string {
  const params = Object.keys(metric.params)
    .sort()
    .map((key) => `${key}=${String(metric.params[key])}`);
  return [metric.name, ...params].join('|');
}

/** Ranks the cells of one measurement. All metrics must share name and params. */
export function factorRow(metrics: readonly Metric[], options: FactorOptions = {}): FactorRow {
  const first = metrics[0];
  if (first === undefined) throw new RangeError('factorRow needs at least one metric');
  const references = new Set(options.references ?? [BASELINE]);
  const higher = first.direction === 'higher';
  // References, saturated cells (a window that did not get its offered rate) and turns shorter than
  // one workflow are never ranked. A row of references only (an RSS figure only the servers not
  // written in Node have) shows them unranked: no best, no colour, no factor.
  const styles = metrics.filter((metric) => !references.has(metric.style));
  const ranked = styles.filter((metric) => metric.extra?.saturated !== true && metric.extra?.shortTurn !== true);
  // A row every style of which is unranked ranks them rather than showing nothing; never a reference.
  const pool = ranked.length > 0 ? ranked : styles;
  const comparable = pool.length > 0 && metrics.every((metric) => Number.isFinite(metric.median) && metric.median > 0);
  const bestValue = higher ? Math.max(...pool.map((m) => m.median)) : Math.min(...pool.map((m) => m.median));
  const factorOf = (value: number): number | undefined =>
    comparable ? (higher ? bestValue / value : value / bestValue) : undefined;
  const worstFactor = Math.max(1, ...pool.map((metric) => factorOf(metric.median) ?? 1));

  const cells = new Map<string, FactorCell>();
  for (const metric of orderByStyle(metrics)) {
    const reference = references.has(metric.style);
    const unranked = !pool.includes(metric);
    const factor = factorOf(metric.median);
    const heat = unranked || factor === undefined ? undefined : worstFactor > 1 ? Math.log(factor) / Math.log(worstFactor) : 0;
    cells.set(metric.style, {
      style: metric.style,
      metric,
      factor,
      heat,
      best: !unranked && metric.median === bestValue,
      reference,
    });
  }
  return {
    key: rowKey(first),
    name: first.name,
    params: first.params,
    unit: first.unit,
    direction: first.direction,
    kind: first.kind,
    cells,
  };
}

/** Every metric of a results file as grouped factor rows; nothing is dropped. */
export function factorTable(metrics: readonly Metric[], options: FactorOptions = {}): FactorTable {
  const byKey = new Map<string, Metric[]>();
  for (const metric of metrics) {
    const key = rowKey(metric);
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [metric]);
    else list.push(metric);
  }
  const rows = [...byKey.values()].map((group) => factorRow(group, options)).sort(compareRows);
  const groups: FactorGroup[] = [];
  for (const group of GROUPS) {
    const inGroup = rows.filter((row) => row.name.startsWith(group.prefix));
    if (inGroup.length > 0) groups.push({ id: group.id, title: group.title, rows: inGroup });
  }
  const other = rows.filter((row) => !GROUPS.some((group) => row.name.startsWith(group.prefix)));
  if (other.length > 0) groups.push({ id: 'other', title: 'Other metrics', rows: other });
  return { styles: orderStyles(metrics.map((metric) => metric.style)), groups };
}

/** `echo.rps · 1 KiB · 10 conn`, for a row header. */
export function rowLabel(row: Pick<FactorRow, 'name' | 'params'>): string {
  const params = formatParams(row.params);
  return params === '' ? row.name : `${row.name} · ${params}`;
}

function compareRows(a: FactorRow, b: FactorRow): number {
  // Absolute values first, each followed later by its ratio twin, as the harness pairs them.
  if (a.kind !== b.kind) return a.kind === 'absolute' ? -1 : 1;
  const rank = (name: string): number => {
    const base = name.endsWith('.ratio') ? name.slice(0, -'.ratio'.length) : name;
    const index = NAME_ORDER.indexOf(base);
    return index === -1 ? NAME_ORDER.length : index;
  };
  return rank(a.name) - rank(b.name) || a.name.localeCompare(b.name) || compareParams(a.params, b.params);
}

function orderByStyle(metrics: readonly Metric[]): Metric[] {
  const order = orderStyles(metrics.map((metric) => metric.style));
  return [...metrics].sort((a, b) => order.indexOf(a.style) - order.indexOf(b.style));
}
