// index.html: the whole report as one self-contained page (inline CSS, inline SVG charts, no
// script, no network). Every section has a stable id and says in one line when results.json holds
// nothing for it, so a partial run still renders a complete page.
import type { DifficultyRow, Results } from '../harness/schema.js';
import { DIFFICULTY_SCENARIOS, type ReportView, reportView } from './view.js';
import { PAGE_CSS } from './css.js';
import { echoBarsSpec, memorySpec, microSpec, workflowThroughputSpec, workflowWallSpec } from './charts/bars.js';
import { ceilingSpec } from './charts/ceiling.js';
import { latencySpec } from './charts/latency.js';
import { renderChart, type Chart } from './charts/render.js';
import { TWO_AXES_MEMORY, twoAxesData, twoAxesSpec } from './charts/two-axes.js';
import { escapeHtml, formatBytes, formatFactor, formatNumber, formatParams, heatColour } from './format.js';
import { gallery, tracebackMatrix } from './gallery.js';
import { aidsHtml } from './aids.js';
import { header } from './html-header.js';
import { runtimeHtml } from './runtimes.js';
import { EXPLAIN_CAPTION, EXPLAIN_CSS, attributionSpec, attributionTablesHtml, memoryLinks } from './memory-explain.js';
import { sideBySide } from './side-by-side.js';
import { resultsTable } from './html-results.js';
import type { TopLevelSpec } from 'vega-lite';

/** The sections of the page, in order: their ids are the page's public anchors. */
export const SECTIONS = [
  ['header', 'Run'],
  ['runtimes', 'Runtimes'],
  ['two-axes', 'Two axes'],
  ['throughput', 'Echo cost'],
  ['latency', 'Latency'],
  ['memory', 'Memory'],
  ['workflow', 'Workflow'],
  ['micro', 'Micro'],
  ['results-table', 'All results'],
  ['side-by-side', 'Side by side'],
  ['tracebacks', 'Tracebacks'],
  ['difficulty', 'Difficulty'],
  ['failures', 'Failures'],
] as const;

export interface HtmlReport {
  readonly html: string;
  readonly charts: readonly Chart[];
}

export async function renderHtml(results: Results): Promise<HtmlReport> {
  return htmlReport(reportView(results));
}

/** The page from the report's view: each section renders its part of it. */
export async function htmlReport(view: ReportView): Promise<HtmlReport> {
  const { results, colours } = view;
  const charts: Chart[] = [];
  const figure = async (id: string, spec: TopLevelSpec | undefined, caption: string): Promise<string> => {
    if (spec === undefined) return '';
    const chart = await renderChart(id, spec);
    charts.push(chart);
    return `<figure class="chart" id="${id}">${chart.svg}<figcaption>${caption}</figcaption></figure>`;
  };

  const sbs = await sideBySide(results.sources ?? [], results.difficulty ?? [], colours, memoryLinks(view), view.styles);
  const sections = [
    header(view),
    section('runtimes', 'Runtimes', 'The same comparison on each Node version of the run: does the conclusion hold on the Node you run?', runtimeHtml(results)),
    await twoAxes(view, figure),
    await throughput(view, figure),
    await latency(view, figure),
    await memory(view, figure),
    await workflow(view, figure),
    await micro(view, figure),
    resultsSection(view),
    section('side-by-side', 'Side by side', 'The same program in every style, cut at the same steps. Untick a style to hide its column (no script needed).', (results.sources ?? []).length > 0 ? sbs.html : absent('No sources in this results file.')),
    await tracebacks(view, figure),
    difficulty(view),
    failures(results),
  ];
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>async-rosetta report · ${escapeHtml(results.createdAt)}</title>`,
    `<style>${PAGE_CSS}\n${sbs.css}\n${EXPLAIN_CSS}</style>`,
    '</head>',
    '<body>',
    `<nav class="toc" aria-label="sections"><ul><li><a href="#header">async-rosetta</a></li>${SECTIONS.slice(1)
      .map(([id, title]) => `<li><a href="#${id}">${title}${id === 'failures' && results.failures.length > 0 ? ` (${results.failures.length})` : ''}</a></li>`)
      .join('')}</ul></nav>`,
    '<main>',
    ...sections,
    `<footer>Rendered by <code>rosetta report</code> from results.json (schema v${results.schemaVersion}, created ${escapeHtml(results.createdAt)}). Nothing on this page was measured while rendering it. Charts: vega-lite; code: shiki (github-light).</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return { html, charts };
}

