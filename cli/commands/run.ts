// `rosetta run`: measures the styles (echo, workflow, micro, tracebacks) and writes results.json
// (harness/run.ts), then renders the report from it, the step `rosetta report` takes on its own.
// `--quick` is the CI run (within 90 s on 2 cores); the default is the full comparison.
import path from 'node:path';
import { styleIds } from '../../styles/registry.js';
import { flagBoolean, flagList, flagNumber, flagString, helpText, parseArgs, rejectPositionals, UsageError, type FlagSpecs } from '../args.js';
import { callgrindVersion } from '../../harness/callgrind.js';
import { checkOutDir } from '../output.js';
import type { Command } from '../command.js';
import { SCENARIOS, type ScenarioName } from '../../harness/phases/common.js';
import { randomSeed } from '../../harness/phases/order.js';
import { runAll } from '../../harness/run.js';
import { writeReport } from './report.js';

const USAGE = 'rosetta run [--scenario echo,repos-and-forks,memory,instructions,micro,tracebacks] [--style a,b] [--quick] [--repeat N] [--seed N] [--out DIR]';

const FLAGS: FlagSpecs = {
  scenario: { kind: 'list', choices: SCENARIOS, help: 'what to measure (default: all)', metavar: 'LIST' },
  style: { kind: 'list', choices: styleIds(), help: 'styles to measure (default: all); the references are added where ratios need them', metavar: 'LIST' },
  quick: { kind: 'boolean', help: 'the short run CI uses: echo at 1 KiB only, smaller memory sweeps, 3 repeats' },
  repeat: {
    kind: 'int',
    min: 1,
    max: 50,
    help: 'repeats of each timed measurement, each a fresh process pair (default 3)',
    metavar: 'N',
  },
  seed: {
    kind: 'int',
    min: 0,
    max: 0xffffffff,
    help: 'seed of the order styles take turns in (default: a fresh one, recorded in results.json)',
    metavar: 'N',
  },
  out: { kind: 'string', help: 'folder for results.json and the report (default reports/latest)', metavar: 'DIR' },
};

export const command: Command = {
  summary: 'measure every style (echo, workflow, micro, tracebacks) and write results.json and the report',
  help: helpText(
    USAGE,
    'Runs each measurement in fresh child processes built from dist/ (run `npm run build` first), server and\n' +
      'load pinned to different cores where taskset exists. Every repeat of every style is a fresh process pair,\n' +
      'warmed to a steady state; the styles take turns in an order shuffled per round from --seed. Echo cost is\n' +
      'server CPU per request at a fixed offered rate (open loop); capacity is a closed loop, with who saturated.\n' +
      'Scenarios: echo (cost, capacity, memory), repos-and-forks (throughput, wall time, memory), memory (both\n' +
      'memory sweeps alone), instructions (needs valgrind: echo requests counted by callgrind, the low-noise cost\n' +
      'figure the regression gate reads; a few minutes, two servers at a time), micro, tracebacks.\n' +
      'echo and repos-and-forks also explain their memory: two heap snapshots per style, with 0 and N idle\n' +
      'connections (or in-flight workflows; N 1000, --quick 200; threads 200, --quick 20), diffed by the name V8\n' +
      'gives each node (results.json memoryAttribution; one style alone: rosetta memory --explain STYLE).\n' +
      'Progress and an ETA go to stderr, a summary table to stdout.\n' +
      'Exit code 1 when any measurement failed (the rest is still written); 130/143 when interrupted.',
    FLAGS,
  ),
  async run(argv) {
    const args = parseArgs('run', argv, FLAGS);
    rejectPositionals('run', args, USAGE);
    // Asked for by name, instruction counts without valgrind are bad input; in the default (all) they are skipped with a note.
    if (flagList(args, 'scenario')?.includes('instructions') === true && (await callgrindVersion()) === undefined) {
      throw new UsageError('rosetta run: --scenario instructions needs valgrind and callgrind_control (apt-get install valgrind); neither was found on PATH');
    }
    // Checked (and created) before anything is measured: a bad --out must not cost a whole run.
    const out = checkOutDir('run', 'out', path.resolve(flagString(args, 'out') ?? path.join('reports', 'latest')));
    const repeats = flagNumber(args, 'repeat');
    const seed = flagNumber(args, 'seed') ?? randomSeed();
    const { code, results } = await runAll({
      seed,
      scenarios: (flagList(args, 'scenario') ?? SCENARIOS) as readonly ScenarioName[],
      styles: flagList(args, 'style') ?? styleIds(),
      quick: flagBoolean(args, 'quick'),
      ...(repeats !== undefined ? { repeats } : {}),
      out,
    });
    // The report is drawn from results.json alone; a renderer that fails costs the report, not the measurements.
    try {
      await writeReport(results, out);
      process.stderr.write(`report: ${path.join(out, 'index.html')}, ${path.join(out, 'report.md')}\n`);
    } catch (error) {
      process.stderr.write(`report: rendering failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    return code;
  },
};
