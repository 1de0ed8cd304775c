// Least-squares fits: memory per connection or per held workflow is the slope of a sweep.
import { mean } from './summary.js';
import { at, requireSamples, StatsError } from './samples.js';

export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** Coefficient of determination; 1 when every y is explained (including a flat line through flat data). */
  readonly r2: number;
  /** Standard error of the slope, sqrt(SSres / (n - 2) / Sxx); 0 with two points (a line through both). */
  readonly slopeSe: number;
}

/** Ordinary least squares y = slope · x + intercept. */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit {
  if (xs.length !== ys.length) {
    throw new StatsError(`linearFit: xs has ${xs.length} values but ys has ${ys.length}; expected the same length`);
  }
  requireSamples('linearFit', xs, 2);
  const mx = mean(xs);
  const my = mean(ys);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = at(xs, i) - mx;
    const dy = at(ys, i) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new StatsError(`linearFit: every x is ${mx}; a slope needs at least two distinct x values`);
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let ssRes = 0;
  for (let i = 0; i < xs.length; i++) {
    const residual = at(ys, i) - (slope * at(xs, i) + intercept);
    ssRes += residual * residual;
  }
  // Flat data has no variance to explain; a flat fit explains all of it.
  const r2 = syy === 0 ? 1 : 1 - ssRes / syy;
  const slopeSe = xs.length > 2 ? Math.sqrt(ssRes / (xs.length - 2) / sxx) : 0;
  return { slope, intercept, r2, slopeSe };
}