type Figure = (id: string, spec: TopLevelSpec | undefined, caption: string) => Promise<string>;

function section(id: string, title: string, why: string, body: string): string {
  return `<section class="part" id="${id}">\n<h2>${escapeHtml(title)}</h2>\n<p class="why">${why}</p>\n${body}\n</section>`;
}

function absent(text: string): string {
  return `<p class="absent">${escapeHtml(text)}</p>`;
}

// ------------------------------------------------------------------------------------------------
// Chart sections

async function twoAxes(view: ReportView, figure: Figure): Promise<string> {
  const data = twoAxesData(view);
  const spec = twoAxesSpec(data);
  const why =
    'The question the kit answers: what each style costs in memory per connection and in code to write. Down and to the left is cheaper on both; the colour is how well the style’s errors explain themselves. The memory axis is logarithmic, so styles a thousand times apart (a thread per connection against an event-loop style) fit on one chart.';
  if (spec === undefined) {
    return section('two-axes', 'Memory against difficulty', why, absent(`Needs ${TWO_AXES_MEMORY} and difficulty rows for at least one style; this file has neither for any style.`));
  }
  const caption = [
    `<b>x</b>: ${TWO_AXES_MEMORY} (process RSS after GC, slope over open connections, log scale; bar: 95% interval). RSS, not heap: a thread's isolate, stack and event loop are invisible to the main heap.`,
    bothEnds(data.points),
    '<b>y</b>: scanner tokens of repos-and-forks.ts + echo.ts.',
    `<b>colour</b>: total traceback score${data.maxScore !== undefined ? ` (each case scores up to ${formatNumber(data.maxScore)})` : ''}; the plain coroutines run, not its debug mode.`,
    data.missing.length > 0 ? `Not plotted: ${escapeHtml(data.missing.join(', '))}.` : '',
  ].join(' ');
  return section('two-axes', 'Memory against difficulty', why, await figure('chart-two-axes', spec, caption));
}

/** What the chart shows at its two ends, in words: the cheapest and the dearest style per connection. */
function bothEnds(points: readonly { readonly style: string; readonly memory: number; readonly tokens: number }[]): string {
  const sorted = [...points].sort((a, b) => a.memory - b.memory);
  const left = sorted[0];
  const right = sorted[sorted.length - 1];
  if (left === undefined || right === undefined || left === right) return '';
  return `<b>Left end</b>: ${escapeHtml(left.style)}, ${formatBytes(left.memory)} per connection in ${formatNumber(left.tokens)} tokens. ` +
    `<b>Right end</b>: ${escapeHtml(right.style)}, ${formatBytes(right.memory)} per connection (${formatFactor(right.memory / left.memory)} the left end) in ${formatNumber(right.tokens)} tokens.`;
}

