// The regression gate's one definition, shared by `rosetta gate` (what CI runs) and `rosetta
// calibrate` (which measures the gate's own false-alarm and detection rates): which metrics it
// reads, the threshold and the family-wise alpha. Why these: reports/BASELINE.md.
import type { CompareOptions } from './compare.js';

/**
 * What the gate reads, all figures the measurement makes stable:
 * - each style's echo cost in instructions per request counted by callgrind, against the baseline
 *   echo server (spread ~1% from process to process, where CPU time per request spreads ~8%: the
 *   timed figure is measured and reported, not gated: it could not see a change under ~40%);
 * - memory per idle and per active connection, and per in-flight workflow, against the reference;
 * - workflows/s and the runner's CPU per workflow, against callbacks;
 * - the references themselves on their own absolute figures (tested only when both files come from
 *   one machine class): a regression there would otherwise show up as an improvement of every style.
 * Capacity req/s and tail latencies stay out: on 2 cores they move with the client and the machine.
 */
export const GATE_FILTER = new RegExp(
  [
    String.raw`^echo\.instructions_per_req\.ratio\|`,
    String.raw`^memory\.(echo_idle|echo_active)\.bytes_per_conn\.ratio\|`,
    String.raw`^memory\.workflow\.bytes_per_inflight\.ratio\|`,
    String.raw`^workflow\.(throughput|cpu_ms_per_workflow)\.ratio\|`,
    String.raw`^echo\.instructions_per_req\|style=baseline\|`,
    String.raw`^workflow\.(throughput|cpu_ms_per_workflow)\|style=callbacks\|`,
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
export const GATE_RUN_ARGS: readonly string[] = ['run', '--quick', '--scenario', 'echo,instructions,repos-and-forks', '--style', GATE_STYLES.join(',')];

/** `rosetta calibrate --instructions-only`: the gate's CPU rows alone, a few minutes a run. */
export const INSTRUCTIONS_RUN_ARGS: readonly string[] = ['run', '--quick', '--scenario', 'instructions', '--style', GATE_STYLES.join(',')];
export const INSTRUCTIONS_FILTER = /^echo\.instructions_per_req(\.ratio)?\|/;
