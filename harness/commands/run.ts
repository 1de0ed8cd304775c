// `rosetta run`: measures the styles (echo, workflow, micro, tracebacks), writes results.json and
// the report. `--quick` is the CI run (within 90 s on 2 cores); the default is the full comparison.
import path from 'node:path';
import { styleIds } from '../../styles/registry.js';
import { flagBoolean, flagList, flagNumber, flagString, helpText, parseArgs, rejectPositionals, type FlagSpecs } from '../args.js';
import { checkOutDir } from '../output.js';
import type { Command } from '../cli.js';
import { SCENARIOS, type ScenarioName } from '../phases/common.js';
import { randomSeed } from '../phases/order.js';
import { runAll } from '../run.js';

const USAGE = 'rosetta run [--scenario echo,repos-and-forks,micro,tracebacks] [--style a,b] [--quick] [--repeat N] [--seed N] [--out DIR]';

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
      'echo and repos-and-forks also explain their memory: two heap snapshots per style, with 0 and N idle\n' +
      'connections (or in-flight workflows; N 1000, --quick 200; threads 200, --quick 20), diffed by the name V8\n' +
      'gives each node (results.json memoryAttribution; one style alone: rosetta memory --explain STYLE).\n' +
      'Progress and an ETA go to stderr, a summary table to stdout.\n' +
      'Exit code 1 when any measurement failed (the rest is still written); 130/143 when interrupted.',
    FLAGS,
  ),
  run(argv) {
    const args = parseArgs('run', argv, FLAGS);
    rejectPositionals('run', args, USAGE);
    // Checked (and created) before anything is measured: a bad --out must not cost a whole run.
    const out = checkOutDir('run', 'out', path.resolve(flagString(args, 'out') ?? path.join('reports', 'latest')));
    const repeats = flagNumber(args, 'repeat');
    const seed = flagNumber(args, 'seed') ?? randomSeed();
    return runAll({
      seed,
      scenarios: (flagList(args, 'scenario') ?? SCENARIOS) as readonly ScenarioName[],
      styles: flagList(args, 'style') ?? styleIds(),
      quick: flagBoolean(args, 'quick'),
      ...(repeats !== undefined ? { repeats } : {}),
      out,
    });
  },
};
