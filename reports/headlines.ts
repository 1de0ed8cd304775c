// The headlines of a report, one per axis the kit measures: echo cost, echo capacity, memory per
// connection, traceback quality and conciseness. A headline names a winner only when it beats the
// runner-up significantly (p < 0.05); otherwise it says it is a tie and names every style that is not
// significantly behind the best. Computed from results.json alone, as plain text; the HTML page
// shows them as cards and report.md as a list.
import type { Metric, Results } from '../harness/schema.js';
import { metricsNamed } from './charts/select.js';
import { TWO_AXES_MEMORY } from './charts/two-axes.js';
import { BASELINE, formatBytes, formatFactor, formatNumber } from './format.js';
import { casesOf, maxScore } from './gallery.js';
import { allPositive, compareLog, geometricMean, median } from '../harness/stats.js';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

export interface Headline {
  /** The axis, e.g. `Echo cost`. */
  readonly key: string;
  /** The style that leads it, or `tie: a, b` when the lead is not significant. */
  readonly style: string;
  /** One line on by how much, or of what, and how the lead was tested. */
  readonly detail: string;
}

/** The significance level a lead must reach to be called a win. */
export const HEADLINE_ALPHA = 0.05;
/** The echo cell every mode measures: the headlines read it, so a quick and a full report say the same thing. */
const HEADLINE_CELL = { size: 1024, connections: 10 };

interface Contender {
  readonly style: string;
  readonly centre: number;
  readonly samples: readonly number[];
}

/**
 * The best of the contenders and the ones not significantly behind it: each one's samples against the
 * best's, on the log scale (Welch on log values, or Mann-Whitney where skewed). Fewer than 2
 * samples on a side cannot be tested: such a contender counts as tied.
 */
export function leaders(contenders: readonly Contender[], direction: 'higher' | 'lower'): { best: Contender; tied: Contender[]; runnerUp: Contender | undefined; p: number | null } | undefined {
  const sorted = [...contenders].sort((a, b) => (direction === 'lower' ? a.centre - b.centre : b.centre - a.centre));
  const [best, runnerUp] = sorted;
  if (best === undefined) return undefined;
  const pOf = (other: Contender): number | null =>
    other.samples.length >= 2 && best.samples.length >= 2 && allPositive(other.samples) && allPositive(best.samples)
      ? compareLog(other.samples, best.samples).pValue
      : null;
  const tied = sorted.filter((other) => {
    if (other === best) return true;
    const p = pOf(other);
    return p === null || p >= HEADLINE_ALPHA;
  });
  return { best, tied, runnerUp, p: runnerUp === undefined ? null : pOf(runnerUp) };
}

export function headlines(results: Results): Headline[] {
  const out: Headline[] = [];
  const cellMetrics = (name: string, kind: Metric['kind'] = 'absolute'): Metric[] =>
    results.metrics.filter(
      (m) =>
        m.name === name &&
        m.kind === kind &&
        m.style !== BASELINE &&
        m.params.size === HEADLINE_CELL.size &&
        m.params.connections === HEADLINE_CELL.connections &&
        m.samples.length > 0 &&
        allPositive(m.samples),
    );
  const contender = (m: Metric): Contender => ({ style: m.style, centre: geometricMean(m.samples), samples: m.samples });

  // Measured against the reference in the same pair, turn about (harness/phases/echo-cost.ts), a
  // style's ratios carry less of the host's slow stretches than its absolute figures: they are what
  // is ranked, when the run has them. Every style divides by the same reference, so the order is
  // the same kind of order; the absolute figures stay in the tables.
  const ranked = (name: string): Metric[] => {
    const paired = cellMetrics(`${name}.ratio`, 'ratio').filter((m) => m.extra?.paired === true);
    return paired.length > 0 ? paired : cellMetrics(name);
  };
  // Cost: CPU per request at the fixed rate; a saturated window is not ranked.
  const cost = ranked('echo.cpu_us_per_req').filter((m) => m.extra?.saturated !== true);
  const costLead = leaders(cost.map(contender), 'lower');
  if (costLead !== undefined) out.push(headline('Echo cost', costLead, 'lower', `server CPU per request at the fixed offered rate, 1 KiB x 10 connections${pairedNote(cost)}`));

  // Capacity: closed-loop req/s where the client was not the limit.
  const capacity = ranked('echo.rps').filter((m) => !String(m.extra?.saturatedBy ?? '').match(/client|both/));
  const capacityLead = leaders(capacity.map(contender), 'higher');
  if (capacityLead !== undefined) {
    out.push(headline('Echo capacity', capacityLead, 'higher', `closed-loop req/s, 1 KiB x 10 connections, windows the client did not limit${pairedNote(capacity)}`));
  }

  const memory = memoryHeadline(metricsNamed(results, TWO_AXES_MEMORY).filter((m) => m.style !== BASELINE && m.samples.length > 0));
  if (memory !== undefined) out.push(memory);

  const tb = results.tracebacks;
  if (tb !== undefined && tb.totals.length > 0) {
    const top = Math.max(...tb.totals.map((total) => total.score));
    const tied = tb.totals.filter((total) => total.score === top).map((total) => total.style);
    const cases = casesOf(tb).length;
    out.push({
      key: 'Tracebacks',
      style: tied.length === 1 ? (tied[0] as string) : `tie: ${tied.join(', ')}`,
      detail: `mean score ${formatNumber(top)} of ${formatNumber(maxScore(tb))} over ${cases} fault case${cases === 1 ? '' : 's'} (the rubric is deterministic: no test needed)`,
    });
  }

  // Only styles with both programs measured: one file alone would look concise.
  const tokens = new Map<string, { total: number; files: number }>();
  for (const row of results.difficulty ?? []) {
    const entry = tokens.get(row.style) ?? { total: 0, files: 0 };
    tokens.set(row.style, { total: entry.total + row.tokens, files: entry.files + 1 });
  }
  const complete = [...tokens].filter(([, entry]) => entry.files === 2);
  if (complete.length > 0) {
    const fewest = Math.min(...complete.map(([, entry]) => entry.total));
    const tied = complete.filter(([, entry]) => entry.total === fewest).map(([style]) => style);
    out.push({ key: 'Fewest tokens', style: tied.length === 1 ? (tied[0] as string) : `tie: ${tied.join(', ')}`, detail: `${formatNumber(fewest)} tokens for both programs` });
  }
  return out;
}

