// `rosetta calibrate`: measures the regression gate itself (DESIGN.md, "Statistics"). N gate
// measurements of this tree, each judged twice against the baseline:
//   - A/A: as it is. Any failure of the gate is a false alarm.
//   - injected: the callbacks echo server's figures replaced by those of a copy slowed by a fixed
//     amount of work per socket write (harness/fixtures/slow-callbacks.ts), measured in the same run,
//     beside the real one (same rounds, same machine state). The work is sized from the baseline so
//     that callbacks' instructions per request grow by --slowdown percent: one iteration's cost is
//     counted under callgrind first (a first guess), then one instructions run of callbacks beside the
//     slowed copy scales the iterations to the growth asked for (the tuning run); the slowdown achieved
//     is measured in every run and printed, in instructions and in CPU time. The gate detects it when
//     it calls the instructions row a regression.
// Prints each run's verdicts, then the false-alarm and detection rates with their 95% intervals
// (Wilson) and each gated metric's median minimum detectable change; writes calibrate.json.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareResults } from '../../reports/compare.js';
import type { Comparison, CompareOptions } from '../../reports/comparison.js';
import { gateOptions, GATE_ALPHA, GATE_RUN_ARGS, GATE_THRESHOLD, INSTRUCTIONS_FILTER, INSTRUCTIONS_RUN_ARGS } from '../../reports/gate.js';
import { callgrindVersion, callgrindWrapper, instructionsIn } from '../../harness/callgrind.js';
import { runCommand } from '../../harness/processes/watch.js';
import { metricId, parseResults, type Metric, type Results } from '../../harness/schema.js';
import { wilsonInterval } from '../../harness/stats/error-rates.js';
import { geometricMean, median } from '../../harness/stats/summary.js';
import { flagBoolean, flagNumber, flagString, helpText, parseArgs, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { SLOW_SERVER_ENV, SLOW_SERVER_ID } from '../../harness/child/style.js';
import { describeInputError } from '../input-errors.js';
import { measureGate, type GateMeasurement } from '../gate-run.js';
import { DEFAULT_BASELINE } from '../../reports/gate.js';

/** The built calibration fixtures (harness/fixtures): the slowed server and the work-cost script. */
export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'harness', 'fixtures');
const DEFAULT_RUNS = 20;
const DEFAULT_SLOWDOWN = 10;
const DEFAULT_OUT = path.join('.tmp', 'calibrate');
/** The figure the injected work is sized on: callbacks' instructions per 1 KiB request, one write each. */
/** Instructions per 1 KiB request, one connection: the gate's instruction row for a style. */
const INSTRUCTIONS = (style: string): string => metricId('echo.instructions_per_req', style, { connections: 1, size: 1024 });
const TUNED_ON = INSTRUCTIONS('callbacks');
/** What the gate must call a regression for the injection to count as detected. */
const TARGET = metricId('echo.instructions_per_req.ratio', 'callbacks', { connections: 1, size: 1024 });
/** The timed figure, reported beside: how much CPU time the same work added. */
const TIMED = (style: string): string => metricId('echo.cpu_us_per_req', style, { connections: 10, size: 1024 });

const FLAGS: FlagSpecs = {
  runs: { kind: 'int', min: 1, max: 200, metavar: 'N', help: `gate measurements, each judged A/A and injected (default ${DEFAULT_RUNS})` },
  slowdown: { kind: 'number', min: 1, max: 500, metavar: 'PCT', help: `the injected growth of callbacks' instructions per request (default ${DEFAULT_SLOWDOWN})` },
  'instructions-only': { kind: 'boolean', help: "measure and judge only the gate's instruction rows (a few minutes a run instead of about six)" },
  baseline: { kind: 'string', metavar: 'FILE', help: `the baseline the gate compares with (default ${DEFAULT_BASELINE})` },
  out: { kind: 'string', metavar: 'DIR', help: `where runs and calibrate.json go (default ${DEFAULT_OUT})` },
  rejudge: {
    kind: 'boolean',
    help: 'measure nothing: judge the runs already in --out (run-1 ... run-N) again, e.g. after a change to the statistics',
  },
};

