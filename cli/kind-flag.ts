// The --kind flag of `rosetta compare` and `rosetta export`: which metric kinds to keep.
import type { MetricKind } from '../reports/comparison.js';

/** The --kind flag as the list of kinds it keeps. */
export function kindsFor(kind: string): MetricKind[] {
  return kind === 'all' ? ['absolute', 'ratio'] : [kind as MetricKind];
}
