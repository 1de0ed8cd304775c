// The memory card: what each idle echo connection keeps alive in the V8 heap (heapUsed + external
// after GC, the slope over open connections), the figure that separates the event-loop styles to
// within a percent or so. A style whose connections live mostly outside that heap (a thread's own
// isolate and stack, which only the process's RSS sees) is not ranked on it: the card names it
// apart, with its RSS.
import type { Metric, Results } from '../harness/schema.js';
import { allPositive, geometricMean } from '../harness/stats/summary.js';
import { TWO_AXES_MEMORY } from './charts/two-axes.js';
import { type MetricsNamed, metricIndex } from './charts/select.js';
import { formatBytes, formatFactor, referenceRows } from './format.js';
import { baselineNote } from './headline-echo.js';
import { type Contender, type Headline, leaders, names, testWords, verdict } from './headline-rank.js';

export const HEAP_PER_CONNECTION = 'memory.echo_idle.bytes_per_conn';

/**
 * RSS above the heap figure by more than this, per connection, is memory the heap does not see: a
 * thread's stack and isolate (megabytes), not the few kilobytes of allocator slack every
 * event-loop style shows.
 */
export const OUTSIDE_HEAP_BYTES = 64 * 1024;

/** The styles' positive figures: never a reference row's (format.ts referenceRows). */
const positive = (results: Results, metrics: readonly Metric[]): Metric[] => {
  const references = referenceRows(results);
  return metrics.filter((m) => !references.has(m.style) && m.samples.length > 0 && allPositive(m.samples));
};

function contender(m: Metric): Contender {
  const se = m.extra?.slopeSe;
  return { style: m.style, centre: geometricMean(m.samples), median: m.median, samples: m.samples, ...(typeof se === 'number' ? { se } : {}) };
}

export function memoryHeadline(results: Results, named: MetricsNamed = metricIndex(results)): Headline | undefined {
  const heap = positive(results, named(HEAP_PER_CONNECTION));
  const rss = new Map(positive(results, named(TWO_AXES_MEMORY)).map((m) => [m.style, m]));
  const heapOf = new Map(heap.map((m) => [m.style, m.median]));
  // Named apart by RSS: a style whose RSS is far above its heap figure, or that has no heap figure beside the others'.
  const outside = heap.length === 0 ? [] : [...rss.values()].filter((m) => m.median - (heapOf.get(m.style) ?? 0) > OUTSIDE_HEAP_BYTES || !heapOf.has(m.style));
  const apartStyles = new Set(outside.map((m) => m.style));
  // A file without heap figures ranks RSS, the only figure it has.
  const [ranked, figure] = heap.length > 0 ? [heap.filter((m) => !apartStyles.has(m.style)), 'heap'] : [[...rss.values()], 'RSS'];
  const lead = leaders(ranked.map(contender), 'lower');
  if (lead === undefined) return undefined;
  const said = verdict(lead, { best: `least ${figure} per idle connection`, value: (n) => formatBytes(n), factorsOf: `the ${figure} of the best` });
  const bestRss = rss.get(lead.best.style)?.median;
  const apart = outside.map((m) => {
    const against = bestRss === undefined ? '' : `, ${formatFactor(m.median / bestRss)} the RSS of ${lead.best.style}`;
    return `${m.style} ${formatBytes(m.median)} of RSS per connection${against}`;
  });
  const outsideText =
    apart.length === 0 ? '' : ` Not in that ranking, because the heap does not see where ${names(outside.map((m) => m.style))} ${outside.length === 1 ? 'keeps' : 'keep'} a connection: ${apart.join('; ')}.`;
  return {
    key: 'Memory per connection',
    ...said,
    text: said.text + baselineNote(named(figure === 'heap' ? HEAP_PER_CONNECTION : TWO_AXES_MEMORY), lead.best) + outsideText,
    detail:
      (figure === 'heap'
        ? 'The slope of the V8 heap (heapUsed + external, after two forced GCs) over open idle echo connections. '
        : 'The slope of the process\'s RSS over open idle echo connections (this file has no heap figures). ') + testWords(lead),
  };
}
