// The headlines of a report: one card per question the kit answers (CPU cost, capacity, memory per
// connection, tracebacks, coding difficulty), each saying what is known. A measured figure names a
// winner only when it beats the runner-up significantly (headline-rank.ts); a count (traceback
// scores, tokens) is deterministic and names the best outright. Computed from results.json alone,
// as plain text: the HTML page shows the cards, report.md the same texts as a list.
import type { Results } from '../harness/schema.js';
import { formatFactor, formatNumber, referenceRows } from './format.js';
import { casesOf, maxScore } from './gallery.js';
import { capacityHeadline, costHeadline } from './headline-echo.js';
import { memoryHeadline } from './headline-memory.js';
import { type Headline, names } from './headline-rank.js';
import { type MetricsNamed, metricIndex } from './charts/select.js';

export type { Headline } from './headline-rank.js';

/** `named` is the file's metric index when the caller has one (view.ts). */
export function headlines(results: Results, named: MetricsNamed = metricIndex(results)): Headline[] {
  return [costHeadline(results), capacityHeadline(results), memoryHeadline(results, named), tracebackHeadline(results), difficultyHeadline(results)].filter(
    (headline): headline is Headline => headline !== undefined,
  );
}

/** The parts of a headline after its key and lead, in reading order: what both renderers print. */
export function headlineParts(headline: Headline): string[] {
  return [headline.text, headline.detail, ...(headline.machine === undefined ? [] : [headline.machine])];
}

/** A ranking by a count: the best (several when they share the top) and the rest in order, as `b 7, c 6`. */
function countRanking(rows: readonly (readonly [string, number])[], higher: boolean): { best: string[]; text: string; top: number } {
  const sorted = [...rows].sort((a, b) => (higher ? b[1] - a[1] : a[1] - b[1]));
  const top = sorted[0]?.[1] ?? 0;
  const best = sorted.filter(([, value]) => value === top).map(([style]) => style);
  return { best, top, text: sorted.filter(([style]) => !best.includes(style)).map(([style, value]) => `${style} ${formatNumber(value)}`).join(', ') };
}

function tracebackHeadline(results: Results): Headline | undefined {
  const tb = results.tracebacks;
  if (tb === undefined || tb.totals.length === 0) return undefined;
  const cases = casesOf(tb).length;
  const { best, top, text } = countRanking(tb.totals.map((total) => [total.style, total.score]), true);
  const score = `mean score ${formatNumber(top)} of ${formatNumber(maxScore(tb))} over ${cases} fault case${cases === 1 ? '' : 's'}`;
  const winner = best.length === 1 ? best[0] : undefined;
  return {
    key: 'Tracebacks',
    winner,
    lead: names(best),
    text: `${winner !== undefined ? `The best ${score}` : `Share the best ${score}`}${text === '' ? '' : `; then ${text}`}.`,
    detail: 'Every style against every fault case, each trace scored by one rubric (error class, the url, a frame near the fault, the steps on the path, noise, cleanup); deterministic, so no test is needed.',
  };
}

function difficultyHeadline(results: Results): Headline | undefined {
  // Only styles with both programs measured: one file alone would look concise.
  const tokens = new Map<string, { total: number; files: number }>();
  const references = referenceRows(results);
  for (const row of results.difficulty ?? []) {
    if (references.has(row.style)) continue;
    const entry = tokens.get(row.style) ?? { total: 0, files: 0 };
    tokens.set(row.style, { total: entry.total + row.tokens, files: entry.files + 1 });
  }
  const complete = [...tokens].filter(([, entry]) => entry.files === 2).map(([style, entry]) => [style, entry.total] as const);
  if (complete.length === 0) return undefined;
  const { best, top } = countRanking(complete, false);
  const winner = best.length === 1 ? best[0] : undefined;
  const others = complete
    .filter(([style]) => !best.includes(style))
    .sort((a, b) => a[1] - b[1])
    .map(([style, total]) => `${style} ${formatFactor(total / top)}`)
    .join(', ');
  return {
    key: 'Difficulty',
    winner,
    lead: names(best),
    text: `${winner !== undefined ? 'The fewest' : 'Share the fewest'} tokens for both programs, ${formatNumber(top)}${others === '' ? '' : `; then ${others} as many`}.`,
    detail: "Tokens of repos-and-forks.ts and echo.ts by TypeScript's scanner, whitespace and comments left out, a style's own helper files counted in; a count, so no test is needed.",
  };
}
