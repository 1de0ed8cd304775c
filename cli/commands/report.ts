// `rosetta report`: renders a results.json into index.html, report.md and a copy of the results,
// all in one directory. It reads the file and draws; it measures nothing. Exit 2 when the file is
// missing or is not a results.json this kit can read, with one line saying what is wrong.
import { readFile, stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { flagString, helpText, parseArgs, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { parseResults, type Results } from '../../harness/schema.js';
import { checkOutDir } from '../output.js';
import { writeReport } from '../write-report.js';
import { formatBytes } from '../../reports/format.js';
import { describeInputError } from '../input-errors.js';

const SPECS: FlagSpecs = {
  in: { kind: 'string', metavar: 'FILE', help: 'the results.json to render (required)' },
  out: { kind: 'string', metavar: 'DIR', help: 'where to write index.html, report.md and results.json (default reports/latest)' },
};

const USAGE = 'rosetta report --in results.json [--out DIR]';

export const command: Command = {
  summary: 'render results.json as index.html (charts, side-by-side code, traceback gallery) and report.md',
  help: helpText(
    USAGE,
    'Renders one results.json into a self-contained index.html, a report.md for PR comments and a\n' +
      'copy of the results, written atomically. Exit 2 when the file is missing or not a valid results.json.',
    SPECS,
  ),
  async run(argv) {
    const args = parseArgs('report', argv, SPECS);
    if (args.positionals.length > 0) {
      throw new UsageError(`rosetta report: unexpected argument ${JSON.stringify(args.positionals[0])}; usage: ${USAGE}`);
    }
    const input = flagString(args, 'in');
    if (input === undefined) throw new UsageError(`rosetta report: --in is required (the results.json to render); usage: ${USAGE}`);
    const outFlag = flagString(args, 'out') ?? 'reports/latest';

    let results: Results;
    try {
      results = parseResults(await readFile(input, 'utf8'), input);
    } catch (error) {
      process.stderr.write(`rosetta report: ${describeInputError(input, error)}\n`);
      return 2;
    }
    // After the input is known good: an unusable input must not leave a new, empty folder behind.
    const outDir = checkOutDir('report', 'out', outFlag);
    const started = performance.now();
    const files = await writeReport(results, outDir);
    const ms = performance.now() - started;
    for (const file of files) {
      const { size } = await stat(file);
      process.stdout.write(`${relative(process.cwd(), file) || file}  ${formatBytes(size)}\n`);
    }
    process.stdout.write(`rendered ${files.length} files in ${Math.round(ms)} ms\n`);
    return 0;
  },
};
