// A percentile bootstrap with its own seeded generator: the same data and seed give the same interval
// on every machine, so a test can pin its answer.
import { mulberry32 } from '../../scenarios/repos-and-forks/world.js';
import { at, requireSamples, StatsError } from './samples.js';

/** The seed every bootstrap in the kit uses unless told otherwise: the same data give the same interval. */
export const BOOTSTRAP_SEED = 0x5eed;
export const BOOTSTRAP_RESAMPLES = 4000;

/** mulberry32 (the world's own generator): small, well-mixed, plenty for resampling indices. */
export function seededRandom(seed: number): () => number {
  return mulberry32(seed);
}

/**
 * Percentile bootstrap: each group is resampled with replacement (independently), `statistic` is
 * computed on every resample, and the interval is the (1 - confidence)/2 and (1 + confidence)/2
 * quantiles of those values (R's `quantile(..., type = 7)`).
 */
export function bootstrapInterval(
  groups: readonly (readonly number[])[],
  statistic: (resampled: readonly (readonly number[])[]) => number,
  confidence: number,
  options: { readonly seed: number; readonly resamples?: number },
): [number, number] {
  if (!(confidence > 0 && confidence < 1)) throw new StatsError(`bootstrapInterval: confidence must be between 0 and 1 (got ${confidence})`);
  for (const group of groups) requireSamples('bootstrapInterval', group, 1);
  const random = seededRandom(options.seed);
  const count = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const values = new Float64Array(count);
  const buffers = groups.map((group) => new Array<number>(group.length));
  for (let r = 0; r < count; r++) {
    groups.forEach((group, g) => {
      const buffer = buffers[g] as number[];
      for (let i = 0; i < group.length; i++) buffer[i] = at(group, Math.floor(random() * group.length));
    });
    values[r] = statistic(buffers);
  }
  values.sort();
  return [quantile7(values, (1 - confidence) / 2), quantile7(values, (1 + confidence) / 2)];
}

/** R's default quantile (type 7) of sorted values. */
function quantile7(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}
