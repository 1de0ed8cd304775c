// What may be compared: the independent units of a metric (a fresh process pair each, or one per run
// where repeats shared processes), and whether two files come from one machine class, so that their
// absolute figures mean the same thing.
import type { Metric, Results } from '../harness/schema.js';
import { allPositive, geometricMean, mean } from '../harness/stats/summary.js';

/** How a results file says its repeats were taken: each in a fresh process pair, or sharing one. */
export function repeatsAreIndependent(results: Results): boolean {
  return results.config.repeatUnit === 'fresh process pair';
}

/**
 * The independent units of a metric. Repeats in fresh process pairs are each a unit. Repeats that
 * shared a process pair are not (pseudo-replication): the repeats of one run are averaged on the log
 * scale into one unit per run, using the run labels `rosetta merge` writes; a single such run stays
 * one group of samples and says so in a note.
 */
export function unitsOf(metric: Metric, results: Results): { readonly values: number[]; readonly note?: string } {
  if (repeatsAreIndependent(results) || metric.runs === undefined) {
    const note =
      repeatsAreIndependent(results) || metric.samples.length < 2
        ? undefined
        : 'repeats shared a process pair: tested as if independent';
    return { values: [...metric.samples], ...(note === undefined ? {} : { note }) };
  }
  const byRun = new Map<number, number[]>();
  metric.samples.forEach((value, i) => {
    const run = metric.runs?.[i] ?? 0;
    const group = byRun.get(run);
    if (group === undefined) byRun.set(run, [value]);
    else group.push(value);
  });
  const values = [...byRun.values()].map((group) => (allPositive(group) ? geometricMean(group) : mean(group)));
  return { values };
}

/** Two files from one machine class: absolute figures can be compared. `acrossNode`: the Node major may differ. */
export function sameMachineClass(base: Results, head: Results, acrossNode = false): boolean {
  const b = base.environment;
  const h = head.environment;
  const major = (version: string): string => version.replace(/^v/, '').split('.')[0] ?? version;
  return (
    b.cpuModel === h.cpuModel &&
    b.cores === h.cores &&
    (acrossNode || major(b.node) === major(h.node)) &&
    b.platform === h.platform &&
    b.arch === h.arch &&
    b.pinned === h.pinned
  );
}
