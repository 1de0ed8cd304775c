// The regression gate's one definition, shared by `rosetta gate` (what CI runs) and `rosetta
// calibrate` (which measures the gate's own false-alarm and detection rates): which metrics it
// reads, the threshold and the family-wise alpha. Why these: reports/BASELINE.md.
import path from 'node:path';
import type { CompareOptions, NotGated } from './comparison.js';

/** The committed baseline the gate compares with, relative to the repository root. */
export const DEFAULT_BASELINE = path.join('reports', 'baseline', 'results.json');

/**
 * What the gate reads: the figures that hold still on a shared 2-core machine (reports/BASELINE.md).
 * - every echo server's instructions per request, counted by callgrind: its own absolute count (tested
 *   only when both files come from one machine class) and its ratio to the baseline echo server, each
 *   tested against the noise pooled over every row and side of that metric (compare-row.ts);
 * - memory per idle connection, against the reference, and the reference's own absolute slope.
 * Timed figures (CPU µs per request, capacity, latencies, workflows/s, CPU per workflow) are measured
 * and reported by every `rosetta run` but not gated: with their spread, three repeats a side and Holm
 * over the family, the gate could not see a change of them under ~40-100% (calibrated: BASELINE.md),
 * and they take most of a run's time. Workflow instructions were tried and left out (phases/instructions.ts).
 */
export const GATE_FILTER = new RegExp(
  [
    String.raw`^echo\.instructions_per_req(\.ratio)?\|`,
    String.raw`^memory\.echo_idle\.bytes_per_conn\.ratio\|`,
    String.raw`^memory\.echo_idle\.bytes_per_conn\|style=baseline\|`,
  ].join('|'),
);

/**
 * Measured by every gate run and printed, but outside its verdict: memory per active connection and
 * per in-flight workflow. One slope a sweep, and these sweeps bend from run to run far more than the
 * idle one: their minimum detectable change in CI's gate runs was tens to thousands of percent
 * (reports/BASELINE.md), so a verdict on them would be noise. The idle rows stay gated.
 */
export const GATE_NOT_GATED: readonly NotGated[] = [
  {
    filter: new RegExp(
      [
        String.raw`^memory\.(echo_active\.bytes_per_conn|workflow\.bytes_per_inflight)\.ratio\|`,
        String.raw`^memory\.echo_active\.bytes_per_conn\|style=baseline\|`,
        String.raw`^memory\.workflow\.bytes_per_inflight\|style=callbacks\|`,
      ].join('|'),
    ),
    reason: 'its sweep is too unsteady for a 5% gate (minimum detectable change far above it: reports/BASELINE.md)',
  },
];

/** A regression must be worse than this, in percent: below it a change is real but not worth failing CI for. */
export const GATE_THRESHOLD = 5;
/** Family-wise: the chance that any gated metric is called a regression when nothing changed is at most this. */
export const GATE_ALPHA = 0.01;

export function gateOptions(labels?: { readonly base: string; readonly head: string }): CompareOptions {
  return { threshold: GATE_THRESHOLD, alpha: GATE_ALPHA, filter: GATE_FILTER, notGated: GATE_NOT_GATED, ...(labels === undefined ? {} : { labels }) };
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
