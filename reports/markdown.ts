// report.md: the same story as index.html in GitHub-flavoured Markdown tables, short enough for a
// PR comment: where it ran, echo throughput and latency with factors, memory, workflow, micro,
// the traceback matrix with totals, difficulty, and what failed.
import type { DifficultyRow, Results } from '../harness/schema.js';
import { formatShare } from './ceiling.js';
import { CEILING, childEnvText, formatDuration, formatFactor, formatNumber, formatParams, formatR2, formatValue, loadClientText, precisionNote } from './format.js';
import { headlineParts } from './headlines.js';
import { attributionMarkdown } from './memory-explain.js';
import { casesOf, maxScore } from './gallery.js';
import { runtimeMarkdown } from './runtimes.js';
import { type FactorRow, rowLabel } from './table.js';
import { type ReportView, reportView } from './view.js';

export function renderMarkdown(results: Results): string {
  return markdownReport(reportView(results));
}

/** report.md from the report's view: each section renders its part of it. */
export function markdownReport(view: ReportView): string {
  const { results, references } = view;
  const env = results.environment;
  const out: string[] = [];
  out.push('# async-rosetta report', '');
  out.push(
    `The same two programs in ${view.styleWords} on real sockets. Medians with factors against the best style of each row, and n, the independent samples behind each (a fresh process for memory and instruction counts, a round of turns for a timed figure) (**bold** = best; _italic_ = a reference row (${[...references].join(', ')}), never ranked).`,
    '',
  );
  const leads = view.headlines;
  if (leads.length > 0) out.push(...leads.map((h) => `- **${h.key}: ${h.lead}.** ${headlineParts(h).join(' ')}`), '');
  out.push('| | |', '|---|---|');
  out.push(`| Node / V8 | ${cell(env.node)} / ${cell(env.v8)} |`);
  out.push(`| CPU | ${cell(env.cpuModel)}, ${env.cores} cores, ${env.pinned ? 'pinned' : 'not pinned'} |`);
  out.push(`| OS | ${cell(`${env.platform} ${env.osRelease ?? ''} ${env.arch ?? ''}`.trim())} |`);
  out.push(`| Commit | ${env.commit === null ? 'not a git checkout' : `\`${env.commit.slice(0, 12)}\`${env.dirty ? ' (dirty)' : ''}`} |`);
  out.push(`| When | ${cell(results.createdAt)}, took ${formatDuration(results.durationMs)} |`);
  out.push(`| Node flags | ${env.nodeFlags.length === 0 ? 'none' : `\`${env.nodeFlags.join(' ')}\``} |`);
  out.push(`| Child environment | ${env.childEnv === undefined ? 'not recorded' : `\`${childEnvText(env.childEnv)}\``} |`);
  const client = loadClientText(results);
  if (client !== undefined) out.push(`| Echo load client | ${client} |`);
  out.push('');
  if (view.config.length > 0) {
    // Folded: a PR comment should open on the numbers, not on the run's settings.
    out.push('<details><summary>Configuration</summary>', '', '| key | value |', '|---|---|');
    for (const [key, text] of view.config) out.push(`| ${cell(key)} | ${cell(text)} |`);
    out.push('', '</details>', '');
  }

  out.push(...runtimeMarkdown(results));

  const rows = view.table.groups.flatMap((group) => group.rows);
  const metricSection = (title: string, names: readonly string[], note = ''): void => {
    const shown = rows.filter((row) => row.kind === 'absolute' && names.includes(row.name));
    out.push(`## ${title}`, '');
    if (shown.length === 0) {
      out.push('_No data in this results file._', '');
      return;
    }
    if (note !== '') out.push(note, '');
    out.push(...factorMarkdown(shown, view), '');
  };
  const ceiling = ceilingMarkdown(view);
  if (ceiling.length > 0) out.push('## Echo capacity against the machine’s ceiling', '', ...ceiling);
  metricSection(
    'Echo cost: server CPU per request at a fixed offered rate (µs, lower is better)',
    ['echo.cpu_us_per_req'],
    'Open loop at the same rate for every server, below the slowest one’s capacity; exact windows after a warm-up to a steady state. _saturated_: the window got less than 99% of the rate, not ranked.',
  );
  metricSection(
    'Echo cost in instructions per request, counted by callgrind (lower is better)',
    ['echo.instructions_per_req'],
    'One connection in a closed loop, 1 KiB messages; the server runs under valgrind, warmed, then counted until two windows agree. User-space instructions of every thread of the server process (the kernel\'s share of a request is not counted): a figure the machine\'s noise does not move, the one the regression gate reads.',
  );
  metricSection(
    'Echo latency p99 at that rate, from the due time (µs, lower is better)',
    ['echo.p99_us'],
    'Coordinated omission corrected (as wrk2): latency counts from when each message was due.',
  );
  metricSection(
    'Echo capacity (closed loop, req/s, higher is better)',
    ['echo.rps'],
    'Each connection waits for its echo before sending again; in brackets after the value, who used a whole core (server, client, both).',
  );
  metricSection(
    'Memory (bytes, lower is better)',
    ['memory.echo_idle.bytes_per_conn', 'memory.echo_idle.rss_per_conn', 'memory.echo_active.bytes_per_conn', 'memory.workflow.bytes_per_inflight', 'memory.workflow.rss_per_inflight'],
    'Slopes of a linear fit of memory against open connections (or in-flight workflows); R² in brackets.',
  );
  const explained = attributionMarkdown(view);
  if (explained.length > 0) {
    out.push('## Memory explained: what one unit keeps alive (V8 heap snapshots at 0 and N, diffed)', '', ...explained);
  }
  metricSection('repos-and-forks workflow', ['workflow.throughput', 'workflow.cpu_ms_per_workflow', 'workflow.wall_ms', 'workflow.bound_ratio']);
  metricSection('Micro-benchmarks (ns/op, lower is better)', ['micro.hop_ns', 'micro.seq10_ns', 'micro.par25_ns']);

  out.push('## Traceback quality', '');
  const tb = results.tracebacks;
  if (tb === undefined || tb.rows.length === 0) out.push('_No data in this results file._', '');
  else {
    const styles = view.tracebackStyles;
    out.push(`Score per fault case (each out of ${formatNumber(maxScore(tb))}); in brackets, an outcome other than a rejection or the wrong error class. The last row is each style's mean.`, '');
    out.push(`| case | ${styles.join(' | ')} |`, `|---|${styles.map(() => '---:').join('|')}|`);
    for (const info of casesOf(tb)) {
      const cells = styles.map((style) => {
        const row = tb.rows.find((r) => r.style === style && r.case === info.id);
        if (row === undefined) return '–';
        const note = row.outcome !== 'rejected' ? ` (${row.outcome})` : row.classMatches ? '' : ` (${row.errorName ?? 'no error'})`;
        return `${formatNumber(row.score)}${note}`;
      });
      out.push(`| ${cell(info.id)} | ${cells.join(' | ')} |`);
    }
    const totals = new Map((tb.totals ?? []).map((total) => [total.style, total.score]));
    const best = Math.max(...totals.values());
    out.push(`| **mean** | ${styles.map((style) => {
      const total = totals.get(style);
      if (total === undefined) return '–';
      return total === best ? `**${formatNumber(total)}**` : formatNumber(total);
    }).join(' | ')} |`, '');
  }

  out.push('## Coding difficulty', '');
  out.push(...difficultyMarkdown(results.difficulty ?? [], view.difficultyStyles), '');

  out.push('## Failures', '');
  if (results.failures.length === 0) out.push('None: every measurement completed and verified.', '');
  else {
    for (const failure of results.failures) out.push(`- **${cell(failure.what)}** (${failure.reason}): ${cell(failure.message)}`);
    out.push('');
  }
  out.push('<sub>Rendered by `rosetta report` from results.json; the HTML report has the charts, the side-by-side code and the traceback gallery.</sub>', '');
  return out.join('\n');
}

