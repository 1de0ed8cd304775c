// The four headlines of a report, one per axis the kit measures: who leads echo throughput, memory
// per connection, traceback quality and conciseness. Computed from results.json alone, as plain
// text; the HTML page shows them as cards and report.md as a list.
import type { Results } from './schema.js';
import { TWO_AXES_MEMORY, metricsNamed } from './charts.js';
import { BASELINE, formatBytes, formatFactor, formatNumber } from './format.js';
import { casesOf, maxScore } from './gallery.js';
import { factorTable } from './table.js';

export interface Headline {
  /** The axis, e.g. `Echo throughput`. */
  readonly key: string;
  /** The style that leads it. */
  readonly style: string;
  /** One line on by how much, or of what. */
  readonly detail: string;
}

export function headlines(results: Results): Headline[] {
  const out: Headline[] = [];

  // Throughput: the geometric mean of each style's factor over the configurations every style ran,
  // so a style that failed one configuration is not ranked on an easier set.
  const rps = factorTable(results.metrics.filter((m) => m.name === 'echo.rps' && m.kind === 'absolute'));
  const rows = rps.groups.flatMap((group) => group.rows);
  const ranked = rps.styles.filter((style) => style !== BASELINE);
  const complete = rows.filter((row) => ranked.every((style) => row.cells.get(style)?.factor !== undefined));
  if (complete.length > 0 && ranked.length > 0) {
    const geo = ranked
      .map((style) => {
        const logs = complete.map((row) => Math.log(row.cells.get(style)?.factor ?? 1));
        return { style, factor: Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length) };
      })
      .sort((a, b) => a.factor - b.factor);
    const [first, second] = geo;
    if (first !== undefined) {
      const next = second === undefined ? '' : `; next: ${second.style}, ${formatFactor(second.factor)} slower`;
      out.push({ key: 'Echo throughput', style: first.style, detail: `fastest over ${complete.length} configuration${complete.length === 1 ? '' : 's'} (geometric mean)${next}` });
    }
  }

  const least = metricsNamed(results, TWO_AXES_MEMORY)
    .filter((metric) => metric.style !== BASELINE)
    .sort((a, b) => a.median - b.median)[0];
  if (least !== undefined) out.push({ key: 'Memory per connection', style: least.style, detail: `${formatBytes(least.median)} of RSS per idle echo connection` });

  const tb = results.tracebacks;
  const best = [...(tb?.totals ?? [])].sort((a, b) => b.score - a.score)[0];
  if (tb !== undefined && best !== undefined) {
    const cases = casesOf(tb).length;
    out.push({ key: 'Tracebacks', style: best.style, detail: `mean score ${formatNumber(best.score)} of ${formatNumber(maxScore(tb))} over ${cases} fault case${cases === 1 ? '' : 's'}` });
  }

  // Only styles with both programs measured: one file alone would look concise.
  const tokens = new Map<string, { total: number; files: number }>();
  for (const row of results.difficulty ?? []) {
    const entry = tokens.get(row.style) ?? { total: 0, files: 0 };
    tokens.set(row.style, { total: entry.total + row.tokens, files: entry.files + 1 });
  }
  const fewest = [...tokens].filter(([, entry]) => entry.files === 2).sort((a, b) => a[1].total - b[1].total)[0];
  if (fewest !== undefined) out.push({ key: 'Fewest tokens', style: fewest[0], detail: `${formatNumber(fewest[1].total)} tokens for both programs` });
  return out;
}
