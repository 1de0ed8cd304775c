// `rosetta merge`: pools several runs of the same code into one results.json, every metric's
// samples concatenated and its median and interval recomputed. The CI baseline is made this way, so
// its spread includes the run-to-run drift a single run cannot show.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MergeError, mergeResults } from '../../harness/merge.js';
import { parseResults, type Results } from '../../harness/schema.js';
import { UsageError, flagBoolean, flagString, helpText, parseArgs, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { tempResultsPath, writeResultsAtomic } from '../../harness/results.js';
import { checkOutDir, removeOnInterrupt } from '../output.js';
import { describeInputError } from '../input-errors.js';

const FLAGS: FlagSpecs = {
  out: { kind: 'string', metavar: 'DIR', help: 'folder to write the merged results.json into (required)' },
  force: { kind: 'boolean', help: 'merge even runs of different commits, of dirty trees, or of different configs or machines' },
};

/**
 * Most samples one merged metric may hold. A run keeps tens per metric; a file holding a million is
 * not a run of this kit, and pooling it would cost the renderers and the gate far more than it tells.
 */
export const MAX_MERGED_SAMPLES = 100_000;

export const command: Command = {
  summary: 'pool several results.json of the same code into one (samples concatenated)',
  help: helpText(
    'rosetta merge <a.json> <b.json> [...] --out DIR',
    'Concatenates the samples of every metric across the runs and recomputes median and 95% interval.\n' +
      'The environment, config, tracebacks, sources and memory attribution are the first run\'s. Runs of different\n' +
      'commits, of dirty trees, or of different configs, Node versions or CPUs are refused unless --force. Exit 2 on\n' +
      'unusable input.',
    FLAGS,
  ),
  async run(argv) {
    const args = parseArgs('merge', argv, FLAGS);
    const outFlag = flagString(args, 'out');
    if (outFlag === undefined) throw new UsageError('rosetta merge: --out DIR is required');
    if (args.positionals.length < 2) {
      throw new UsageError(`rosetta merge: expected at least two results files (got ${args.positionals.length})`);
    }
    const out = checkOutDir('merge', 'out', path.resolve(outFlag));
    const runs: Results[] = [];
    for (const file of args.positionals) {
      try {
        runs.push(parseResults(await readFile(file, 'utf8'), file));
      } catch (error) {
        throw new UsageError(`rosetta merge: ${describeInputError(file, error)}`);
      }
      if ((runs.at(-1)?.runtimes ?? []).length > 1) {
        throw new UsageError(`rosetta merge: ${file} is a runtime matrix (one run on several Node versions); merge its node-<major>/results.json files, one major at a time`);
      }
    }
    if (!flagBoolean(args, 'force')) refuseMixedRuns(args.positionals, runs);
    checkSampleCounts(args.positionals, runs);
    let merged: Results;
    try {
      merged = mergeResults(runs);
    } catch (error) {
      if (error instanceof MergeError) throw new UsageError(`rosetta merge: ${error.message}`);
      throw error;
    }
    const release = removeOnInterrupt(() => [tempResultsPath(out)]);
    let written: string;
    try {
      written = writeResultsAtomic(out, merged);
    } finally {
      release();
    }
    process.stdout.write(`merged ${runs.length} runs, ${merged.metrics.length} metrics: ${written}\n`);
    return 0;
  },
};

/** Facts of one run rather than of its setup: where it was written, its seed and order, the load it met. */
const PER_RUN_CONFIG = new Set(['out', 'seed', 'order', 'loadAverage', 'mergedRuns', 'runSeeds']);

/** A run's configuration without its per-run facts: what two runs of one setup share. */
export function setupOf(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([key]) => !PER_RUN_CONFIG.has(key)));
}

/** "Of the same code": one commit, clean trees, one config and one kind of machine, or a usage error. */
function refuseMixedRuns(files: readonly string[], runs: readonly Results[]): void {
  const first = runs[0];
  if (first === undefined) return;
  runs.forEach((run, index) => {
    const file = files[index] ?? `run ${index + 1}`;
    const env = run.environment;
    if (env.dirty) throw new UsageError(`rosetta merge: ${file} was measured on a dirty tree (uncommitted changes); pass --force to merge it anyway`);
    const differences = [
      env.commit !== first.environment.commit ? `commit ${env.commit ?? 'none'} vs ${first.environment.commit ?? 'none'}` : '',
      env.cpuModel !== first.environment.cpuModel ? `CPU ${JSON.stringify(env.cpuModel)} vs ${JSON.stringify(first.environment.cpuModel)}` : '',
      env.cores !== first.environment.cores ? `${env.cores} vs ${first.environment.cores} cores` : '',
      env.node !== first.environment.node ? `Node ${env.node} vs ${first.environment.node}` : '',
      JSON.stringify(setupOf(run.config)) !== JSON.stringify(setupOf(first.config)) ? 'a different config' : '',
    ].filter((difference) => difference !== '');
    if (differences.length > 0) {
      throw new UsageError(
        `rosetta merge: ${file} is not a run of the same code and setup as ${files[0] ?? 'the first'} (${differences.join('; ')}); pass --force to merge anyway`,
      );
    }
  });
}

function checkSampleCounts(files: readonly string[], runs: readonly Results[]): void {
  const totals = new Map<string, number>();
  runs.forEach((run, index) => {
    for (const metric of run.metrics) {
      const total = (totals.get(metric.id) ?? 0) + metric.samples.length;
      totals.set(metric.id, total);
      if (total > MAX_MERGED_SAMPLES) {
        throw new UsageError(
          `rosetta merge: metric ${metric.id} would hold ${total} samples after ${files[index] ?? 'a file'}; at most ${MAX_MERGED_SAMPLES} are merged`,
        );
      }
    }
  });
}
