// The summary table `rosetta run` prints on stdout when it is done: one row a style, the headline
// figures only. The harness prints it between runs of a runtime matrix, so it lives in the harness
// (which may not import reports/); the report proper is reports/'s.
import type { Metric, Results } from './schema.js';
import { STYLES } from '../styles/registry.js';

const KIB = 1024;
/** The summary table, and one line per failed measurement pointing at the file that records it. */
export function printSummary(results: Results, file: string, stdout: NodeJS.WritableStream): void {
  stdout.write(summaryTable(results) + '\n');
  if (results.failures.length > 0) {
    stdout.write(`\n${results.failures.length} measurement(s) failed; see failures in ${file}\n`);
    for (const failure of results.failures) stdout.write(`  ${failure.what}: ${failure.reason}: ${failure.message.split('\n')[0] ?? ''}\n`);
  }
}

function find(metrics: readonly Metric[], name: string, style: string, params?: Readonly<Record<string, number>>): Metric | undefined {
  return metrics.find(
    (metric) =>
      metric.name === name &&
      metric.style === style &&
      (params === undefined || Object.entries(params).every(([key, value]) => metric.params[key] === value)),
  );
}

/** Per style: echo req/s (1 KiB, 10 conns) against the baseline, server CPU µs/req, bytes per idle connection, workflows/s, traceback score. */
export function summaryTable(results: Results): string {
  const { metrics } = results;
  const styles = [...new Set(['baseline', ...STYLES.map((style) => style.id as string)])].filter((style) =>
    metrics.some((metric) => metric.style === style) || results.tracebacks?.totals.some((total) => total.style === style) === true,
  );
  const cell = { size: KIB, connections: 10 };
  const fmt = (value: number | undefined, digits: number): string => (value === undefined ? '-' : value.toFixed(digits));
  const header = ['style', 'echo req/s 1KiB/10c', 'x baseline', 'server CPU us/req', 'bytes/idle conn (R2)', 'workflows/s', 'x callbacks', 'bytes/inflight wf', 'traceback score'];
  const rows = styles.map((style) => {
    const rps = find(metrics, 'echo.rps', style, cell);
    const ratio = find(metrics, 'echo.rps.ratio', style, cell);
    const cpu = find(metrics, 'echo.cpu_us_per_req', style, cell);
    const memory = find(metrics, 'memory.echo_idle.bytes_per_conn', style);
    const flow = find(metrics, 'workflow.throughput', style);
    const flowRatio = find(metrics, 'workflow.throughput.ratio', style);
    const inflight = find(metrics, 'memory.workflow.bytes_per_inflight', style);
    const score = results.tracebacks?.totals.find((total) => total.style === style)?.score;
    const r2 = memory?.extra?.r2;
    return [
      style,
      fmt(rps?.median, 0),
      style === 'baseline' && rps !== undefined ? '1.00' : fmt(ratio?.median, 2),
      fmt(cpu?.median, 1),
      // A merge of several runs keeps no single fit's R².
      memory === undefined ? '-' : `${memory.median.toFixed(0)}${typeof r2 === 'number' ? ` (${r2.toFixed(3)})` : ''}`,
      fmt(flow?.median, 1),
      style === 'callbacks' && flow !== undefined ? '1.00' : fmt(flowRatio?.median, 2),
      fmt(inflight?.median, 0),
      fmt(score, 1),
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((text, i) => (i === 0 ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
