// The exit code a comparison gives `rosetta compare` and `rosetta gate`, and why, on stderr.
import type { Results } from '../harness/schema.js';
import type { Comparison } from '../reports/comparison.js';
import { displayName } from '../reports/compare-format.js';

/**
 * The exit code of a comparison: 1 on a regression, and (unless allowed) when head lost metrics
 * that base has or recorded failures: a style that crashed fails the gate, it is not a warning.
 * Says why on stderr, one line each.
 */
export function exitFor(comparison: Comparison, head: Results, allowMissing: boolean, who: string): number {
  const lost = allowMissing ? [] : comparison.onlyInBase;
  const failed = allowMissing ? [] : head.failures;
  if (lost.length > 0) {
    process.stderr.write(`${who}: head lacks ${lost.length} metric${lost.length === 1 ? '' : 's'} that base has (first: ${displayName(lost[0] as string)}); --allow-missing to accept\n`);
  }
  if (failed.length > 0) {
    process.stderr.write(`${who}: head recorded ${failed.length} failure${failed.length === 1 ? '' : 's'} (first: ${failed[0]?.what}: ${failed[0]?.reason}); --allow-missing to accept\n`);
  }
  return comparison.counts.regression > 0 || lost.length > 0 || failed.length > 0 ? 1 : 0;
}