function pairedNote(metrics: readonly Metric[]): string {
  return metrics.some((m) => m.kind === 'ratio') ? ', ranked by the ratio to the baseline measured in the same pair' : '';
}

function headline(
  key: string,
  lead: NonNullable<ReturnType<typeof leaders>>,
  direction: 'higher' | 'lower',
  what: string,
): Headline {
  const factor = (other: Contender): number => (direction === 'lower' ? other.centre / lead.best.centre : lead.best.centre / other.centre);
  const n = `n=${lead.best.samples.length}`;
  if (lead.tied.length > 1) {
    const others = lead.tied.slice(1).map((c) => `${c.style} ${formatFactor(factor(c))}`).join(', ');
    return {
      key,
      style: `tie: ${lead.tied.map((c) => c.style).join(', ')}`,
      detail: `${what}: ${lead.best.style} leads, but ${others} ${lead.tied.length === 2 ? 'is' : 'are'} not significantly behind (p ≥ ${HEADLINE_ALPHA}, ${n})`,
    };
  }
  const next =
    lead.runnerUp === undefined
      ? `; the only style that qualified (${n})`
      : `; next: ${lead.runnerUp.style}, ${formatFactor(factor(lead.runnerUp))} (p = ${formatP(lead.p)}, ${n})`;
  return { key, style: lead.best.style, detail: `${what}${next}` };
}

/**
 * Memory per connection comes from one fitted line per style: the lead is tested with the fits'
 * standard errors (a z test of two slopes), pooled over repeats when there are several.
 */
function memoryHeadline(metrics: readonly Metric[]): Headline | undefined {
  const rows = metrics
    .map((m) => ({ style: m.style, slope: median(m.samples), se: typeof m.extra?.slopeSe === 'number' ? m.extra.slopeSe : null }))
    .sort((a, b) => a.slope - b.slope);
  const [best, runnerUp] = rows;
  if (best === undefined) return undefined;
  const pOf = (other: (typeof rows)[number]): number | null => {
    if (best.se === null || other.se === null) return null;
    const se = Math.sqrt(best.se ** 2 + other.se ** 2);
    if (se === 0) return other.slope === best.slope ? 1 : 0;
    const z = Math.abs(other.slope - best.slope) / se;
    return 2 * (1 - normalCdf(z, 0, 1));
  };
  const tied = rows.filter((other) => other === best || (pOf(other) ?? 1) >= HEADLINE_ALPHA);
  const what = `${formatBytes(best.slope)} of RSS per idle echo connection`;
  if (tied.length > 1) {
    return { key: 'Memory per connection', style: `tie: ${tied.map((r) => r.style).join(', ')}`, detail: `${what} for ${best.style}; the others are within the fits' error (p ≥ ${HEADLINE_ALPHA})` };
  }
  const next = runnerUp === undefined ? '' : `; next: ${runnerUp.style}, ${formatBytes(runnerUp.slope)} (p = ${formatP(pOf(runnerUp))}, from the fits' standard errors)`;
  return { key: 'Memory per connection', style: best.style, detail: `${what}${next}` };
}

function formatP(p: number | null): string {
  if (p === null) return 'not tested';
  return p < 0.001 ? p.toExponential(0) : p.toFixed(3);
}
