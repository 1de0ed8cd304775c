// The runtime section of a report (`rosetta run --node 20,22,24`): for each style and headline
// metric, the value on each runtime and the change from the oldest, decided by the same statistics
// as `rosetta compare --across-node` (log-scale test, Holm over the headline rows of each pair);
// the traceback scores and matrix per runtime; and the traces that changed, side by side, with the
// frames a newer V8 recovers or loses. Nothing here measures: it reads results.runtimes.
import { compareResults } from './compare.js';
import { DEFAULT_ALPHA, DEFAULT_THRESHOLD, type MetricComparison, type Verdict } from './comparison.js';
import { displayUnit, escapeHtml, formatNumber, formatParams, formatValue, orderStyles } from './format.js';
import { markTrace, ownPaths } from './gallery.js';
import type { Metric, Results, TracebackRow } from '../harness/schema.js';
import { allPositive, centre, stdev } from '../harness/stats/summary.js';

interface Headline {
  readonly name: string;
  readonly title: string;
  /** The echo cell every report headlines (summary table, headlines.ts): 1 KiB at 10 connections. */
  readonly cell?: Readonly<Record<string, number>>;
}

const ECHO_CELL = { size: 1024, connections: 10 };

export const RUNTIME_HEADLINES: readonly Headline[] = [
  { name: 'echo.cpu_us_per_req', title: 'Echo: server CPU per request at the fixed rate', cell: ECHO_CELL },
  { name: 'echo.instructions_per_req', title: 'Echo: instructions per request (callgrind)' },
  { name: 'echo.rps', title: 'Echo capacity (closed loop)', cell: ECHO_CELL },
  { name: 'memory.echo_idle.bytes_per_conn', title: 'Memory per idle connection' },
  { name: 'memory.workflow.bytes_per_inflight', title: 'Memory per in-flight workflow' },
  { name: 'workflow.throughput', title: 'Workflow throughput' },
];

export interface RuntimeCell {
  /** What the change compares: the geometric mean of the samples (the arithmetic mean where one is 0 or below). */
  readonly centre: number;
  /** The samples' spread: the standard deviation of their logs, in percent (about the CV); absent below 2 samples or on the raw scale. */
  readonly spreadPercent?: number;
  readonly n: number;
  /** Against the oldest runtime; absent on the oldest itself. */
  readonly change?: MetricComparison;
}

export interface RuntimeTable {
  readonly title: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly unit: string;
  readonly direction: Metric['direction'];
  /** One cell per runtime, oldest first; undefined where that runtime has no such metric. */
  readonly rows: readonly { readonly style: string; readonly cells: readonly (RuntimeCell | undefined)[] }[];
}

/** One (style, case) whose trace is not the same on every runtime. */
export interface TraceChange {
  readonly style: string;
  readonly case: string;
  /** Per runtime, oldest first. */
  readonly rows: readonly (TracebackRow | undefined)[];
  /** Per runtime: the frames it has that the oldest lacks (recovered) and the oldest's it lacks (lost). */
  readonly frames: readonly { readonly recovered: readonly string[]; readonly lost: readonly string[] }[];
}

export interface RuntimeView {
  /** Oldest first. */
  readonly runtimes: readonly Results[];
  readonly tables: readonly RuntimeTable[];
  readonly changes: readonly TraceChange[];
}

