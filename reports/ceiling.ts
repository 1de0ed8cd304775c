// The echo section's opening: every row's capacity as a fraction of the machine's ceiling, the
// minimal C epoll echo server (c-epoll) measured in the same cell. From the paired ratios where
// both rows have them (each is relative to the same reference baseline server, so their quotient
// is relative to c-epoll and the host's slow stretches cancel), else from the medians.
import type { Metric, Results } from '../harness/schema.js';
import { allPositive, geometricMean } from '../harness/stats/summary.js';
import { BASELINE, CEILING, formatNumber, formatParams, orderStyles, referenceRows } from './format.js';
import { rowKey } from './table.js';

/** The capacity metric the ceiling is read from. */
export const CEILING_METRIC = 'echo.rps';

/** The cell the sentence speaks of when the run measured it: the one every mode measures. */
const SENTENCE_CELL = { size: 1024, connections: 10 } as const;

export interface CeilingRow {
  readonly style: string;
  /** Capacity as a fraction of c-epoll's in the same cell (c-epoll itself: 1). */
  readonly fraction: number;
  /** `paired`: the quotient of the two rows' paired ratio geometric means; `medians`: of their absolute medians. */
  readonly method: 'paired' | 'medians';
  readonly reference: boolean;
}

export interface CeilingCell {
  readonly params: Metric['params'];
  /** c-epoll's own capacity figure in the cell. */
  readonly ceiling: Metric;
  /** The load client used a whole core in some of c-epoll's windows: the ceiling may be the client's. */
  readonly clientLimited: boolean;
  /** Every row of the cell in report order, c-epoll included. */
  readonly rows: readonly CeilingRow[];
}

const cellKey = (metric: Metric): string => rowKey({ name: CEILING_METRIC, params: metric.params });

/** The geometric mean of a row's paired ratios in a cell, when every one of its samples was paired. */
function pairedCentre(ratios: ReadonlyMap<string, Metric>, style: string, key: string): number | undefined {
  const ratio = ratios.get(`${style}|${key}`);
  if (ratio === undefined || ratio.extra?.paired !== true || !allPositive(ratio.samples)) return undefined;
  return geometricMean(ratio.samples);
}

/** One cell per c-epoll capacity figure of the run; empty when the run has no c-epoll row. */
export function ceilingCells(results: Results): CeilingCell[] {
  const references = referenceRows(results);
  const absolute = results.metrics.filter((m) => m.name === CEILING_METRIC && m.kind === 'absolute' && m.samples.length > 0);
  const ratios = new Map(
    results.metrics.filter((m) => m.name === `${CEILING_METRIC}.ratio` && m.kind === 'ratio').map((m) => [`${m.style}|${cellKey(m)}`, m] as const),
  );
  const ceilings = absolute.filter((m) => m.style === CEILING && m.median > 0);
  return ceilings.map((ceiling) => {
    const key = cellKey(ceiling);
    const inCell = absolute.filter((m) => cellKey(m) === key);
    const ceilingPaired = pairedCentre(ratios, CEILING, key);
    const rows = orderStyles(inCell.map((m) => m.style)).flatMap((style): CeilingRow[] => {
      const metric = inCell.find((m) => m.style === style);
      if (metric === undefined) return [];
      const paired = pairedCentre(ratios, style, key);
      const reference = references.has(style);
      if (paired !== undefined && ceilingPaired !== undefined) return [{ style, fraction: paired / ceilingPaired, method: 'paired', reference }];
      return [{ style, fraction: metric.median / ceiling.median, method: 'medians', reference }];
    });
    const by = ceiling.extra?.saturatedBy;
    const clientLimited = typeof by === 'string' ? by.split('|').some((who) => who === 'client' || who === 'both') : ceiling.extra?.clientSaturated === true;
    return { params: ceiling.params, ceiling, clientLimited, rows };
  });
}

/** `42%`: a fraction of the ceiling as a reader reads it. */
export function formatShare(fraction: number): string {
  return `${formatNumber(fraction * 100)}%`;
}

/** The section's opening sentence; undefined when the run measured no capacity at all. */
export function ceilingSentence(results: Results, cells: readonly CeilingCell[] = ceilingCells(results)): string | undefined {
  if (!results.metrics.some((m) => m.name === CEILING_METRIC && m.kind === 'absolute')) return undefined;
  const cell = cells.find((c) => Object.entries(SENTENCE_CELL).every(([key, value]) => c.params[key] === value)) ?? cells[0];
  if (cell === undefined) {
    return `This run has no ${CEILING} row (the minimal C epoll echo server: a full run measures it where the machine has a C compiler), so the styles' capacity is not shown as a fraction of the machine's ceiling.`;
  }
  const styles = cell.rows.filter((row) => !row.reference);
  const others = cell.rows.filter((row) => row.reference && row.style !== CEILING);
  const shares = styles.map((row) => row.fraction);
  const styleText =
    shares.length === 0
      ? ''
      : shares.length === 1
        ? `; ${styles[0]?.style ?? ''} reached ${formatShare(shares[0] ?? 0)} of it`
        : `; the styles reached ${formatShare(Math.min(...shares))} to ${formatShare(Math.max(...shares))} of it`;
  const otherText = others.length === 0 ? '' : `, ${others.map((row) => `${row.style === BASELINE ? 'the Node baseline' : row.style} ${formatShare(row.fraction)}`).join(', ')}`;
  const limited = cell.clientLimited ? ' (the load client used a whole core in some of its windows, so the ceiling may be the client’s)' : '';
  return `The machine's ceiling is ${CEILING}, a minimal C epoll echo server: at ${formatParams(cell.params)} it served ${formatNumber(cell.ceiling.median)} req/s${limited}${styleText}${otherText}.`;
}

/** How the fractions were computed, for a caption: paired ratios, medians, or which rows fell back to medians. */
export function ceilingMethod(cells: readonly CeilingCell[]): string {
  const rows = cells.flatMap((cell) => cell.rows.filter((row) => row.style !== CEILING));
  const medians = [...new Set(rows.filter((row) => row.method === 'medians').map((row) => row.style))];
  const paired = 'from the paired ratios: the geometric mean of each row’s ratio to the reference baseline server measured beside it (in its own turns), divided by c-epoll’s';
  if (medians.length === 0) return `Fractions ${paired}.`;
  if (!rows.some((row) => row.method === 'paired')) return 'Fractions from medians of absolute requests per second (this run has no paired ratios to divide).';
  return `Fractions ${paired}; for ${medians.join(', ')}, which lack them in some cell, medians of absolute requests per second there.`;
}
