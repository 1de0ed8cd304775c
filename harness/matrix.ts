// `rosetta run --node A,B,...`: the same run once per runtime, one after another, each a complete
// run of its own (fresh children on that Node, the same seed so the styles take their turns in the
// same order), written to <out>/node-<major>/ with its own results.json. Then one combined
// results.json at <out>: the first runtime named at the top level, so every command that reads one
// results file (compare, export, report) reads a normal one, plus `runtimes`, every runtime's
// results oldest first, from which the report draws its runtime section. Ratios stay within a
// runtime: each runtime's file computed its own against its own reference. The harness writes
// results only; the CLI renders a report for each folder written (cli/commands/run.ts).
import path from 'node:path';
import type { Results } from './schema.js';
import { Progress } from './progress.js';
import { writeResultsAtomic } from './results.js';
import { runAll, type RunOptions, type RunStreams } from './run.js';
import { runtimeFolder, type Runtime } from './runtimes.js';

export interface MatrixOutcome {
  /** The worst exit code of the runs: 0, or 1 when any measurement failed. */
  readonly code: number;
  /** What is at `out`: the one run's results, or the combination of several runtimes. */
  readonly results: Results;
  /** Each runtime's own results and the folder they were written to (empty for a single runtime). */
  readonly runs: readonly { readonly out: string; readonly results: Results }[];
}

/** Runs every runtime in `runtimes` (in that order) and writes every results.json; renders nothing. */
export async function runMatrix(options: RunOptions, runtimes: readonly Runtime[], streams: RunStreams = { stdout: process.stdout, stderr: process.stderr }): Promise<MatrixOutcome> {
  const [only] = runtimes;
  if (only !== undefined && runtimes.length === 1) {
    const { code, results } = await runAll({ ...options, runtime: only }, streams);
    return { code, results, runs: [] };
  }
  const started = performance.now();
  const progress = new Progress({ stream: streams.stderr });
  const runs: { out: string; results: Results }[] = [];
  let exit = 0;
  for (const [index, runtime] of runtimes.entries()) {
    const out = path.join(options.out, runtimeFolder(runtime));
    progress.note(`rosetta run: runtime ${index + 1} of ${runtimes.length}: Node ${runtime.version} (V8 ${runtime.v8}, ${runtime.source}) -> ${out}`);
    streams.stdout.write(`\nNode ${runtime.version} (V8 ${runtime.v8})\n`);
    const { code, results } = await runAll({ ...options, out, runtime }, streams);
    exit = Math.max(exit, code);
    runs.push({ out, results });
  }
  const combined = combineRuntimes(runs.map((run) => run.results), Math.round(performance.now() - started));
  const file = writeResultsAtomic(options.out, combined);
  progress.note(`wrote ${file} (${runtimes.length} runtimes; each one's own in ${runtimes.map(runtimeFolder).join(', ')})`);
  progress.note(`rosetta run: ${runtimes.length} runtimes done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { code: exit, results: combined, runs };
}

/**
 * One results file of several runtimes' runs (in the order they ran, the first at the top level):
 * the top level is the first run whole; `runtimes` holds every run, oldest Node first, without the
 * sources and difficulty the top level already carries (the same code on every runtime).
 */
export function combineRuntimes(runs: readonly Results[], durationMs: number): Results {
  const [first] = runs;
  if (first === undefined) throw new RangeError('combineRuntimes: needs at least one run');
  const byVersion = [...runs].sort((a, b) => compareVersions(a.environment.node, b.environment.node));
  return {
    ...first,
    durationMs,
    runtimes: byVersion.map(({ sources: _sources, difficulty: _difficulty, runtimes: _runtimes, ...run }) => run),
  };
}

function compareVersions(a: string, b: string): number {
  const parts = (version: string): number[] => version.replace(/^v/, '').split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
