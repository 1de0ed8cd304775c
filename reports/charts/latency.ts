// Echo latency at the fixed rate: per style, a line from p50 to p99.9 with a mark at each
// percentile, on a log axis, one panel per measured echo cell (panels.ts says why panels).
import type { TopLevelSpec } from 'vega-lite';
import { formatParams } from '../format.js';
import { type ChartContext, echoCells, stylesOf } from './bars.js';
import { panelTitle, panelsSpec, referenceAxis } from './panels.js';

// Field names without dots: vega-lite reads `p99.9` as the field `9` of `p99`.
const PERCENTILES = [
  ['p50', 'echo.p50_us'],
  ['p99', 'echo.p99_us'],
  ['p999', 'echo.p999_us'],
] as const;

export function latencySpec(context: ChartContext): TopLevelSpec | undefined {
  const all = PERCENTILES.flatMap(([, name]) => context.named(name));
  if (all.length === 0) return undefined;
  // One datum per style and cell, with the three percentiles; the cells in grid order.
  const { ordered, columns } = echoCells(context.named('echo.p50_us'));
  const cells = [...new Set(ordered.map((metric) => formatParams(metric.params)))];
  const byKey = new Map<string, Record<string, string | number>>();
  for (const [percentile, name] of PERCENTILES) {
    for (const metric of context.named(name)) {
      const key = `${metric.style}|${formatParams(metric.params)}`;
      const datum = byKey.get(key) ?? { style: metric.style, cell: formatParams(metric.params) };
      datum[percentile] = metric.median;
      byKey.set(key, datum);
    }
  }
  const complete = [...byKey.values()].filter((datum) => PERCENTILES.every(([p]) => typeof datum[p] === 'number'));
  const styles = stylesOf(context, all);
  const views = cells
    .map((cell) => ({ cell, values: complete.filter((datum) => datum.cell === cell) }))
    .filter(({ values }) => values.length > 0)
    .map(({ cell, values }) => latencyView(cell, values, styles, context.colours, context.references));
  return views.length === 0 ? undefined : panelsSpec(views, columns);
}

function latencyView(
  cell: string,
  values: readonly Record<string, string | number>[],
  styles: readonly string[],
  colours: ReadonlyMap<string, string>,
  references: ReadonlySet<string>,
): object {
  const y = { field: 'style', type: 'nominal', title: null, sort: styles, scale: { domain: styles }, ...referenceAxis(styles, references) } as const;
  const x = { type: 'quantitative', title: 'latency (µs, log scale)', scale: { type: 'log', nice: true }, axis: { format: ',~f', tickCount: 4 } } as const;
  const colour = { field: 'style', type: 'nominal', legend: null, scale: { domain: styles, range: styles.map((s) => colours.get(s) ?? '#999') } } as const;
  return {
    title: panelTitle(cell),
    width: 190,
    height: { step: 17 },
    data: { values },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, x: { field: 'p50', ...x }, x2: { field: 'p999' }, color: colour } },
      {
        transform: [{ fold: PERCENTILES.map(([p]) => p), as: ['percentile', 'us'] }],
        mark: { type: 'point', filled: true, size: 42, stroke: '#222', strokeWidth: 0.6 },
        encoding: {
          y,
          x: { field: 'us', ...x },
          color: colour,
          shape: {
            field: 'percentile',
            type: 'nominal',
            sort: PERCENTILES.map(([p]) => p),
            scale: { domain: PERCENTILES.map(([p]) => p), range: ['circle', 'diamond', 'triangle-right'] },
            legend: { title: 'percentile', orient: 'top', direction: 'horizontal', symbolFillColor: '#666', labelExpr: "datum.label === 'p999' ? 'p99.9' : datum.label" },
          },
        },
      },
    ],
  };
}

