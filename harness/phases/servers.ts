// Which echo servers a run measures: the baseline server first, then the chosen styles. Every echo
// phase (memory, cost, instructions, the memory explanation) and the run's config read this one list.
// The precise phases (memory, instructions) add the debug-aid variants a run asks for (`--aids`).
import { baseStyleId } from '../aids.js';
import { SLOW_SERVER_ENV, SLOW_SERVER_ID } from '../child/style.js';

/** The echo servers for `styles`: the baseline server, then every style (baseline never twice). */
export function echoServers(styles: readonly string[]): string[] {
  return ['baseline', ...styles.filter((style) => style !== 'baseline')];
}

/** `ids`, then each variant in `variants` whose style is among them: a variant is measured beside its plain style. */
export function withVariants(ids: readonly string[], variants: readonly string[]): string[] {
  return [...ids, ...variants.filter((variant) => !ids.includes(variant) && ids.includes(baseStyleId(variant)))];
}

/** The echo servers with the run's variants, and the calibration's slowed callbacks server last when `rosetta calibrate` asks for it. */
export function echoServersWithCalibration(styles: readonly string[], variants: readonly string[] = []): string[] {
  return [...withVariants(echoServers(styles), variants), ...(process.env[SLOW_SERVER_ENV] !== undefined ? [SLOW_SERVER_ID] : [])];
}