/** The runtime section's content, or undefined when the file holds fewer than two runtimes. */
export function runtimeView(results: Results): RuntimeView | undefined {
  const runtimes = results.runtimes ?? [];
  const [oldest, ...newer] = runtimes;
  if (oldest === undefined || newer.length === 0) return undefined;
  const pick = (run: Results, headline: Headline): Metric[] =>
    run.metrics.filter((metric) => metric.kind === 'absolute' && metric.name === headline.name && inCell(metric, headline.cell));
  const ids = RUNTIME_HEADLINES.flatMap((headline) => pick(oldest, headline).map((metric) => metric.id));
  // One Holm family per pair of runtimes: its headline rows, and nothing else in the files.
  const filter = new RegExp(`^(?:${ids.map(escapeRegExp).join('|')})$`);
  const comparisons = newer.map((run) =>
    ids.length === 0
      ? []
      : compareResults(oldest, run, { threshold: DEFAULT_THRESHOLD, alpha: DEFAULT_ALPHA, kinds: ['absolute'], filter, acrossNode: true }).rows,
  );
  const tables = RUNTIME_HEADLINES.flatMap((headline): RuntimeTable[] => {
    const first = runtimes.flatMap((run) => pick(run, headline))[0];
    if (first === undefined) return [];
    const styles = orderStyles(runtimes.flatMap((run) => pick(run, headline).map((metric) => metric.style)));
    const rows = styles.map((style) => ({
      style,
      cells: runtimes.map((run, index): RuntimeCell | undefined => {
        const metric = pick(run, headline).find((candidate) => candidate.style === style);
        if (metric === undefined) return undefined;
        const change = index === 0 ? undefined : comparisons[index - 1]?.find((row) => row.id === metric.id);
        return { ...centreOf(metric.samples), n: metric.samples.length, ...(change !== undefined ? { change } : {}) };
      }),
    }));
    return [{ title: headline.title, params: first.params, unit: first.unit, direction: first.direction, rows }];
  });
  return { runtimes, tables, changes: traceChanges(runtimes) };
}

/** The centre `compare` tests (geometric mean of positive samples, else the mean) and its log-scale spread. */
export function centreOf(samples: readonly number[]): { centre: number; spreadPercent?: number } {
  const value = centre(samples);
  return samples.length < 2 || !allPositive(samples) ? { centre: value } : { centre: value, spreadPercent: 100 * stdev(samples.map(Math.log)) };
}

/** `±0.4% n=3`: the spread where there is one, and the sample count. */
function spreadText(found: RuntimeCell): string {
  const spread = found.spreadPercent;
  return `${spread === undefined ? '' : `±${spread < 0.1 ? '<0.1' : spread.toFixed(1)}% `}n=${found.n}`;
}

/** `3.01 KiB ±0.4% n=3`. */
function centreText(found: RuntimeCell, unit: string): string {
  return `${formatValue(found.centre, unit)} ${spreadText(found)}`;
}

function inCell(metric: Metric, cell: Readonly<Record<string, number>> | undefined): boolean {
  return cell === undefined || Object.entries(cell).every(([key, value]) => metric.params[key] === value);
}

/**
 * A trace with what differs between two runs of the same code on one Node taken out: the fake
 * GitHub's port, line:column inside Node's own files, and the version line a crash prints. What is
 * left differs only when the runtime changed what the trace says.
 */