export const command: Command = {
  summary: "measure the gate's own false-alarm and detection rates (A/A runs and an injected slowdown)",
  help: helpText(
    'rosetta calibrate [--runs N] [--slowdown PCT] [--instructions-only] [--baseline FILE] [--out DIR] [--rejudge]',
    `Runs N gate measurements (\`rosetta ${GATE_RUN_ARGS.join(' ')}\`, plus a slowed callbacks echo server\n` +
      'beside the real one) and judges each twice with the gate (reports/gate.ts): unchanged (A/A: a failure is a\n' +
      'false alarm) and with callbacks\' echo figures replaced by the slowed server\'s (a regression of its\n' +
      "instructions row is a detection). The extra work per write is sized from the baseline's callbacks\n" +
      'instructions per request: the cost of one iteration counted under callgrind first, then rescaled by one\n' +
      'instructions run of callbacks beside the slowed copy (the tuning run, in --out/tune). Prints the rates\n' +
      "with 95% Wilson intervals and each gated metric's median minimum detectable change. Needs valgrind and a\n" +
      'quiet machine: about 6 minutes per run (3 with --instructions-only). Exit 0 when done, 2 on unusable input.',
    FLAGS,
  ),
  async run(argv) {
    const args = parseArgs('calibrate', argv, FLAGS);
    if (args.positionals.length > 0) throw new UsageError(`rosetta calibrate: takes no positional arguments (got ${JSON.stringify(args.positionals[0])})`);
    const runs = flagNumber(args, 'runs') ?? DEFAULT_RUNS;
    const slowdown = flagNumber(args, 'slowdown') ?? DEFAULT_SLOWDOWN;
    const baselineFile = flagString(args, 'baseline') ?? DEFAULT_BASELINE;
    const out = path.resolve(flagString(args, 'out') ?? DEFAULT_OUT);
    let base: Results;
    try {
      base = parseResults(await readFile(baselineFile, 'utf8'), baselineFile);
    } catch (error) {
      throw new UsageError(`rosetta calibrate: ${describeInputError(baselineFile, error)}`);
    }
    const tuned = base.metrics.find((metric) => metric.id === TUNED_ON);
    if (tuned === undefined || tuned.samples.length === 0) {
      throw new UsageError(`rosetta calibrate: ${baselineFile} has no ${TUNED_ON}; make the baseline with this harness first (reports/BASELINE.md)`);
    }
    const rejudge = flagBoolean(args, 'rejudge');
    const instructionsOnly = flagBoolean(args, 'instructions-only');
    if (!rejudge && (await callgrindVersion()) === undefined) {
      throw new UsageError('rosetta calibrate: needs valgrind and callgrind_control (apt-get install valgrind); neither was found on PATH');
    }
    // One socket write per echoed 1 KiB message: the extra work per write is the growth per request.
    const extraInstructions = (geometricMean(tuned.samples) * slowdown) / 100;
    const perIteration = rejudge ? Number.NaN : await instructionsPerIteration();
    const guessed = rejudge ? 0 : Math.max(1, Math.round(extraInstructions / perIteration));
    if (!rejudge) {
      process.stderr.write(
        `rosetta calibrate: first guess ${guessed} iterations of fixed work per socket write in callbacks, ${perIteration.toFixed(2)} instructions each: ` +
          `+${Math.round(guessed * perIteration)} (${slowdown}% of its ${Math.round(geometricMean(tuned.samples))} instructions per 1 KiB request in the baseline); tuning in place\n`,
      );
    }
    const tuning = rejudge ? undefined : await tuneInPlace(path.join(out, 'tune'), guessed, slowdown);
    if (typeof tuning === 'string') {
      process.stderr.write(`rosetta calibrate: the tuning run: ${tuning}\n`);
      return 2;
    }
    const iterations = tuning?.iterations ?? 0;
    const env = slowEnv(iterations);
    if (tuning !== undefined) {
      process.stderr.write(
        `rosetta calibrate: ${guessed} iterations grew callbacks' instructions per request by ${tuning.guessAchievedPercent.toFixed(1)}% in place; ` +
          `${runs} gate run${runs === 1 ? '' : 's'}${instructionsOnly ? ' (instruction rows only)' : ''} with ${iterations}\n`,
      );
    }
    const runArgs = instructionsOnly ? INSTRUCTIONS_RUN_ARGS : GATE_RUN_ARGS;
    const options = instructionsOnly ? { ...gateOptions(), filter: INSTRUCTIONS_FILTER } : gateOptions();

    const rows: CalibrationRun[] = [];
    const started = performance.now();
    for (let i = 1; i <= runs; i++) {
      const measured = rejudge ? await readRun(path.join(out, `run-${i}`)) : await measureGate(path.join(out, `run-${i}`), env, true, runArgs);
      if (typeof measured === 'string') {
        process.stderr.write(`rosetta calibrate: run ${i}: ${measured}\n`);
        return 2;
      }
      const row = judge(base, measured.results, i, measured.ms, options);
      rows.push(row);
      const eta = ((performance.now() - started) / i) * (runs - i);
      process.stdout.write(`${formatRun(row)}   (${i}/${runs}, ETA ${Math.round(eta / 1000)} s)\n`);
    }
    const injection = rejudge
      ? earlierInjection(out)
      : { guessed, guessAchievedPercent: tuning?.guessAchievedPercent ?? null, iterations, perIteration };
    const summary = summarize(rows, slowdown, injection);
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'calibrate.json'), JSON.stringify({ summary, runs: rows }, null, 2) + '\n');
    process.stdout.write(formatSummary(summary));
    return 0;
  },
};

