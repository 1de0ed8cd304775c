// `rosetta export`: results.json in another tool's format. Today one format, github-action-benchmark's
// custom JSON; one file per direction, since that tool learns the direction from its `tool` input
// (customBiggerIsBetter / customSmallerIsBetter), not from the entries.
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { flagString, helpText, parseArgs, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { parseResults, type Direction, type Results } from '../../harness/schema.js';
import { formatGithubActionBenchmark, toGithubActionBenchmark } from '../../reports/export.js';
import { writeAtomically } from '../../reports/render.js';
import { checkOutFile, removeOnInterrupt } from '../output.js';
import { describeInputError } from '../input-errors.js';
import { kindsFor } from '../kind-flag.js';

const SPECS: FlagSpecs = {
  in: { kind: 'string', metavar: 'FILE', help: 'the results.json to export' },
  format: { kind: 'string', choices: ['github-action-benchmark'], metavar: 'FORMAT', help: 'output format (default github-action-benchmark)' },
  direction: {
    kind: 'string',
    choices: ['higher', 'lower'],
    metavar: 'WHICH',
    help: 'which metrics: higher-is-better (tool customBiggerIsBetter) or lower-is-better (customSmallerIsBetter); required',
  },
  kind: { kind: 'string', choices: ['ratio', 'absolute', 'all'], metavar: 'KIND', help: 'absolute figures, ratios to the in-run reference, or both (default all)' },
  out: { kind: 'string', metavar: 'FILE', help: 'where to write (default: standard output)' },
};

const USAGE = 'rosetta export --in results.json --direction higher|lower [--format github-action-benchmark] [--kind ratio|absolute|all] [--out FILE]';

export const command: Command = {
  summary: "write results.json in github-action-benchmark's customBiggerIsBetter / customSmallerIsBetter format",
  help: helpText(
    USAGE,
    "Writes one direction's metrics; run it twice (higher, lower) and feed each file to its own\n" +
      'github-action-benchmark step with the matching tool. Exit 2 on unusable input or when no metric matches.',
    SPECS,
  ),
  async run(argv) {
    const args = parseArgs('export', argv, SPECS);
    if (args.positionals.length > 0) {
      throw new UsageError(`rosetta export: unexpected argument ${JSON.stringify(args.positionals[0])}; usage: ${USAGE}`);
    }
    const input = flagString(args, 'in');
    if (input === undefined) throw new UsageError(`rosetta export: --in is required (the results.json to export); usage: ${USAGE}`);
    const direction = flagString(args, 'direction') as Direction | undefined;
    if (direction === undefined) {
      throw new UsageError(
        'rosetta export: --direction is required (higher or lower): a github-action-benchmark file holds one direction, ' +
          'named by its tool (customBiggerIsBetter or customSmallerIsBetter)',
      );
    }
    const kinds = kindsFor(flagString(args, 'kind') ?? 'all');
    const outFlag = flagString(args, 'out');
    const out = outFlag === undefined ? undefined : checkOutFile('export', 'out', outFlag, dirname(outFlag));

    let results: Results;
    try {
      results = parseResults(await readFile(input, 'utf8'), input);
    } catch (error) {
      process.stderr.write(`rosetta export: ${describeInputError(input, error)}\n`);
      return 2;
    }
    if ((results.runtimes ?? []).length > 1) {
      process.stderr.write(`rosetta export: ${input} is a runtime matrix: exporting its top level (Node ${results.environment.node}); export node-<major>/results.json for the others\n`);
    }
    const exported = toGithubActionBenchmark(results, { direction, kinds });
    if (exported.entries.length === 0) {
      // github-action-benchmark fails on an empty file; say why here, where the cause is visible.
      process.stderr.write(
        `rosetta export: ${input} has no ${direction}-is-better metric of kind ${kinds.join(' or ')} with samples; nothing to export\n`,
      );
      return 2;
    }
    const text = formatGithubActionBenchmark(exported);
    if (out === undefined) {
      process.stdout.write(text);
    } else {
      // writeAtomically's temp file is `${out}.<pid>.<ms>.tmp`: an interrupt removes any such file.
      const release = removeOnInterrupt(() => temporaries(out));
      try {
        await writeAtomically(out, text);
      } finally {
        release();
      }
    }
    const skipped = exported.skipped.length === 0 ? '' : `; skipped ${exported.skipped.length} without samples`;
    process.stderr.write(
      `rosetta export: ${exported.entries.length} metrics for tool ${exported.tool}${out === undefined ? '' : ` -> ${out}`}${skipped}\n`,
    );
    return 0;
  },
};

function temporaries(out: string): string[] {
  const dir = dirname(out);
  const prefix = `${basename(out)}.${process.pid}.`;
  return readdirSync(dir).filter((name) => name.startsWith(prefix) && name.endsWith('.tmp')).map((name) => join(dir, name));
}
