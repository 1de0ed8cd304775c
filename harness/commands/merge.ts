// `rosetta merge`: pools several runs of the same code into one results.json, every metric's
// samples concatenated and its median and interval recomputed. The CI baseline is made this way, so
// its spread includes the run-to-run drift a single run cannot show.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MergeError, mergeResults } from '../../reports/compare.js';
import { parseResults, type Results } from '../../reports/schema.js';
import { UsageError, flagString, helpText, parseArgs, type FlagSpecs } from '../args.js';
import type { Command } from '../cli.js';
import { writeResultsAtomic } from '../results.js';
import { describeInputError } from './compare.js';

const FLAGS: FlagSpecs = {
  out: { kind: 'string', metavar: 'DIR', help: 'folder to write the merged results.json into (required)' },
};

export const command: Command = {
  summary: 'pool several results.json of the same code into one (samples concatenated)',
  help: helpText(
    'rosetta merge <a.json> <b.json> [...] --out DIR',
    'Concatenates the samples of every metric across the runs and recomputes median and 95% interval.\n' +
      'The environment, config, tracebacks and sources are the first run\'s. Exit 2 on unusable input.',
    FLAGS,
  ),
  async run(argv) {
    const args = parseArgs('merge', argv, FLAGS);
    const out = flagString(args, 'out');
    if (out === undefined) throw new UsageError('rosetta merge: --out DIR is required');
    if (args.positionals.length < 2) {
      throw new UsageError(`rosetta merge: expected at least two results files (got ${args.positionals.length})`);
    }
    const runs: Results[] = [];
    for (const file of args.positionals) {
      try {
        runs.push(parseResults(await readFile(file, 'utf8'), file));
      } catch (error) {
        throw new UsageError(`rosetta merge: ${describeInputError(file, error)}`);
      }
    }
    let merged: Results;
    try {
      merged = mergeResults(runs);
    } catch (error) {
      if (error instanceof MergeError) throw new UsageError(`rosetta merge: ${error.message}`);
      throw error;
    }
    const written = writeResultsAtomic(path.resolve(out), merged);
    process.stdout.write(`merged ${runs.length} runs, ${merged.metrics.length} metrics: ${written}\n`);
    return 0;
  },
};
