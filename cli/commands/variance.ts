// `rosetta variance`: where the spread of a run's timed ratios lives (reports/variance.ts), from the
// turns results.json records; run with several --generations to see the process component.
import { readFile } from 'node:fs/promises';
import { flagBoolean, flagString, helpText, parseArgs, rejectPositionals, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { parseResults, type Results } from '../../harness/schema.js';
import { formatVariance, varianceOf } from '../../reports/variance.js';
import { describeInputError } from '../input-errors.js';

const USAGE = 'rosetta variance --in results.json [--json]';

const SPECS: FlagSpecs = {
  in: { kind: 'string', metavar: 'FILE', help: 'a results.json with recorded turns (any rosetta run of echo or repos-and-forks)' },
  json: { kind: 'boolean', help: 'print the components as JSON (variances of the log ratio) instead of a table' },
};

export const command: Command = {
  summary: "split the spread of a run's timed ratios into process, time (round) and within-turn components",
  help: helpText(
    USAGE,
    'For every contender of every cell: the log ratio of each part of its turn to the reference\'s turn of the\n' +
      'same round, split by a nested ANOVA into between-generation (fresh processes), between-round (time) and\n' +
      'within-turn components, shown as standard deviations in percent; F gen near 1 says the generations add\n' +
      'nothing beyond the rounds. SE is the standard error of the figure as measured. A run with several\n' +
      'generations (rosetta run --generations 3) is needed for the process component. Exit 2 on unusable input.',
    SPECS,
  ),
  async run(argv) {
    const args = parseArgs('variance', argv, SPECS);
    rejectPositionals('variance', args, USAGE);
    const input = flagString(args, 'in');
    if (input === undefined) throw new UsageError(`rosetta variance: --in is required (the results.json to read); usage: ${USAGE}`);
    let results: Results;
    try {
      results = parseResults(await readFile(input, 'utf8'), input);
    } catch (error) {
      throw new UsageError(`rosetta variance: ${describeInputError(input, error)}`);
    }
    if (results.turns === undefined || results.turns.length === 0) {
      throw new UsageError(`rosetta variance: ${input} has no recorded turns (written by an older kit, or a run without echo and repos-and-forks)`);
    }
    const report = varianceOf(results);
    process.stdout.write(flagBoolean(args, 'json') ? `${JSON.stringify(report, null, 2)}\n` : formatVariance(report));
    return 0;
  },
};