/** The Markdown form: the sentence, then a small table with the rows down and the cells across. */
export function ceilingMarkdown(view: Pick<ReportView, 'ceiling' | 'styles' | 'references'>): string[] {
  const { cells, sentence, method } = view.ceiling;
  if (sentence === undefined) return [];
  if (cells.length === 0) return [sentence, ''];
  const present = new Set(cells.flatMap((cell) => cell.rows.map((row) => row.style)));
  const styles = view.styles.filter((style) => present.has(style));
  const lines = [sentence, '', `| share of ${CEILING} | ${cells.map((cell) => formatParams(cell.params).replace(/\|/g, '\\|')).join(' | ')} |`, `|---|${cells.map(() => '---:').join('|')}|`];
  for (const style of styles) {
    const shares = cells.map((cell) => {
      const row = cell.rows.find((r) => r.style === style);
      return row === undefined ? '–' : formatShare(row.fraction);
    });
    lines.push(`| ${style}${view.references.has(style) ? ' _(reference)_' : ''} | ${shares.join(' | ')} |`);
  }
  lines.push('', method, '');
  return lines;
}

/** One table of factor rows: measurements down, the styles that have a cell in them across. */
export function factorMarkdown(rows: readonly FactorRow[], view: Pick<ReportView, 'styles' | 'references'>): string[] {
  const styles = view.styles.filter((style) => rows.some((row) => row.cells.has(style)));
  const marked = (style: string): string => (view.references.has(style) ? `${cell(style)} (reference)` : cell(style));
  const lines = [`| measurement | ${styles.map(marked).join(' | ')} |`, `|---|${styles.map(() => '---:').join('|')}|`];
  for (const row of rows) lines.push(`| ${cell(rowLabel(row))} | ${styles.map((style) => factorCell(row, style)).join(' | ')} |`);
  return lines;
}

