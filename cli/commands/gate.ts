// `rosetta gate`: the regression gate CI runs. One gate measurement (echo instructions and the memory
// sweeps, every repeat a fresh process) in a child process, compared with the committed
// baseline on the gate's metrics (reports/gate.ts) with the statistics of `rosetta compare`.
// Exit 0 pass, 1 a regression or a style that lost its metrics or crashed, 2 unusable input or a run
// that produced no results, 130/143 interrupted.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { compareResults } from '../../reports/compare.js';
import { CompareInputError, MDC_BLIND_PERCENT, type ComparisonFormat } from '../../reports/comparison.js';
import { formatComparison } from '../../reports/compare-format.js';
import { DEFAULT_BASELINE, GATE_RUN_ARGS, gateOptions } from '../../reports/gate.js';
import { parseResults, type Results } from '../../harness/schema.js';
import { flagString, helpText, parseArgs, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { measureGate } from '../gate-run.js';
import { exitFor } from '../comparison-exit.js';
import { describeInputError } from '../input-errors.js';

const DEFAULT_OUT = path.join('.tmp', 'gate');

const FLAGS: FlagSpecs = {
  baseline: { kind: 'string', metavar: 'FILE', help: `the committed baseline (default ${DEFAULT_BASELINE})` },
  head: { kind: 'string', metavar: 'FILE', help: 'judge this results.json instead of measuring one now' },
  out: { kind: 'string', metavar: 'DIR', help: `where the gate measurement is written (default ${DEFAULT_OUT})` },
  format: { kind: 'string', choices: ['text', 'md', 'json'], metavar: 'FORMAT', help: 'output format (default text)' },
};

export const command: Command = {
  summary: 'the CI regression gate: one quick measurement against the committed baseline; exit 1 on a regression',
  help: helpText(
    'rosetta gate [--baseline FILE] [--head FILE] [--out DIR] [--format text|md|json]',
    `Measures \`rosetta ${GATE_RUN_ARGS.join(' ')}\` in a fresh process (or reads --head) and compares it with the\n` +
      "baseline on the gate's metrics (reports/gate.ts): every echo server's instructions per 1 KiB request counted by\n" +
      'callgrind (its own count, when both files come from one machine class, and its ratio to the baseline echo\n' +
      "server), and memory per idle connection (ratio to the baseline server, and the baseline server's own slope).\n" +
      'Memory per active connection and per in-flight workflow are printed but not gated (too unsteady: marked\n' +
      '"not gated"); timed figures (CPU time, throughput, latency) are not read at all. A row whose smallest\n' +
      `detectable change is above ±${MDC_BLIND_PERCENT}% says in words that it cannot see a change. How the gate was calibrated:\n` +
      'reports/BASELINE.md (`rosetta calibrate` measures it again).\n' +
      'Exit codes: 0 pass, 1 a regression, or a style that crashed or lost its metrics, 2 unusable input or no\n' +
      'results, 130/143 interrupted.',
    FLAGS,
  ),
  async run(argv) {
    const args = parseArgs('gate', argv, FLAGS);
    if (args.positionals.length > 0) throw new UsageError(`rosetta gate: takes no positional arguments (got ${JSON.stringify(args.positionals[0])})`);
    const baselineFile = flagString(args, 'baseline') ?? DEFAULT_BASELINE;
    const format = (flagString(args, 'format') ?? 'text') as ComparisonFormat;
    const base = await readResultsOrUsage(baselineFile);
    const headFile = flagString(args, 'head');
    let head: Results;
    if (headFile !== undefined) {
      head = await readResultsOrUsage(headFile);
    } else {
      const measured = await measureGate(path.resolve(flagString(args, 'out') ?? DEFAULT_OUT), {});
      if (typeof measured === 'string') {
        process.stderr.write(`rosetta gate: ${measured}\n`);
        return 2;
      }
      head = measured.results;
    }
    let comparison;
    try {
      comparison = compareResults(base, head, gateOptions({ base: baselineFile, head: headFile ?? 'this tree' }));
    } catch (error) {
      if (error instanceof CompareInputError) throw new UsageError(`rosetta gate: ${error.side}: ${error.message}`);
      throw error;
    }
    process.stdout.write(formatComparison(comparison, format));
    return exitFor(comparison, head, false, 'rosetta gate');
  },
};

async function readResultsOrUsage(file: string): Promise<Results> {
  try {
    return parseResults(await readFile(file, 'utf8'), file);
  } catch (error) {
    throw new UsageError(`rosetta gate: ${describeInputError(file, error)}`);
  }
}