/** The environment of a gate run with the slowed callbacks server beside the real one. */
function slowEnv(iterations: number): NodeJS.ProcessEnv {
  return { [SLOW_SERVER_ENV]: path.join(FIXTURES, 'slow-callbacks.js'), ROSETTA_SLOW_WORK: String(iterations) };
}

/** The tuning run: the instructions scenario for callbacks alone (with the baseline and the slowed copy). */
const TUNING_RUN_ARGS: readonly string[] = ['run', '--quick', '--scenario', 'instructions', '--style', 'callbacks'];

/**
 * Sizes the injected work where it runs. work-cost.js counts an iteration in a loop of its own; in
 * the server the JIT compiles the same loop in another context, at another time, and an iteration
 * costs something else, so a count taken alone is only a first guess. The growth is linear in the
 * iterations (the call itself costs a few instructions of the ~1,500 added), so one run with the
 * first guess and a rescale gives the growth asked for; every gate run measures the growth it got
 * again (reports/BASELINE.md).
 */
async function tuneInPlace(
  out: string,
  guessed: number,
  slowdown: number,
): Promise<{ readonly iterations: number; readonly guessAchievedPercent: number } | string> {
  const measured = await measureGate(out, slowEnv(guessed), true, TUNING_RUN_ARGS);
  if (typeof measured === 'string') return measured;
  const achieved = achievedPercent(measured.results, INSTRUCTIONS);
  const iterations = tunedIterations(guessed, slowdown, achieved);
  if (iterations === undefined || achieved === null) {
    return `${guessed} iterations per write did not slow callbacks' instructions per request (growth ${achieved === null ? 'not measured' : `${achieved.toFixed(2)}%`}); see ${out}`;
  }
  return { iterations, guessAchievedPercent: achieved };
}

/** The iterations that give `slowdown` percent, when `guessed` gave `achieved` percent; undefined when it gave none. */
export function tunedIterations(guessed: number, slowdown: number, achieved: number | null): number | undefined {
  return achieved === null || !(achieved > 0) ? undefined : Math.max(1, Math.round((guessed * slowdown) / achieved));
}

/** What the measuring calibrate recorded of its injection, for --rejudge (unknown: NaN and null). */
function earlierInjection(out: string): Injection {
  try {
    const { summary } = JSON.parse(readFileSync(path.join(out, 'calibrate.json'), 'utf8')) as { summary: Partial<CalibrationSummary> };
    return {
      guessed: summary.guessedIterations ?? Number.NaN,
      guessAchievedPercent: summary.guessAchievedPercent ?? null,
      iterations: summary.iterationsPerWrite ?? Number.NaN,
      perIteration: summary.instructionsPerIteration ?? Number.NaN,
    };
  } catch {
    return { guessed: Number.NaN, guessAchievedPercent: null, iterations: Number.NaN, perIteration: Number.NaN };
  }
}

/** A run `calibrate` measured earlier, for --rejudge. */
async function readRun(dir: string): Promise<GateMeasurement | string> {
  const file = path.join(dir, 'results.json');
  try {
    return { results: parseResults(await readFile(file, 'utf8'), file), ms: 0 };
  } catch (error) {
    return describeInputError(file, error);
  }
}

export interface CalibrationRun {
  readonly run: number;
  readonly seconds: number;
  /** A/A: the gate failed (a regression, a lost metric or a recorded failure). */
  readonly falseAlarm: boolean;
  readonly aaRegressions: readonly string[];
  /** Injected: the gate called callbacks' CPU per request a regression. */
  readonly detected: boolean;
  readonly injectedRegressions: readonly string[];
  /** Measured in this run: slowed callbacks against the real one, instructions per 1 KiB request. */
  readonly achievedSlowdownPercent: number | null;
  /** The same work in CPU time per request at the fixed rate (null when the run did not time echo). */
  readonly achievedCpuPercent: number | null;
  /** Minimum detectable change per gated metric in the A/A comparison. */
  readonly mdc: Readonly<Record<string, number | null>>;
}

