// The two axes of the question: memory per connection against coding difficulty, one point per
// style, on log scales.
import type { TopLevelSpec } from 'vega-lite';
import type { Results } from '../../harness/schema.js';
import { formatNumber } from '../format.js';
import { asSpec } from './render.js';
import type { MetricsNamed } from './select.js';

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
export interface TwoAxesInput {
  readonly results: Results;
  /** The styles in report order. */
  readonly styles: readonly string[];
  readonly references: ReadonlySet<string>;
  readonly named: MetricsNamed;
}

export function twoAxesData(view: TwoAxesInput): TwoAxesData {
  const { results, styles, references } = view;
  const memory = new Map(view.named(TWO_AXES_MEMORY).map((metric) => [metric.style, metric]));
  const tokens = new Map<string, number>();
  for (const row of results.difficulty ?? []) {
    if (row.scenario === 'repos-and-forks' || row.scenario === 'echo') tokens.set(row.style, (tokens.get(row.style) ?? 0) + row.tokens);
  }
  const scores = new Map((results.tracebacks?.totals ?? []).map((total) => [total.style, total.score]));
  const points: TwoAxesPoint[] = [];
  const missing: string[] = [];
  for (const style of styles) {
    // The reference rows are not styles: no difficulty, no tracebacks, no point on this chart.
    if (references.has(style) || style.includes('+')) continue;
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
