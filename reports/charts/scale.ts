// When a bar chart's axis is logarithmic: when its values span more than LOG_SPREAD times, as RSS per
// connection does (a thread's megabytes beside a callback's kilobytes), a linear axis flattens
// every smaller bar to a sliver; a log axis gives each order of magnitude the same room.

/** Largest over smallest value beyond which a panel's axis is logarithmic. */
export const LOG_SPREAD = 20;

/** A panel's x axis: linear from zero, or logarithmic from a floor below its smallest bar. */
export type BarScale =
  | { readonly type: 'linear' }
  | {
      readonly type: 'log';
      /** Where every bar starts: a third of the smallest value, so the shortest bar still has a length. */
      readonly floor: number;
    };

/**
 * Log when every value is positive (a log axis has no place for zero or less) and the largest is
 * more than LOG_SPREAD times the smallest.
 */
export function barScale(values: readonly number[]): BarScale {
  if (values.length < 2 || values.some((value) => !(value > 0) || !Number.isFinite(value))) return { type: 'linear' };
  const smallest = Math.min(...values);
  const largest = Math.max(...values);
  return largest / smallest > LOG_SPREAD ? { type: 'log', floor: smallest / 3 } : { type: 'linear' };
}