export function normalizeTrace(trace: string): string {
  return trace
    .replace(/(\/\/(?:127\.0\.0\.1|localhost)):\d+/g, '$1:PORT')
    .replace(/\b(node:[\w/.-]+):\d+(?::\d+)?/g, '$1')
    .replace(/^Node\.js v\d+\.\d+\.\d+$/gm, 'Node.js')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** The distinct `at ...` frames of a normalized trace, causes included. */
export function traceFrames(trace: string): string[] {
  const lines = normalizeTrace(trace)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '));
  return [...new Set(lines)];
}

/** A frame inside Node's own files: a change there is Node's, not one in what the style's reader sees. */
function internal(frame: string): boolean {
  return /\(node:|^at node:/.test(frame);
}

function traceChanges(runtimes: readonly Results[]): TraceChange[] {
  const rowsOf = (run: Results): readonly TracebackRow[] => run.tracebacks?.rows ?? [];
  const pairs = new Map<string, { style: string; case: string }>();
  for (const run of runtimes) for (const row of rowsOf(run)) pairs.set(`${row.style}\u0000${row.case}`, { style: row.style, case: row.case });
  const changes: TraceChange[] = [];
  for (const pair of pairs.values()) {
    const rows = runtimes.map((run) => rowsOf(run).find((row) => row.style === pair.style && row.case === pair.case));
    const texts = rows.map((row) => (row === undefined ? undefined : normalizeTrace(row.trace)));
    if (texts.every((text) => text === texts[0])) continue;
    const base = traceFrames(rows[0]?.trace ?? '');
    const frames = rows.map((row) => {
      const own = traceFrames(row?.trace ?? '');
      return { recovered: own.filter((frame) => !base.includes(frame)), lost: base.filter((frame) => !own.includes(frame)) };
    });
    changes.push({ ...pair, rows, frames });
  }
  const order = orderStyles(changes.map((change) => change.style));
  return changes.sort((a, b) => order.indexOf(a.style) - order.indexOf(b.style) || a.case.localeCompare(b.case));
}

// ---------------------------------------------------------------------------------------------
// Words shared by both renderers

function runtimeLabel(run: Results): string {
  return `Node ${run.environment.node.replace(/^v/, '')}`;
}

const VERDICT_WORD: Readonly<Record<Verdict, string>> = {
  regression: 'worse',
  improvement: 'better',
  same: 'same',
  inconclusive: 'inconclusive',
  untested: 'untested',
  'not gated': 'not gated',
};

/** `−10.6% *** better`, or why there is no test. */
export function changeText(change: MetricComparison | undefined): string {
  if (change === undefined) return 'n/a';
  const percent = change.changePercent === null ? 'n/a' : `${change.changePercent >= 0 ? '+' : '−'}${Math.abs(change.changePercent).toFixed(1)}%`;
  const verdict = change.verdict === 'untested' && change.note !== undefined ? `untested: ${change.note.split(':')[0] ?? ''}` : VERDICT_WORD[change.verdict];
  return [percent, change.stars, verdict].filter((part) => part !== '').join(' ');
}

function tableTitle(table: RuntimeTable): string {
  const params = Object.keys(table.params).length > 0 ? `, ${formatParams(table.params)}` : '';
  return `${table.title}${params} (${displayUnit(table.unit)}, ${table.direction} is better)`;
}

function scoreOf(run: Results, style: string): number | undefined {
  return run.tracebacks?.totals.find((total) => total.style === style)?.score;
}

function scoreStyles(view: RuntimeView): string[] {
  return orderStyles(view.runtimes.flatMap((run) => (run.tracebacks?.totals ?? []).map((total) => total.style)));
}

/** `6 → 8 → 8` where the runtimes differ, one number where they agree. */
function scoreSequence(scores: readonly (number | undefined)[]): string {
  const shown = scores.map((score) => (score === undefined ? '–' : formatNumber(score)));
  return shown.every((text) => text === shown[0]) ? (shown[0] ?? '–') : shown.join(' → ');
}

function scoreChange(score: number | undefined, base: number | undefined): string {
  if (score === undefined || base === undefined) return '';
  const delta = score - base;
  return delta === 0 ? ' (±0)' : ` (${delta > 0 ? '+' : '−'}${formatNumber(Math.abs(delta))})`;
}

/** `async-await / reset: score 88 → 90; Node 24.1.0: +2 −1 frames (1 outside Node's own files)`. */
function changeSummary(view: RuntimeView, change: TraceChange): string {
  const counts = change.frames.slice(1).map((frames, index) => {
    const moved = [...frames.recovered, ...frames.lost];
    const own = moved.filter((frame) => !internal(frame)).length;
    const where = moved.length === 0 ? 'the same frames, other text' : own === 0 ? 'Node internals only' : `${own} outside Node's own files`;
    return `${runtimeLabel(view.runtimes[index + 1] as Results)}: +${frames.recovered.length} −${frames.lost.length} frames (${where})`;
  });
  return `${change.style} / ${change.case}: score ${scoreSequence(change.rows.map((row) => row?.score))}; ${counts.join('; ')}`;
}

const INTRO =
  'The same code on each runtime, measured in rounds: in each round every runtime does one repeat of everything, the runtimes in an order rotated per round, so drift on the machine falls on all of them alike. Values are geometric means ± the spread of the samples (standard deviation of their logs, about the CV) with n, the independent samples (fresh process pairs; a memory slope: one per round). The change is from the oldest runtime, as `rosetta compare --across-node` decides it: ratio of geometric means, stars for the raw p (* p<0.05, ** p<0.01, *** p<0.001), the verdict after Holm over the headline rows of that pair, beyond ±5% to count. Ratios to the in-run reference stay within each runtime. Traceback scores come from a fixed rubric, not from samples: their change is exact.';

// ---------------------------------------------------------------------------------------------
// Markdown

/** The section's lines; none for a file of one runtime (a PR comment should not grow a section that says so). */
export function runtimeMarkdown(results: Results): string[] {
  const view = runtimeView(results);
  if (view === undefined) return [];
  const out: string[] = ['## Runtimes', ''];
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\*/g, '\\*');
  const head = (first: string): string[] => [
    `| ${first} | ${view.runtimes.map((run) => `${runtimeLabel(run)} (V8 ${run.environment.v8})`).join(' | ')} |`,
    `|---|${view.runtimes.map(() => '---:').join('|')}|`,
  ];
  out.push(INTRO, '');
  for (const table of view.tables) {
    out.push(`### ${tableTitle(table)}`, '', ...head('style'));
    for (const row of table.rows) {
      const cells = row.cells.map((found, index) => {
        if (found === undefined) return '–';
        const value = centreText(found, table.unit);
        return index === 0 ? value : `${value}, ${changeText(found.change)}`;
      });
      out.push(`| ${cell(row.style)} | ${cells.map(cell).join(' | ')} |`);
    }
    out.push('');
  }
  const styles = scoreStyles(view);
  if (styles.length > 0) {
    const [oldest] = view.runtimes;
    out.push('### Traceback score (mean over the fault cases, higher is better)', '', ...head('style'));
    for (const style of styles) {
      const base = oldest === undefined ? undefined : scoreOf(oldest, style);
      const cells = view.runtimes.map((run, index) => {
        const score = scoreOf(run, style);
        return score === undefined ? '–' : `${formatNumber(score)}${index === 0 ? '' : scoreChange(score, base)}`;
      });
      out.push(`| ${cell(style)} | ${cells.join(' | ')} |`);
    }
    out.push('', ...matrixMarkdown(view, styles, cell), '', ...changesMarkdown(view));
  }
  return out;
}

function matrixMarkdown(view: RuntimeView, styles: readonly string[], cell: (text: string) => string): string[] {
  const cases = [...new Set(view.runtimes.flatMap((run) => (run.tracebacks?.rows ?? []).map((row) => row.case)))];
  const labels = view.runtimes.map(runtimeLabel).join(' → ');
  const lines = [`### Traceback matrix per runtime (score per case; ${cell(labels)} where they differ)`, '', `| case | ${styles.map(cell).join(' | ')} |`, `|---|${styles.map(() => '---:').join('|')}|`];
  for (const id of cases) {
    const cells = styles.map((style) => scoreSequence(view.runtimes.map((run) => run.tracebacks?.rows.find((row) => row.style === style && row.case === id)?.score)));
    lines.push(`| ${cell(id)} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function changesMarkdown(view: RuntimeView): string[] {
  const out = ['### Traces that changed', ''];
  if (view.changes.length === 0) {
    out.push('None: every trace reads the same on every runtime (ports and line numbers inside Node’s own files aside).', '');
    return out;
  }
  out.push(`${view.changes.length} (style, case) pair${view.changes.length === 1 ? '' : 's'} print a different trace on a newer runtime. Frames recovered (+) or lost (−) are counted against the oldest.`, '');
  for (const change of view.changes) {
    out.push(`<details><summary>${escapeHtml(changeSummary(view, change))}</summary>`, '');
    change.rows.forEach((row, index) => {
      const frames = change.frames[index];
      out.push(`**${runtimeLabel(view.runtimes[index] as Results)}**${row === undefined ? ': not run' : ` (${row.outcome}, score ${formatNumber(row.score)})`}`, '');
      if (index > 0 && frames !== undefined) {
        for (const frame of frames.recovered) out.push(`- \\+ \`${frame}\``);
        for (const frame of frames.lost) out.push(`- − \`${frame}\``);
        if (frames.recovered.length + frames.lost.length > 0) out.push('');
      }
      if (row !== undefined) out.push('```text', row.trace, '```', '');
    });
    out.push('</details>', '');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTML

export function runtimeHtml(results: Results): string {
  const view = runtimeView(results);
  if (view === undefined) {
    return `<p class="absent">${escapeHtml(`One runtime in this results file (Node ${results.environment.node.replace(/^v/, '')}); rosetta run --node 20,22,24 measures several.`)}</p>`;
  }
  const head = (first: string): string =>
    `<thead><tr><th>${first}</th>${view.runtimes.map((run) => `<th>${escapeHtml(runtimeLabel(run))}<span class="expected">V8 ${escapeHtml(run.environment.v8)}</span></th>`).join('')}</tr></thead>`;
  const tables = view.tables.map((table) => {
    const body = table.rows.map((row) => {
      const cells = row.cells.map((found, index) => {
        if (found === undefined) return '<td class="missing">–</td>';
        const change = index === 0 ? '' : `<span class="x rt-${found.change?.verdict ?? 'untested'}">${escapeHtml(changeText(found.change))}</span>`;
        return `<td><span class="v">${escapeHtml(formatValue(found.centre, table.unit))}</span> <span class="dim">${escapeHtml(spreadText(found))}</span>${change}</td>`;
      });
      return `<tr><th scope="row">${escapeHtml(row.style)}</th>${cells.join('')}</tr>`;
    });
    return `<h3>${escapeHtml(tableTitle(table))}</h3><div class="table-scroll"><table class="factors">${head('style')}<tbody>${body.join('')}</tbody></table></div>`;
  });
  const styles = scoreStyles(view);
  const [oldest] = view.runtimes;
  const scores = styles.map((style) => {
    const base = oldest === undefined ? undefined : scoreOf(oldest, style);
    const cells = view.runtimes.map((run, index) => {
      const score = scoreOf(run, style);
      return `<td>${score === undefined ? '–' : `${formatNumber(score)}${index === 0 ? '' : escapeHtml(scoreChange(score, base))}`}</td>`;
    });
    return `<tr><th scope="row">${escapeHtml(style)}</th>${cells.join('')}</tr>`;
  });
  const cases = [...new Set(view.runtimes.flatMap((run) => (run.tracebacks?.rows ?? []).map((row) => row.case)))];
  const matrix = cases.map((id) => {
    const cells = styles.map((style) => `<td>${escapeHtml(scoreSequence(view.runtimes.map((run) => run.tracebacks?.rows.find((row) => row.style === style && row.case === id)?.score)))}</td>`);
    return `<tr><th scope="row">${escapeHtml(id)}</th>${cells.join('')}</tr>`;
  });
  return [
    `<p class="note">${escapeHtml(INTRO)}</p>`,
    ...tables,
    styles.length === 0 ? '' : `<h3>Traceback score (mean over the fault cases, higher is better)</h3><div class="table-scroll"><table>${head('style')}<tbody>${scores.join('')}</tbody></table></div>`,
    styles.length === 0
      ? ''
      : `<h3>Traceback matrix per runtime</h3><p class="note">Score per case; ${escapeHtml(view.runtimes.map(runtimeLabel).join(' → '))} where they differ.</p><div class="table-scroll"><table class="matrix"><thead><tr><th>case</th>${styles.map((style) => `<th>${escapeHtml(style)}</th>`).join('')}</tr></thead><tbody>${matrix.join('')}</tbody></table></div>`,
    styles.length === 0 ? '' : changesHtml(view, results),
  ].join('\n');
}