async function throughput(context: ReportView, figure: Figure): Promise<string> {
  const why =
    'Cost: an open-loop load offers every server the same fixed rate, below the slowest one\'s capacity, so neither side saturates; the figure is the server\'s own CPU time per request over an exact window, after a warm-up to a steady state. Capacity: a closed loop (each connection waits for its echo before sending again) on the same connections, with who saturated. The baseline is a raw <code>socket.on(\'data\')</code> server: a reference, not a floor (docs/measurements.md says where read-loop servers match it).';
  const parts = [
    await ceiling(context, figure),
    await figure('chart-echo-cpu', echoBarsSpec(context, 'echo.cpu_us_per_req', 'server CPU µs per request'), `Server CPU time per request at the fixed offered rate, lower is better; bars are medians, whiskers 95% intervals of the geometric mean. ${saturation(context)}`),
    await figure(
      'chart-echo-instructions',
      echoBarsSpec(context, 'echo.instructions_per_req', 'instructions per request'),
      'Server instructions per request counted by callgrind (one connection, closed loop, 1 KiB), lower is better: user-space work of every thread of the server process, not the kernel\'s; process-to-process spread about 1%, where CPU time spreads several percent. The regression gate reads this figure.',
    ),
    await figure('chart-echo-rps', echoBarsSpec(context, 'echo.rps', 'requests/s'), `Capacity: requests per second of the closed loop, higher is better. ${capacityLimits(context)}`),
    await figure('chart-echo-mibps', echoBarsSpec(context, 'echo.mibps', 'MiB/s'), 'Capacity in echoed MiB per second, higher is better.'),
  ].filter((part) => part !== '');
  return section('throughput', 'Echo cost and capacity', why, parts.length > 0 ? parts.join('\n') : absent('No echo cost or capacity metrics in this results file.'));
}

/** The section's opening: one sentence, and the chart of every row as a fraction of c-epoll's capacity when the run has it. */
async function ceiling(context: ReportView, figure: Figure): Promise<string> {
  const { cells, sentence, method } = context.ceiling;
  if (sentence === undefined) return '';
  const caption = `Capacity (closed loop) of every row as a fraction of c-epoll’s in the same cell, higher is better; c-epoll is 100%. ${escapeHtml(method)} Reference rows are outlined and never ranked.`;
  return [`<p class="ceiling" id="echo-ceiling">${escapeHtml(sentence)}</p>`, await figure('chart-echo-ceiling', ceilingSpec(context, cells), caption)].join('\n');
}

/** The saturated cells, in the file's order. */
function saturation(view: ReportView): string {
  const saturated = view.results.metrics.filter((m) => m.name === 'echo.cpu_us_per_req' && m.kind === 'absolute' && m.extra?.saturated === true);
  if (saturated.length === 0) return 'Every server got the offered rate (at least 99% of it) in every window.';
  const where = saturated.map((m) => `${escapeHtml(m.style)} (${escapeHtml(formatParams(m.params))})`).join(', ');
  return `<b>Saturated, not ranked</b> (a window got less than 99% of the offered rate): ${where}.`;
}

/** The capacity windows the load client limited, in the file's order. */
function capacityLimits(view: ReportView): string {
  const limited = view.results.metrics.filter((m) => m.name === 'echo.rps' && m.kind === 'absolute' && typeof m.extra?.saturatedBy === 'string');
  const client = limited.filter((m) => String(m.extra?.saturatedBy).includes('client') || String(m.extra?.saturatedBy).includes('both'));
  if (limited.length === 0) return '';
  if (client.length === 0) return 'The load client was never the bottleneck of a capacity window.';
  const where = client.map((m) => `${escapeHtml(m.style)} (${escapeHtml(formatParams(m.params))})`).join(', ');
  return `<b>The load client used a whole core</b> in some capacity windows, where req/s is the client's limit as much as the server's: ${where}. The cost chart above compares the servers without that limit.`;
}

async function latency(context: ReportView, figure: Figure): Promise<string> {
  const body = await figure(
    'chart-latency',
    latencySpec(context),
    'Round-trip latency of one message: circle p50, diamond p99, triangle p99.9 (log scale), lower is better.',
  );
  return section(
    'latency',
    'Echo latency at the fixed rate',
    'Open loop: each message is due on a schedule and its latency counts from the due time, not from the send (corrected for coordinated omission, as wrk2 does), so a stall shows up in every message it delays. echo.p99_sent_us keeps the uncorrected p99 beside it.',
    body || absent('No echo latency metrics in this results file.'),
  );
}

