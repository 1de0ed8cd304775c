// Selecting what a chart shows: the metrics of one name and the order of their parameters.
import type { Metric, Results } from '../../harness/schema.js';
import { compareParams, paramLabel } from '../format.js';

/** The absolute metrics of one name, in parameter order; empty when the file has none. */
export type MetricsNamed = (name: string) => readonly Metric[];

/** Indexes a file's absolute metrics by name once, each list in parameter order. */
export function metricIndex(results: Pick<Results, 'metrics'>): MetricsNamed {
  const byName = new Map<string, Metric[]>();
  for (const metric of results.metrics) {
    if (metric.kind !== 'absolute') continue;
    const list = byName.get(metric.name);
    if (list === undefined) byName.set(metric.name, [metric]);
    else list.push(metric);
  }
  for (const list of byName.values()) list.sort((a, b) => compareParams(a.params, b.params));
  return (name) => byName.get(name) ?? [];
}

/** Distinct values of one parameter across metrics, ascending, as their labels. */
export function paramOrder(metrics: readonly Metric[], key: string): string[] {
  const values = [...new Set(metrics.map((metric) => metric.params[key]).filter((value) => value !== undefined))];
  values.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
  return values.map((value) => paramLabel(key, value));
}

/** A metric's value of one parameter, as its label ('' when it has none). */
export function label(metric: Metric, key: string): string {
  const value = metric.params[key];
  return value === undefined ? '' : paramLabel(key, value);
}