/** The run's results as the gate would see them unchanged, and with callbacks' echo figures slowed. */
export function splitCalibrationRun(head: Results): { readonly unchanged: Results; readonly injected: Results } {
  const slow = head.metrics.filter((metric) => metric.style === SLOW_SERVER_ID);
  const renamed = slow.map((metric): Metric => ({ ...metric, style: 'callbacks', id: metricId(metric.name, 'callbacks', metric.params) }));
  const replaced = new Set(renamed.map((metric) => metric.id));
  const others = head.metrics.filter((metric) => metric.style !== SLOW_SERVER_ID);
  return {
    unchanged: { ...head, metrics: others },
    injected: { ...head, metrics: [...others.filter((metric) => !replaced.has(metric.id)), ...renamed] },
  };
}

/** Slowed against real callbacks in the same run, in percent, for one metric id template. */
function achievedPercent(head: Results, id: (style: string) => string): number | null {
  const slow = head.metrics.find((metric) => metric.id === id(SLOW_SERVER_ID));
  const real = head.metrics.find((metric) => metric.id === id('callbacks'));
  return slow !== undefined && real !== undefined && slow.samples.length > 0 && real.samples.length > 0
    ? (geometricMean(slow.samples) / geometricMean(real.samples) - 1) * 100
    : null;
}

function judge(base: Results, head: Results, run: number, ms: number, options: CompareOptions): CalibrationRun {
  const { unchanged, injected } = splitCalibrationRun(head);
  const aa = compareResults(base, unchanged, options);
  const inj = compareResults(base, injected, options);
  const achieved = achievedPercent(head, INSTRUCTIONS);
  const regressions = (c: Comparison): string[] => c.rows.filter((row) => row.verdict === 'regression').map((row) => row.id);
  const fails = (c: Comparison): boolean => c.counts.regression > 0 || c.onlyInBase.length > 0 || head.failures.length > 0;
  const target = TARGET;
  return {
    run,
    seconds: Math.round(ms / 100) / 10,
    falseAlarm: fails(aa),
    aaRegressions: [...regressions(aa), ...aa.onlyInBase.map((id) => `missing ${id}`), ...head.failures.map((f) => `failure ${f.what}`)],
    detected: inj.rows.some((row) => row.id === target && row.verdict === 'regression'),
    injectedRegressions: regressions(inj),
    achievedSlowdownPercent: achieved,
    achievedCpuPercent: achievedPercent(head, TIMED),
    mdc: Object.fromEntries(aa.rows.map((row) => [row.id, row.mdcPercent])),
  };
}

export interface CalibrationSummary {
  readonly runs: number;
  readonly threshold: number;
  readonly alpha: number;
  readonly slowdownPercent: number;
  /** Iterations of fixed work per write in the slowed server, and the instructions one costs alone. */
  readonly iterationsPerWrite: number;
  readonly instructionsPerIteration: number;
  /** The first guess (from instructionsPerIteration) and the growth it gave in the tuning run. */
  readonly guessedIterations: number;
  readonly guessAchievedPercent: number | null;
  readonly falseAlarms: number;
  readonly falseAlarmInterval95: readonly [number, number];
  readonly detections: number;
  readonly detectionInterval95: readonly [number, number];
  readonly achievedSlowdownPercent: { readonly median: number; readonly min: number; readonly max: number } | null;
  /** The same in CPU time per request (timed echo cost), when the runs timed it. */
  readonly achievedCpuPercent: { readonly median: number; readonly min: number; readonly max: number } | null;
  /** Median over the runs of each gated metric's minimum detectable change, in percent. */
  readonly mdcPercent: Readonly<Record<string, number>>;
  readonly medianRunSeconds: number;
}

interface Injection {
  readonly guessed: number;
  readonly guessAchievedPercent: number | null;
  readonly iterations: number;
  readonly perIteration: number;
}

