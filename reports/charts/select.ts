// Selecting what a chart shows: the metrics of one name and the order of their parameters.
import type { Metric, Results } from '../../harness/schema.js';
import { compareParams, paramLabel } from '../format.js';

/** The absolute metrics of one name, in parameter order. */
export function metricsNamed(results: Results, name: string): Metric[] {
  return results.metrics
    .filter((metric) => metric.name === name && metric.kind === 'absolute')
    .sort((a, b) => compareParams(a.params, b.params));
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
