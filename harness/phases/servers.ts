// Which echo servers a run measures: the baseline server first, then the chosen styles. Every echo
// phase (memory, cost, instructions, the memory explanation) and the run's config read this one list.
import { SLOW_SERVER_ENV, SLOW_SERVER_ID } from '../child/style.js';

/** The echo servers for `styles`: the baseline server, then every style (baseline never twice). */
export function echoServers(styles: readonly string[]): string[] {
  return ['baseline', ...styles.filter((style) => style !== 'baseline')];
}

/** The same, with the calibration's slowed callbacks server last when `rosetta calibrate` asks for it. */
export function echoServersWithCalibration(styles: readonly string[]): string[] {
  return [...echoServers(styles), ...(process.env[SLOW_SERVER_ENV] !== undefined ? [SLOW_SERVER_ID] : [])];
}
