// What every statistic here checks first: enough finite samples, or a StatsError that says which
// function refused and why.

/** Raised when the input cannot give an answer (no samples, lengths that differ, a vertical line). */
export class StatsError extends RangeError {
  override readonly name = 'StatsError';
}

/** Throws unless `xs` holds at least `min` finite numbers. */
export function requireSamples(fn: string, xs: readonly number[], min: number): void {
  if (xs.length < min) throw new StatsError(`${fn}: needs at least ${min} sample${min === 1 ? '' : 's'} (got ${xs.length})`);
  for (const x of xs) {
    if (!Number.isFinite(x)) throw new StatsError(`${fn}: samples must be finite numbers (got ${x})`);
  }
}

/** Index that the caller has bounds-checked; noUncheckedIndexedAccess cannot see that. */
export function at(xs: readonly number[], i: number): number {
  return xs[i] as number;
}