async function memory(context: ReportView, figure: Figure): Promise<string> {
  const body = await figure(
    'chart-memory',
    memorySpec(context),
    'Each bar is the slope of a straight line fitted to memory against N (open connections, or suspended workflows), so per-process constants cancel out; R² says how straight the line was. Lower is better.',
  );
  return section(
    'memory',
    'Memory per connection and per in-flight workflow',
    'What a style keeps alive for each client while it waits: server heap (heapUsed + external + arrayBuffers, after GC) and RSS, with up to thousands of idle or echoed connections, and N workflows suspended on a slow backend.',
    (body || absent('No memory metrics in this results file.')) + (await memoryExplained(context, figure)),
  );
}

/** What each style keeps alive per unit (results.json memoryAttribution): stacked bars, then a table per style. */
async function memoryExplained(view: ReportView, figure: Figure): Promise<string> {
  const bars = [
    await figure('chart-memory-explain-echo', attributionSpec(view, 'echo'), `Per idle echo connection. ${EXPLAIN_CAPTION}`),
    await figure('chart-memory-explain-workflow', attributionSpec(view, 'repos-and-forks'), 'Per in-flight workflow, the same way.'),
  ].filter((part) => part !== '');
  if (bars.length === 0) return '';
  return [`<h3 id="memory-explain">What one connection keeps alive</h3>`, ...bars, attributionTablesHtml(view)].join('\n');
}

async function workflow(context: ReportView, figure: Figure): Promise<string> {
  const parts = [
    await figure('chart-workflow-throughput', workflowThroughputSpec(context), 'Complete workflows per second against a zero-latency fake GitHub, higher is better.'),
    await figure(
      'chart-workflow-wall',
      workflowWallSpec(context),
      'Wall time of one workflow with a set backend latency, against the ideal (dashed): pages in sequence, forks <code>concurrency</code> at a time. A ratio near 1.00× means the style exploits all the concurrency it is allowed.',
    ),
  ].filter((part) => part !== '');
  return section('workflow', 'repos-and-forks workflow', 'The GitHub workflow against the fake server on loopback: list pages in sequence, fetch forks with bounded concurrency, clean up.', parts.length > 0 ? parts.join('\n') : absent('No workflow metrics in this results file.'));
}

async function micro(context: ReportView, figure: Figure): Promise<string> {
  const body = await figure('chart-micro', microSpec(context), 'tinybench, in-process: nanoseconds per operation, lower is better.');
  return section('micro', 'Micro-benchmarks', 'The cost of the styles’ async primitives themselves: one hop, ten in sequence, twenty-five in parallel.', body || absent('No micro-benchmark metrics in this results file.'));
}

// ------------------------------------------------------------------------------------------------
// #tracebacks, #difficulty, #failures

function resultsSection(view: ReportView): string {
  const { why, body } = resultsTable(view);
  return section('results-table', 'All results', why, body ?? absent('No metrics in this results file.'));
}

async function tracebacks(view: ReportView, figure: Figure): Promise<string> {
  const { results, colours } = view;
  const tb = results.tracebacks;
  const why =
    'Each fault case is injected by the fake GitHub server into every style. A good failure is rejected (not a crash, an unhandled rejection, a swallowed error or a hang), with the right error class, the url in its message, a frame near the fault in the style’s own file, the steps on the path visible, little noise, cleanup run once and nothing left in flight.';
  if (tb === undefined || tb.rows.length === 0) return section('tracebacks', 'Traceback quality', why, absent('No traceback cases in this results file.'));
  const rubric = Object.entries(tb.rubric ?? {})
    .map(([criterion, points]) => `<span>${escapeHtml(criterion)} <b>${formatNumber(points)}</b></span>`)
    .join('');
  return section(
    'tracebacks',
    'Traceback quality',
    why,
    [
      rubricHtml(tb.rubricText ?? ''),
      // The weights alone, when the harness gave no text that explains them.
      rubric === '' || (tb.rubricText ?? '').trim() !== '' ? '' : `<div class="rubric">${rubric}</div>`,
      tracebackMatrix(tb, view.tracebackStyles),
      await aidsHtml(results, figure),
      '<h3>The gallery</h3>',
      '<p class="note">Every trace as the style printed it, source-mapped to TypeScript lines. <mark>Marked</mark> lines are frames in the style’s own repos-and-forks.ts; grey lines are Node internals.</p>',
      gallery(tb, results.sources ?? [], colours, view.tracebackStyles),
    ].join('\n'),
  );
}

