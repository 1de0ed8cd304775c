// results.json as github-action-benchmark's custom JSON: an array of { name, unit, value, range?,
// extra? } read by its `customBiggerIsBetter` or `customSmallerIsBetter` tool. One file holds one
// direction, because the tool, not the entry, says which way is better.
import { type Direction, type Metric, type Results } from '../harness/schema.js';
import { displayName, formatValue } from './compare-format.js';
import { mean } from '../harness/stats/summary.js';

/** One entry of github-action-benchmark's custom format (its `BenchmarkResult`). */
export interface BenchmarkEntry {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  /** Free text shown after the value; here the half-width of the 95% CI of the mean. */
  readonly range?: string;
  /** Free text shown in the chart's tooltip, one fact a line. */
  readonly extra?: string;
}

export type BenchmarkTool = 'customBiggerIsBetter' | 'customSmallerIsBetter';

export interface ExportOptions {
  /** Which metrics go into this file; the matching tool is `toolFor(direction)`. */
  readonly direction: Direction;
  readonly kinds?: readonly Metric['kind'][];
}

export interface Exported {
  readonly tool: BenchmarkTool;
  readonly entries: readonly BenchmarkEntry[];
  /** Ids left out because they have no sample to report. */
  readonly skipped: readonly string[];
}

export function toolFor(direction: Direction): BenchmarkTool {
  return direction === 'higher' ? 'customBiggerIsBetter' : 'customSmallerIsBetter';
}

/**
 * The value is the median (the figure every report of the kit shows, robust to one slow sample);
 * github-action-benchmark compares it to the previous commit's with its alert threshold.
 */
export function toGithubActionBenchmark(results: Results, options: ExportOptions): Exported {
  const kinds = options.kinds ?? ['absolute', 'ratio'];
  const entries: BenchmarkEntry[] = [];
  const skipped: string[] = [];
  for (const metric of results.metrics) {
    if (metric.direction !== options.direction || !kinds.includes(metric.kind)) continue;
    if (metric.samples.length === 0 || !Number.isFinite(metric.median)) {
      skipped.push(metric.id);
      continue;
    }
    entries.push(entryFor(metric));
  }
  return { tool: toolFor(options.direction), entries, skipped };
}

function entryFor(metric: Metric): BenchmarkEntry {
  const [low, high] = metric.ci95;
  const halfWidth = (high - low) / 2;
  const lines = [
    `median of ${metric.samples.length} sample${metric.samples.length === 1 ? '' : 's'}`,
    `mean ${formatValue(mean(metric.samples))} ${metric.unit}`,
  ];
  if (halfWidth > 0) lines.push(`range: 95% CI of the mean [${formatValue(low)}, ${formatValue(high)}]`);
  lines.push(metric.kind === 'ratio' ? 'kind: ratio to the in-run reference' : 'kind: absolute');
  for (const [key, value] of Object.entries(metric.extra ?? {})) lines.push(`${key}: ${String(value)}`);
  return {
    name: displayName(metric.id),
    unit: metric.unit,
    value: metric.median,
    // A single sample has no spread to report; an empty range would read as "exact".
    ...(halfWidth > 0 ? { range: `± ${formatValue(halfWidth)}` } : {}),
    extra: lines.join('\n'),
  };
}

export function formatGithubActionBenchmark(exported: Exported): string {
  return JSON.stringify(exported.entries, null, 2) + '\n';
}
