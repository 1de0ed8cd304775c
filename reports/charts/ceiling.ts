// The echo section's opening chart: every row's capacity as a fraction of c-epoll's in the same
// cell (reports/ceiling.ts computes them), one panel per measured cell, on the shared bar chart.
import type { TopLevelSpec } from 'vega-lite';
import type { Metric } from '../../harness/schema.js';
import { type CeilingCell, formatShare } from '../ceiling.js';
import { formatParams } from '../format.js';
import { type ChartContext, echoCells } from './bars.js';
import { barSpec } from './panels.js';

/** Undefined when the run has no c-epoll row: there is no ceiling to divide by. */
export function ceilingSpec(context: ChartContext, cells: readonly CeilingCell[]): TopLevelSpec | undefined {
  if (cells.length === 0) return undefined;
  const byMetric = new Map<Metric, CeilingCell>(cells.map((cell) => [cell.ceiling, cell]));
  const { ordered, columns } = echoCells(cells.map((cell) => cell.ceiling));
  const present = new Set(cells.flatMap((cell) => cell.rows.map((row) => row.style)));
  return barSpec({
    panels: ordered.flatMap((metric) => {
      const cell = byMetric.get(metric);
      if (cell === undefined) return [];
      const bars = cell.rows.map((row) => ({ style: row.style, value: row.fraction, lo: row.fraction, hi: row.fraction, label: formatShare(row.fraction) }));
      return [{ title: formatParams(cell.params), bars }];
    }),
    styles: context.styles.filter((style) => present.has(style)),
    colours: context.colours,
    references: context.references,
    xTitle: 'fraction of c-epoll’s req/s',
    columns,
    whiskers: false,
  });
}
