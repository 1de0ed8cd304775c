// `rosetta compare`: the regression gate. Either two results.json files, or this tree against another
// git ref, both run alternately on this machine (cli/against.ts). Exit 1 on a regression, 2 on
// unusable input.
import { readFile } from 'node:fs/promises';
import { flagBoolean, flagNumber, flagString, helpText, parseArgs, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { parseResults, type Results } from '../../harness/schema.js';
import { compareResults } from '../../reports/compare.js';
import { CompareInputError, DEFAULT_ALPHA, DEFAULT_THRESHOLD, MDC_BLIND_PERCENT, type CompareOptions, type ComparisonFormat } from '../../reports/comparison.js';
import { formatComparison } from '../../reports/compare-format.js';
import { MergeError } from '../../harness/merge.js';
import { AgainstError, AgainstInterrupted, runAgainst } from '../against.js';
import { exitFor } from '../comparison-exit.js';
import { describeInputError } from '../input-errors.js';
import { kindsFor } from '../kind-flag.js';

const DEFAULT_RUNS = 5;

const SPECS: FlagSpecs = {
  threshold: {
    kind: 'number',
    min: 0,
    metavar: 'PCT',
    help: `a regression must be worse than this many percent of the base mean (default ${DEFAULT_THRESHOLD})`,
  },
  alpha: {
    kind: 'number',
    min: 0,
    max: 1,
    metavar: 'A',
    help: `family-wise significance level: Holm-adjusted p-values are held against it (default ${DEFAULT_ALPHA})`,
  },
  'allow-missing': {
    kind: 'boolean',
    help: 'do not fail when head lacks metrics that base has, or recorded failures (default: exit 1 for either)',
  },
  kind: { kind: 'string', choices: ['ratio', 'absolute', 'all'], metavar: 'KIND', help: 'absolute figures, ratios to the in-run reference, or both (default all)' },
  'across-node': {
    kind: 'boolean',
    help: 'the files are one machine\'s runtimes (the node-<major>/results.json of one `run --node`): compare absolute figures across Node majors too',
  },
  format: { kind: 'string', choices: ['text', 'md', 'json'], metavar: 'FORMAT', help: 'output format (default text)' },
  filter: { kind: 'string', metavar: 'REGEX', help: 'compare only the metrics whose id matches' },
  against: { kind: 'string', metavar: 'GIT-REF', help: 'build GIT-REF in a temporary worktree and compare this tree against it' },
  runs: { kind: 'int', min: 2, max: 100, metavar: 'N', help: `with --against: runs of each side, alternated (default ${DEFAULT_RUNS})` },
  quick: { kind: 'boolean', help: 'with --against: pass --quick to every run' },
  scenario: { kind: 'string', metavar: 'LIST', help: 'with --against: pass --scenario LIST to every run (default: all)' },
  style: { kind: 'string', metavar: 'LIST', help: 'with --against: pass --style LIST to every run (default: all)' },
};

const USAGE =
  'rosetta compare <base.json> <head.json> [--threshold PCT] [--alpha A] [--kind ratio|absolute|all] [--format text|md|json] [--filter REGEX]\n' +
  '       rosetta compare --against <git-ref> [--runs N] [--quick] [--scenario LIST] [--style LIST] [same options]';

export const command: Command = {
  summary: 'compare two results (or this tree against a git ref) on the log scale with Holm; exit 1 on a regression',
  help: helpText(
    USAGE,
    'Per metric: the change of the geometric mean (head / base) over independent units (a fresh process pair\n' +
      'each; repeats that shared a process are averaged per run), its 95% interval, the test that decided\n' +
      "(Welch's t on log values, or Mann-Whitney U where the logs are skewed), the raw and Holm-adjusted\n" +
      'p-values, stars (* p<0.05, ** p<0.01, *** p<0.001), the smallest change the row could detect (`none`, with\n' +
      `why in words, where it is above ±${MDC_BLIND_PERCENT}%: the row cannot see a change), and a verdict:\n` +
      'regression/improvement (Holm p < --alpha and beyond --threshold), same, inconclusive (not significant,\n' +
      'but the interval reaches beyond the threshold), untested (fewer than 2 units; an absolute figure from\n' +
      'another machine class: CPU, cores, pinning, platform, or Node major unless --across-node). With --against,\n' +
      'each side runs `rosetta run` N times, alternated; the runs are merged per side.\n' +
      'Exit codes: 0 no regression, 1 a regression, or head lacks metrics of base or recorded failures (unless\n' +
      '--allow-missing), 2 unusable input, 130 interrupted.',
    SPECS,
  ),
  async run(argv) {
    const args = parseArgs('compare', argv, SPECS);
    const options: CompareOptions = {
      threshold: flagNumber(args, 'threshold') ?? DEFAULT_THRESHOLD,
      alpha: flagNumber(args, 'alpha') ?? DEFAULT_ALPHA,
      kinds: kindsFor(flagString(args, 'kind') ?? 'all'),
      ...filterFor(flagString(args, 'filter')),
      acrossNode: flagBoolean(args, 'across-node'),
    };
    const format = (flagString(args, 'format') ?? 'text') as ComparisonFormat;
    const allowMissing = flagBoolean(args, 'allow-missing');
    const against = flagString(args, 'against');

    if (against === undefined) {
      for (const flag of ['runs', 'quick', 'scenario', 'style'] as const) {
        if (args.flags.has(flag)) throw new UsageError(`rosetta compare: --${flag} only applies with --against <git-ref>`);
      }
      if (args.positionals.length !== 2) {
        throw new UsageError(
          `rosetta compare: expected two files, <base.json> <head.json> (got ${args.positionals.length}), or --against <git-ref>`,
        );
      }
      const [baseFile, headFile] = args.positionals as [string, string];
      const base = await readResults(baseFile);
      if (typeof base === 'string') return fail(base);
      const head = await readResults(headFile);
      if (typeof head === 'string') return fail(head);
      return report(base, head, { ...options, labels: { base: baseFile, head: headFile } }, format, { base: baseFile, head: headFile }, allowMissing);
    }

    if (args.positionals.length > 0) {
      throw new UsageError(
        `rosetta compare: --against compares this tree with ${against}; it takes no files (got ${JSON.stringify(args.positionals[0])})`,
      );
    }
    let runs;
    try {
      runs = await runAgainst(against, {
        runs: flagNumber(args, 'runs') ?? DEFAULT_RUNS,
        quick: flagBoolean(args, 'quick'),
        // Checked by each side's own `rosetta run`, which names the bad value and exits 2.
        runFlags: (['scenario', 'style'] as const).flatMap((flag) => {
          const value = flagString(args, flag);
          return value === undefined ? [] : [`--${flag}`, value];
        }),
      });
    } catch (error) {
      if (error instanceof AgainstInterrupted) {
        process.stderr.write(`rosetta compare: ${error.message}; no comparison\n`);
        return error.signal === 'SIGINT' ? 130 : 143;
      }
      if (error instanceof AgainstError || error instanceof MergeError) return fail(error.message);
      throw error;
    }
    return report(runs.base, runs.head, { ...options, labels: runs.labels }, format, runs.labels, allowMissing);
  },
};

function filterFor(source: string | undefined): { filter?: RegExp } {
  if (source === undefined) return {};
  try {
    return { filter: new RegExp(source) };
  } catch (error) {
    throw new UsageError(`rosetta compare: --filter got ${JSON.stringify(source)}; expected a regular expression (${(error as Error).message})`);
  }
}

function fail(message: string): number {
  process.stderr.write(`rosetta compare: ${message}\n`);
  return 2;
}

function report(
  base: Results,
  head: Results,
  options: CompareOptions,
  format: ComparisonFormat,
  files: { readonly base: string; readonly head: string },
  allowMissing: boolean,
): number {
  let comparison;
  try {
    comparison = compareResults(base, head, options);
  } catch (error) {
    if (error instanceof CompareInputError) return fail(`${files[error.side]}: ${error.message}`);
    throw error;
  }
  process.stdout.write(formatComparison(comparison, format));
  return exitFor(comparison, head, allowMissing, 'rosetta compare');
}

/** Reads and validates one results.json; a string is the one-line reason it cannot be used. */
async function readResults(file: string): Promise<Results | string> {
  try {
    return parseResults(await readFile(file, 'utf8'), file);
  } catch (error) {
    return describeInputError(file, error);
  }
}
