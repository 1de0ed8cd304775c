// `rosetta run --node A,B,...`: the same run on several runtimes, interleaved. A run of N repeats
// becomes N rounds; in each round every runtime does one repeat of everything (fresh children on that
// Node), the runtimes in an order rotated per round (A B C, B C A, C A B), so drift on the machine
// falls on every runtime alike instead of on the last one. Round k uses seed + k - 1 on every runtime,
// so within a round the styles take their turns in the same order on each. Each round is written to
// <out>/node-<major>/round-<k>/results.json; a runtime's rounds are merged (harness/merge.ts: one
// unit per round, its samples labelled with it) into <out>/node-<major>/results.json. What a run
// measures once (the traceback matrix, the memory attribution's heap snapshots) is measured in the
// first round only; a memory slope, measured once per run, so gets one sample per round and can be
// tested across runtimes. Then one combined results.json at <out>: the first runtime named at the
// top level, so every command that reads one results file (compare, export, report) reads a normal
// one, plus `runtimes`, every runtime's merged results oldest first, from which the report draws its
// runtime section. Ratios stay within a runtime: each round computed its own against its own
// reference. The harness writes results only; the CLI renders a report for each folder written
// (cli/commands/run.ts).
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Results } from './schema.js';
import { mergeResults } from './merge.js';
import { Progress } from './progress.js';
import { writeResultsAtomic } from './results.js';
import { runAll, type RunOptions, type RunStreams } from './run.js';
import { printSummary } from './summary-table.js';
import { runtimeFolder, type Runtime } from './runtimes.js';
import { planConfig } from './phases/common.js';

export interface MatrixOutcome {
  /** The worst exit code of the runs: 0, or 1 when any measurement failed. */
  readonly code: number;
  /** What is at `out`: the one run's results, or the combination of several runtimes. */
  readonly results: Results;
  /** Each runtime's merged results and the folder they were written to (empty for a single runtime). */
  readonly runs: readonly { readonly out: string; readonly results: Results }[];
}

/** Runtime indices in the order round `round` (0-based) takes them: rotated by one each round. */
export function roundOrder(count: number, round: number): number[] {
  return Array.from({ length: count }, (_, index) => (index + round) % count);
}

/** Runs every runtime in `runtimes`, round by round, and writes every results.json; renders nothing. */
export async function runMatrix(options: RunOptions, runtimes: readonly Runtime[], streams: RunStreams = { stdout: process.stdout, stderr: process.stderr }): Promise<MatrixOutcome> {
  const [only] = runtimes;
  if (only !== undefined && runtimes.length === 1) {
    const { code, results } = await runAll({ ...options, runtime: only }, streams);
    return { code, results, runs: [] };
  }
  const started = performance.now();
  const progress = new Progress({ stream: streams.stderr });
  const rounds = options.repeats ?? 3;
  const seed = options.seed ?? 0;
  // A round's own summary table would be one of N*R: the merged runtime's is printed instead.
  const quiet: RunStreams = { stdout: new Writable({ write: (_chunk, _encoding, done) => done() }), stderr: streams.stderr };
  const perRuntime: Results[][] = runtimes.map(() => []);
  let exit = 0;
  // The budget is the whole matrix's: each (round, runtime) run gets its share.
  const budgetMs = Math.max(10_000, Math.round(planConfig(options).budgetMs / (rounds * runtimes.length)));
  for (let round = 0; round < rounds; round++) {
    for (const index of roundOrder(runtimes.length, round)) {
      const runtime = runtimes[index] as Runtime;
      const out = path.join(options.out, runtimeFolder(runtime), `round-${round + 1}`);
      progress.note(`rosetta run: round ${round + 1} of ${rounds}: Node ${runtime.version} (V8 ${runtime.v8}, ${runtime.source}) -> ${out}`);
      const { code, results } = await runAll({ ...options, out, runtime, repeats: 1, seed: seed + round, laterRound: round > 0, budgetMs }, quiet);
      exit = Math.max(exit, code);
      perRuntime[index]?.push(results);
    }
  }
  const runs = runtimes.map((runtime, index) => {
    const out = path.join(options.out, runtimeFolder(runtime));
    const results = mergeResults(perRuntime[index] ?? []);
    const file = writeResultsAtomic(out, results);
    streams.stdout.write(`\nNode ${runtime.version} (V8 ${runtime.v8}), ${rounds} round${rounds === 1 ? '' : 's'} merged\n`);
    printSummary(results, file, streams.stdout);
    return { out, results };
  });
  const combination = combineRuntimes(
    runs.map((run) => run.results),
    Math.round(performance.now() - started),
  );
  // Which runtime went when: each round's order, by Node version.
  const runtimeRounds = Array.from({ length: rounds }, (_, round) => roundOrder(runtimes.length, round).map((index) => runtimes[index]?.version ?? ''));
  const combined: Results = { ...combination, config: { ...combination.config, runtimeRounds } };
  const file = writeResultsAtomic(options.out, combined);
  progress.note(`wrote ${file} (${runtimes.length} runtimes; each one's own in ${runtimes.map(runtimeFolder).join(', ')}, its rounds in round-<k>/)`);
  progress.note(`rosetta run: ${runtimes.length} runtimes x ${rounds} rounds done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
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