function factorCell(row: FactorRow, style: string): string {
  const found = row.cells.get(style);
  if (found === undefined) return '–';
  const value = formatValue(found.metric.median, row.unit);
  const r2 = found.metric.extra?.r2;
  const fit = typeof r2 === 'number' ? ` [R² ${formatR2(r2)}]` : '';
  const factor = found.factor === undefined ? '' : ` (${formatFactor(found.factor)})`;
  const by = found.metric.extra?.saturatedBy;
  const limit = typeof by === 'string' && by !== 'neither' ? ` [${by}]` : '';
  const saturated = found.metric.extra?.saturated === true ? ' _saturated_' : found.metric.extra?.shortTurn === true ? ' _turn under one workflow_' : '';
  const precision = precisionNote(found.metric.extra, found.metric.ci95);
  const text = `${value}${factor}${fit}${limit}${saturated}${precision === undefined ? '' : ` ${precision}`} n=${found.metric.samples.length}`;
  if (found.reference) return `_${cell(text)}_`;
  return found.best ? `**${cell(text)}**` : cell(text);
}

function difficultyMarkdown(rows: readonly DifficultyRow[], styles: readonly string[]): string[] {
  if (rows.length === 0) return ['_No data in this results file._'];
  const lines = [
    '| style | repos-and-forks tokens | echo tokens | lines | max nesting | cyclomatic |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  const pair = (get: (row: DifficultyRow) => number, rf: DifficultyRow | undefined, echo: DifficultyRow | undefined): string =>
    [rf, echo].map((row) => (row === undefined ? '–' : formatNumber(get(row)))).join(' / ');
  for (const style of styles) {
    const rf = rows.find((row) => row.style === style && row.scenario === 'repos-and-forks');
    const echo = rows.find((row) => row.style === style && row.scenario === 'echo');
    const tokens = (row: DifficultyRow | undefined): string => (row === undefined ? '–' : `${formatNumber(row.tokens)} (${formatFactor(row.tokenRatio)})`);
    lines.push(
      `| ${cell(style)} | ${tokens(rf)} | ${tokens(echo)} | ${pair((r) => r.lines, rf, echo)} | ${pair((r) => r.maxNesting, rf, echo)} | ${pair((r) => r.cyclomatic, rf, echo)} |`,
    );
  }
  lines.push('', 'Lines, nesting and cyclomatic are given as repos-and-forks / echo.');
  return lines;
}

/** Text safe inside a table cell: pipes escaped, newlines flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