function changesHtml(view: RuntimeView, results: Results): string {
  if (view.changes.length === 0) return '<h3>Traces that changed</h3><p class="absent">None: every trace reads the same on every runtime (ports and line numbers inside Node’s own files aside).</p>';
  const items = view.changes.map((change) => {
    const cards = change.rows.map((row, index) => {
      const frames = change.frames[index];
      const diff =
        index === 0 || frames === undefined
          ? ''
          : [...frames.recovered.map((frame) => `<li class="yes">+ ${escapeHtml(frame)}</li>`), ...frames.lost.map((frame) => `<li class="no">− ${escapeHtml(frame)}</li>`)].join('');
      const trace = row === undefined ? '<p class="absent">not run</p>' : `<pre class="trace">${markTrace(row.trace, ownPaths(row.style, results.sources ?? [])).html}</pre>`;
      const title = `${runtimeLabel(view.runtimes[index] as Results)}${row === undefined ? '' : `: ${row.outcome}, score ${formatNumber(row.score)}`}`;
      return `<div class="tb-card"><header><span class="tb-style">${escapeHtml(title)}</span></header>${diff === '' ? '' : `<ul class="frames">${diff}</ul>`}${trace}</div>`;
    });
    return `<details class="rt-change"><summary>${escapeHtml(changeSummary(view, change))}</summary><div class="tb-grid">${cards.join('')}</div></details>`;
  });
  return `<h3>Traces that changed (${view.changes.length})</h3><p class="note">Side by side, oldest first; + a frame the newer runtime has that the oldest lacks, − one it lost.</p>${items.join('\n')}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
