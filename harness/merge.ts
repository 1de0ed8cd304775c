// Merging repeated runs: `compare --against` runs each side N times and `rosetta merge` pools runs
// for the CI baseline, one sample per metric per run. The result is one Results whose units are
// still told apart (`runs`), so the decision (compare.ts) counts each run as one unit.
import { type Metric, type Results } from './schema.js';
import { summarize } from './stats/summary.js';

/** Two runs of the same code disagree on what a metric is: a bug in the run, not noise. */
export class MergeError extends Error {
  override readonly name = 'MergeError';
}

/**
 * One Results from several runs of the same tree: samples concatenated per metric id in run order,
 * each labelled with the run it came from (`runs`, so a test can tell units apart), median and ci95
 * recomputed. Environment, config and the non-sample sections (tracebacks, difficulty, sources) are
 * the first run's, except `repeatUnit`, kept only when every run has the same; failures are all
 * runs'. `extra` is kept only when every run that has it agrees, since a per-run fact (an r2, a
 * saturation flag) does not describe the merge.
 */
export function mergeResults(runs: readonly Results[]): Results {
  const [first] = runs;
  if (first === undefined) throw new MergeError('mergeResults: needs at least one run');
  const merged = new Map<string, { metric: Metric; samples: number[]; labels: number[]; extras: string[] }>();
  // Run labels continue across inputs that were merges themselves: run k of input i keeps its own unit.
  let nextRun = 0;
  runs.forEach((run, index) => {
    const firstRun = nextRun;
    let runsHere = 1;
    for (const metric of run.metrics) {
      const labels = metric.samples.map((_, i) => firstRun + (metric.runs?.[i] ?? 0));
      for (const label of labels) runsHere = Math.max(runsHere, label - firstRun + 1);
      const entry = merged.get(metric.id);
      if (entry === undefined) {
        merged.set(metric.id, { metric, samples: [...metric.samples], labels, extras: [JSON.stringify(metric.extra ?? null)] });
        continue;
      }
      for (const key of ['name', 'unit', 'direction', 'kind', 'scenario', 'style'] as const) {
        if (entry.metric[key] !== metric[key]) {
          throw new MergeError(
            `run ${index + 1}: metric ${JSON.stringify(metric.id)} has ${key} ${JSON.stringify(metric[key])}, ` +
              `an earlier run had ${JSON.stringify(entry.metric[key])}`,
          );
        }
      }
      for (const sample of metric.samples) entry.samples.push(sample);
      for (const label of labels) entry.labels.push(label);
      if (metric.extra !== undefined) entry.extras.push(JSON.stringify(metric.extra));
    }
    nextRun = firstRun + runsHere;
  });
  const metrics = [...merged.values()].map(({ metric, samples, labels, extras }): Metric => {
    const { extra: _extra, runs: _runs, ...rest } = metric;
    const summary = samples.length === 0 ? null : summarize(samples);
    const agreed = extras.every((extra) => extra === extras[0]) && metric.extra !== undefined;
    return {
      ...rest,
      samples,
      runs: labels,
      median: summary?.median ?? metric.median,
      ci95: summary?.ci95 ?? metric.ci95,
      ...(agreed ? { extra: metric.extra } : {}),
    };
  });
  const units = new Set(runs.map((run) => JSON.stringify(run.config.repeatUnit ?? null)));
  const { repeatUnit: _unit, ...config } = first.config;
  // A runtime matrix's other runtimes were not merged: keeping the first run's would describe none of this.
  const { runtimes: _runtimes, ...firstRun } = first;
  return {
    ...firstRun,
    durationMs: runs.reduce((sum, run) => sum + run.durationMs, 0),
    config: {
      ...config,
      ...(units.size === 1 && first.config.repeatUnit !== undefined ? { repeatUnit: first.config.repeatUnit } : {}),
      mergedRuns: nextRun,
      // Each run's own seed (the order its styles took turns in), where the runs recorded one.
      ...(runs.some((run) => run.config.seed !== undefined) ? { runSeeds: runs.map((run) => run.config.seed ?? null) } : {}),
    },
    metrics,
    failures: runs.flatMap((run) => run.failures),
  };
}
