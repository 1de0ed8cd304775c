// The regression gate's one definition, shared by `rosetta gate` (what CI runs) and `rosetta
// calibrate` (which measures the gate's own false-alarm and detection rates): which metrics it
// reads, the threshold and the family-wise alpha. Why these: reports/BASELINE.md.
import path from 'node:path';
import type { CompareOptions } from './comparison.js';

/** The committed baseline the gate compares with, relative to the repository root. */
export const DEFAULT_BASELINE = path.join('reports', 'baseline', 'results.json');

/**
 * What the gate reads: the figures that hold still on a shared 2-core machine (reports/BASELINE.md).
 * - each style's echo cost in instructions per request, counted by callgrind, against the baseline
 *   echo server: it holds still where CPU time per request does not (docs/measurements.md);
 * - memory per idle and per active connection, and per in-flight workflow, against the reference;
 * - the references themselves on their own absolute figures (tested only when both files come from
 *   one machine class): a regression there would otherwise show up as an improvement of every style.
 * Timed figures (CPU µs per request, capacity, latencies, workflows/s, CPU per workflow) are measured
 * and reported by every `rosetta run` but not gated: with their spread, three repeats a side and Holm
 * over the family, the gate could not see a change of them under ~40-100% (calibrated: BASELINE.md),
 * and they take most of a run's time. Workflow instructions were tried and left out (phases/instructions.ts).
 */
export const GATE_FILTER = new RegExp(
  [
    String.raw`^echo\.instructions_per_req\.ratio\|`,
    String.raw`^memory\.(echo_idle|echo_active)\.bytes_per_conn\.ratio\|`,
    String.raw`^memory\.workflow\.bytes_per_inflight\.ratio\|`,
    String.raw`^echo\.instructions_per_req\|style=baseline\|`,
    String.raw`^memory\.(echo_idle|echo_active)\.bytes_per_conn\|style=baseline\|`,
    String.raw`^memory\.workflow\.bytes_per_inflight\|style=callbacks\|`,
  ].join('|'),
);

/** A regression must be worse than this, in percent: below it a change is real but not worth failing CI for. */
export const GATE_THRESHOLD = 5;
/** Family-wise: the chance that any gated metric is called a regression when nothing changed is at most this. */
export const GATE_ALPHA = 0.01;

export function gateOptions(labels?: { readonly base: string; readonly head: string }): CompareOptions {
  return { threshold: GATE_THRESHOLD, alpha: GATE_ALPHA, filter: GATE_FILTER, ...(labels === undefined ? {} : { labels }) };
}

/**
 * The `rosetta run` arguments of one gate measurement (what CI runs, what calibrate repeats, and what
 * the baseline is made of). The threads row is measured in every report but not gated yet: its
 * workflow memory sweep (200 held workflows, a thread each) timed out once in three baseline runs
 * here, and a gate must not fail on a flake of the thing it measures.
 */
export const GATE_STYLES: readonly string[] = ['callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts', 'effect'];
export const GATE_RUN_ARGS: readonly string[] = ['run', '--quick', '--scenario', 'memory,instructions', '--memory-repeat', '2', '--style', GATE_STYLES.join(',')];

/** `rosetta calibrate --instructions-only`: the gate's CPU rows alone, a few minutes a run. */
export const INSTRUCTIONS_RUN_ARGS: readonly string[] = ['run', '--quick', '--scenario', 'instructions', '--style', GATE_STYLES.join(',')];
export const INSTRUCTIONS_FILTER = /^echo\.instructions_per_req(\.ratio)?\|/;