function summarize(rows: readonly CalibrationRun[], slowdown: number, injection: Injection): CalibrationSummary {
  const n = rows.length;
  const alarms = rows.filter((row) => row.falseAlarm).length;
  const detections = rows.filter((row) => row.detected).length;
  const spread = (values: readonly (number | null)[]): { median: number; min: number; max: number } | null => {
    const known = values.filter((x): x is number => x !== null);
    return known.length === 0 ? null : { median: median(known), min: Math.min(...known), max: Math.max(...known) };
  };
  const ids = [...new Set(rows.flatMap((row) => Object.keys(row.mdc)))].sort();
  const mdcPercent: Record<string, number> = {};
  for (const id of ids) {
    const values = rows.map((row) => row.mdc[id]).filter((x): x is number => typeof x === 'number');
    if (values.length > 0) mdcPercent[id] = median(values);
  }
  return {
    runs: n,
    threshold: GATE_THRESHOLD,
    alpha: GATE_ALPHA,
    slowdownPercent: slowdown,
    iterationsPerWrite: injection.iterations,
    instructionsPerIteration: injection.perIteration,
    guessedIterations: injection.guessed,
    guessAchievedPercent: injection.guessAchievedPercent,
    falseAlarms: alarms,
    falseAlarmInterval95: wilsonInterval(alarms, n),
    detections,
    detectionInterval95: wilsonInterval(detections, n),
    achievedSlowdownPercent: spread(rows.map((row) => row.achievedSlowdownPercent)),
    achievedCpuPercent: spread(rows.map((row) => row.achievedCpuPercent)),
    mdcPercent,
    medianRunSeconds: median(rows.map((row) => row.seconds)),
  };
}

function formatRun(row: CalibrationRun): string {
  const aa = row.falseAlarm ? `FALSE ALARM (${row.aaRegressions.join(', ')})` : 'pass';
  const achieved = row.achievedSlowdownPercent === null ? 'n/a' : `${row.achievedSlowdownPercent >= 0 ? '+' : ''}${row.achievedSlowdownPercent.toFixed(1)}%`;
  return `run ${row.run}: A/A ${aa}; injected ${row.detected ? 'detected' : 'MISSED'} (slowdown achieved ${achieved}); ${row.seconds} s`;
}

function achievedLine(what: string, a: { readonly median: number; readonly min: number; readonly max: number } | null): string {
  return a === null
    ? `growth achieved in ${what}: not measured`
    : `growth achieved in ${what} (slowed against real callbacks, same run): median ${a.median.toFixed(1)}%, range ${a.min.toFixed(1)}% to ${a.max.toFixed(1)}%`;
}

function formatSummary(s: CalibrationSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const lines = [
    '',
    `gate: threshold ${s.threshold}%, family-wise alpha ${s.alpha} (Holm), ${s.runs} runs, median ${s.medianRunSeconds.toFixed(1)} s each`,
    `A/A false alarms: ${s.falseAlarms} of ${s.runs} (95% interval ${pct(s.falseAlarmInterval95[0])} to ${pct(s.falseAlarmInterval95[1])})`,
    `injected ${s.slowdownPercent}% growth of callbacks' instructions per request (${s.iterationsPerWrite} iterations per write, tuned in place from ${s.guessedIterations} ` +
      `at ${s.instructionsPerIteration.toFixed(2)} instructions each alone, which gave ${s.guessAchievedPercent === null ? 'n/a' : `${s.guessAchievedPercent.toFixed(1)}%`}): ` +
      `detected in ${s.detections} of ${s.runs} (95% interval ${pct(s.detectionInterval95[0])} to ${pct(s.detectionInterval95[1])})`,
    achievedLine('instructions per request', s.achievedSlowdownPercent),
    achievedLine('CPU time per request at the fixed rate', s.achievedCpuPercent),
    '',
    'minimum detectable change per gated metric (median over the A/A runs; 80% power at alpha / tested metrics):',
    ...Object.entries(s.mdcPercent).map(([id, value]) => `  ${id.split('|').join(' ').padEnd(72)} ±${value.toFixed(1)}%`),
    '',
  ];
  return lines.join('\n');
}

/**
 * Instructions one iteration of the slowed server's work costs: work-cost.js run under callgrind for
 * two amounts, the difference of the counts over the difference of the amounts (node's own start-up
 * cancels out).
 */
async function instructionsPerIteration(): Promise<number> {
  const script = path.join(FIXTURES, 'work-cost.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rosetta-work-cost-'));
  try {
    const count = async (iterations: number): Promise<number> => {
      const wrapper = callgrindWrapper(dir).filter((arg) => arg !== '--instr-atstart=no');
      const [command = 'valgrind', ...args] = [...wrapper, process.execPath, script, String(iterations)];
      await runCommand({ label: 'work-cost under callgrind', command, args, deadlineMs: 300_000 });
      const files = readdirSync(dir).filter((name) => name.startsWith('callgrind.'));
      const file = files[files.length - 1];
      if (files.length !== 1 || file === undefined) throw new Error(`callgrind left ${files.length} files in ${dir}, expected 1`);
      const total = instructionsIn(readFileSync(path.join(dir, file), 'utf8'));
      rmSync(path.join(dir, file));
      return total;
    };
    const small = 10_000_000;
    const large = 30_000_000;
    const [a, b] = [await count(small), await count(large)];
    return (b - a) / (large - small);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
