// The traceback gallery: for each fault case, how each style failed (outcome, score, the facts the
// score is made of) and the trace it printed, with the frames that point into the style's own file
// marked, since those are the lines a reader would click. Plus the score matrix with totals.
import type { SourceFile, TracebackRow, Tracebacks } from '../harness/schema.js';
import { escapeHtml, formatNumber, heatColour, orderStyles } from './format.js';
import { slug } from './side-by-side.js';

/** A variant (`callbacks+trace`, `coroutines+debug`: harness/aids.ts) runs its style's file with a debug aid on. */
export function baseStyle(style: string): string {
  return style.split('+')[0] ?? style;
}

/** The files whose frames count as the style's own: its repos-and-forks source, as results.json names it. */
export function ownPaths(style: string, sources: readonly SourceFile[] = []): string[] {
  const base = baseStyle(style);
  const named = sources.filter((source) => source.style === base && source.scenario === 'repos-and-forks').map((source) => source.path);
  return named.length > 0 ? named : [`styles/${base}/repos-and-forks.ts`];
}

/**
 * Escapes a trace, one block per line (so a wrapped frame hangs under its own `at`), and marks each
 * line that points into one of `paths` (the path followed by `:line`).
 */
export function markTrace(trace: string, paths: readonly string[]): { readonly html: string; readonly ownFrames: number } {
  let ownFrames = 0;
  const patterns = paths.map((path) => new RegExp(`${escapeRegExp(path.replace(/^\.?\//, ''))}:\\d+`));
  const lines = trace.split(/\r?\n/).map((line, index) => {
    const text = escapeHtml(line);
    if (patterns.some((pattern) => pattern.test(line))) {
      ownFrames++;
      return `<mark class="tl own">${text}</mark>`;
    }
    if (index === 0) return `<strong class="tl">${text}</strong>`;
    if (/^\s*(\[cause\]|caused by|cause:)/i.test(line)) return `<span class="tl cause">${text}</span>`;
    if (/^\s*at .*\b(node:|node_modules)/.test(line)) return `<span class="tl noise">${text}</span>`;
    return `<span class="tl">${text}</span>`;
  });
  return { html: lines.join(''), ownFrames };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The most a row can score: the sum of the rubric's positive weights, or the best seen. */
export function maxScore(tracebacks: Tracebacks): number {
  const fromRubric = Object.values(tracebacks.rubric ?? {}).reduce((sum, weight) => sum + Math.max(0, weight), 0);
  if (fromRubric > 0) return fromRubric;
  return Math.max(1, ...tracebacks.rows.map((row) => row.score));
}

const OUTCOME_TEXT: Readonly<Record<TracebackRow['outcome'], string>> = {
  rejected: 'rejected with an error',
  crashed: 'crashed the process',
  unhandled: 'unhandled rejection',
  swallowed: 'error swallowed',
  hung: 'hung',
};

function outcomeBadge(outcome: TracebackRow['outcome']): string {
  return `<span class="outcome outcome-${outcome}" title="${escapeHtml(OUTCOME_TEXT[outcome] ?? outcome)}">${escapeHtml(outcome)}</span>`;
}

export interface CaseInfo {
  readonly id: string;
  readonly description: string;
  readonly expectedError: string;
  /** The steps a good trace shows, `a -> b -> c`; the harness writes it beside the schema's fields. */
  readonly path?: string;
}

/** The cases in the order results.json lists them, plus any that only appear in rows. */
export function casesOf(tracebacks: Tracebacks): CaseInfo[] {
  const cases: CaseInfo[] = (tracebacks.cases ?? []).map((c) => {
    const path = (c as { readonly path?: unknown }).path;
    return typeof path === 'string' ? { ...c, path } : { ...c };
  });
  for (const row of tracebacks.rows) {
    if (!cases.some((c) => c.id === row.case)) cases.push({ id: row.case, description: '', expectedError: row.expectedError });
  }
  return cases;
}

/**
 * Cases down, styles across; each cell the score (and the outcome unless a plain rejection), coloured
 * from the best to the worst score of the matrix; totals last. `styles`: the report's order (view.ts).
 */
export function tracebackMatrix(tracebacks: Tracebacks, styles: readonly string[] = orderStyles(tracebacks.rows.map((row) => row.style))): string {
  const scores = tracebacks.rows.map((row) => row.score);
  const heat = relativeHeat(Math.max(...scores), Math.min(...scores));
  const head = styles.map((style) => `<th>${escapeHtml(style)}</th>`).join('');
  const body = casesOf(tracebacks)
    .map((info) => {
      const cells = styles
        .map((style) => {
          const row = tracebacks.rows.find((r) => r.style === style && r.case === info.id);
          if (row === undefined) return '<td class="missing">–</td>';
          const notes = [row.outcome === 'rejected' ? '' : outcomeBadge(row.outcome), row.classMatches ? '' : `<span class="note-small">${escapeHtml(row.errorName ?? 'no error')}</span>`].join('');
          return `<td style="background:${heat(row.score)}"><a href="#tb-${slug(info.id)}-${slug(style)}">${formatNumber(row.score)}</a>${notes}</td>`;
        })
        .join('');
      return `<tr><th scope="row"><a href="#tb-${slug(info.id)}">${escapeHtml(info.id)}</a><span class="expected">${escapeHtml(info.expectedError)}</span></th>${cells}</tr>`;
    })
    .join('\n');
  const totals = new Map((tracebacks.totals ?? []).map((total) => [total.style, total.score]));
  const best = Math.max(...totals.values());
  const totalHeat = relativeHeat(best, Math.min(...totals.values()));
  const totalCells = styles
    .map((style) => {
      const total = totals.get(style);
      if (total === undefined) return '<td class="missing">–</td>';
      return `<td style="background:${totalHeat(total)}"><strong>${formatNumber(total)}</strong>${total === best ? ' <span class="best-mark">best</span>' : ''}</td>`;
    })
    .join('');
  return [
    '<div class="table-scroll"><table class="matrix">',
    `<thead><tr><th>case (expected error)</th>${head}</tr></thead>`,
    `<tbody>${body}</tbody>`,
    `<tfoot><tr><th scope="row">mean</th>${totalCells}</tr></tfoot>`,
    '</table></div>',
  ].join('\n');
}

/** Best score green, worst red, as the factor tables colour their rows. */
function relativeHeat(best: number, worst: number): (score: number) => string {
  return (score) => heatColour(best > worst ? (best - score) / (best - worst) : 0);
}

const yes = (value: boolean): string => (value ? '<span class="yes">✓</span>' : '<span class="no">✗</span>');

function card(row: TracebackRow, max: number, sources: readonly SourceFile[], colour: string): string {
  const marked = markTrace(row.trace, ownPaths(row.style, sources));
  const chainPresent = row.chain.filter((link) => link.present).length;
  const chain = row.chain.map((link) => `<span class="${link.present ? 'yes' : 'no'}">${escapeHtml(link.step)}</span>`).join(' → ');
  const facts = [
    `<dt>error</dt><dd>${yes(row.classMatches)} ${escapeHtml(row.errorName ?? 'none')}${row.classMatches ? '' : ` <span class="dim">(expected ${escapeHtml(row.expectedError)})</span>`}</dd>`,
    `<dt>context</dt><dd>${yes(row.context)} url in message or cause</dd>`,
    `<dt>origin</dt><dd>${row.originDistance === null ? '<span class="no">no frame in the style’s file</span>' : `${formatNumber(row.originDistance)} lines from the fault site`}</dd>`,
    `<dt>chain</dt><dd>${chainPresent}/${row.chain.length}: ${chain || '–'}</dd>`,
    `<dt>noise</dt><dd>${Math.round(row.noise * 100)}% of frames outside the style’s and the scenario’s code</dd>`,
    `<dt>cleanup</dt><dd>${yes(row.cleanupCount === 1)} ran ${row.cleanupCount}×; ${yes(row.inFlightAfter === 0)} ${row.inFlightAfter} in flight after</dd>`,
    `<dt>surfaced</dt><dd>${row.surfaceMs === null ? 'never' : `after ${formatNumber(row.surfaceMs)} ms`}</dd>`,
  ].join('');
  return [
    `<article class="tb-card" id="tb-${slug(row.case)}-${slug(row.style)}" style="border-top-color:${colour}">`,
    `<header><span class="tb-style">${escapeHtml(row.style)}</span>${outcomeBadge(row.outcome)}<span class="tb-score" style="background:${heatColour(1 - row.score / max)}">${formatNumber(row.score)}<span class="dim">/${formatNumber(max)}</span></span></header>`,
    `<dl class="facts">${facts}</dl>`,
    `<p class="own-count">${marked.ownFrames === 0 ? 'No frame points into the style’s own file.' : `${marked.ownFrames} frame${marked.ownFrames === 1 ? '' : 's'} in the style’s own file, marked.`}</p>`,
    `<pre class="trace">${marked.html || '<span class="dim">(no trace)</span>'}</pre>`,
    '</article>',
  ].join('\n');
}

/** One block per fault case, one card per style, the styles in `styles`' order. */
export function gallery(
  tracebacks: Tracebacks,
  sources: readonly SourceFile[] = [],
  colours: ReadonlyMap<string, string> = new Map(),
  styles: readonly string[] = orderStyles(tracebacks.rows.map((row) => row.style)),
): string {
  const max = maxScore(tracebacks);
  return casesOf(tracebacks)
    .map((info) => {
      const rows = styles
        .map((style) => tracebacks.rows.find((row) => row.style === style && row.case === info.id))
        .filter((row): row is TracebackRow => row !== undefined);
      const cards = rows.map((row) => card(row, max, sources, colours.get(row.style) ?? colours.get(baseStyle(row.style)) ?? '#999')).join('\n');
      return [
        `<section class="tb-case" id="tb-${slug(info.id)}">`,
        `<h3>${escapeHtml(info.id)} <span class="expected">expects ${escapeHtml(info.expectedError)}</span></h3>`,
        info.description === '' ? '' : `<p class="note">${escapeHtml(info.description)}</p>`,
        info.path === undefined ? '' : `<p class="path">logical path: ${escapeHtml(info.path.replace(/ -> /g, ' → '))}</p>`,
        `<div class="tb-grid">${cards}</div>`,
        '</section>',
      ].join('\n');
    })
    .join('\n');
}