/** The harness writes the rubric as a first line and `- criterion (points): ...` lines: a list. */
function rubricHtml(text: string): string {
  if (text.trim() === '') return '';
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const items = lines.filter((line) => line.startsWith('- '));
  const prose = lines.filter((line) => !line.startsWith('- '));
  const item = (line: string): string => {
    const match = /^- ([^:]+):\s*(.*)$/.exec(line);
    return match === null ? `<li>${escapeHtml(line.slice(2))}</li>` : `<li><b>${escapeHtml(match[1] ?? '')}</b>: ${escapeHtml(match[2] ?? '')}</li>`;
  };
  return [
    prose.length > 0 ? `<p class="note">${escapeHtml(prose.join(' '))}</p>` : '',
    items.length > 0 ? `<ul class="rubric-text">${items.map(item).join('')}</ul>` : '',
  ].join('');
}

function difficulty(view: ReportView): string {
  const rows = view.results.difficulty;
  const why =
    'Measured with TypeScript’s own parser: tokens without whitespace and comments, and their ratio to the smallest file of the scenario; code lines (not blank, not comment); the deepest nesting of functions and blocks; cyclomatic complexity (1 + if, ?:, &&, ||, ??, case, catch, loops).';
  if (rows === undefined || rows.length === 0) return section('difficulty', 'Coding difficulty', why, absent('No difficulty rows in this results file.'));
  const tables = DIFFICULTY_SCENARIOS.map((scenario) => {
    const ordered = view.difficulty.get(scenario) ?? [];
    if (ordered.length === 0) return `<h3>${scenario}</h3>${absent(`No ${scenario} files measured.`)}`;
    const columns: [string, (row: DifficultyRow) => number][] = [
      ['tokens', (row) => row.tokens],
      ['lines', (row) => row.lines],
      ['max nesting', (row) => row.maxNesting],
      ['cyclomatic', (row) => row.cyclomatic],
    ];
    const heat = (value: number, all: number[]): string => {
      const least = Math.min(...all);
      const most = Math.max(...all);
      if (least <= 0 || most <= least) return heatColour(0);
      return heatColour(Math.log(value / least) / Math.log(most / least));
    };
    const body = ordered
      .map((row) => {
        const cells = columns.map(([, get]) => `<td style="background:${heat(get(row), ordered.map(get))}">${formatNumber(get(row))}${get === columns[0]?.[1] ? ` <span class="dim">${formatFactor(row.tokenRatio)}</span>` : ''}</td>`);
        return `<tr><th scope="row">${escapeHtml(row.style)}</th>${cells.join('')}<td class="dim" style="text-align:left"><code>${escapeHtml(row.file)}</code></td></tr>`;
      })
      .join('\n');
    return `<h3>${scenario}</h3><div class="table-scroll"><table><thead><tr><th>style</th>${columns.map(([name]) => `<th>${name}</th>`).join('')}<th>file</th></tr></thead><tbody>${body}</tbody></table></div>`;
  }).join('\n');
  return section('difficulty', 'Coding difficulty', why, tables);
}

function failures(results: Results): string {
  const why = 'Measurements that did not produce a number. A fast wrong answer does not count: a run whose output failed verification lands here too.';
  if (results.failures.length === 0) return section('failures', 'Failures', why, absent('No failures: every measurement completed and verified.'));
  const items = results.failures
    .map(
      (failure) =>
        `<div class="failure"><strong>${escapeHtml(failure.what)}</strong> <span class="outcome outcome-crashed">${escapeHtml(failure.reason)}</span><p>${escapeHtml(failure.message)}</p>${failure.stderrTail ? `<pre>${escapeHtml(failure.stderrTail)}</pre>` : ''}</div>`,
    )
    .join('\n');
  return section('failures', `Failures (${results.failures.length})`, why, items);
}
