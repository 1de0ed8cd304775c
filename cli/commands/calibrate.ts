// `rosetta calibrate`: measures the regression gate itself (DESIGN.md, "Statistics"). N gate
// measurements of this tree, each judged three times against the baseline, on the gate's full row set:
//   - A/A: as it is. Any failure of the gate is a false alarm.
//   - injected instructions: the callbacks echo server's instruction figures replaced by those of a
//     copy that does a fixed amount of work per socket write (harness/fixtures/slow-callbacks.ts),
//     measured in the same run beside the real one (same rounds, same machine state). The work is
//     sized from the baseline so that callbacks' instructions per request grow by --slowdown percent:
//     one iteration's cost counted under callgrind (a first guess), then one instructions run of
//     callbacks beside the copy rescales it (the tuning run). Detected when the gate calls one of
//     callbacks' instruction rows (its count or its ratio) a regression.
//   - injected memory: callbacks' memory figures replaced by the same copy's, which holds a fixed
//     number of extra bytes per accepted connection, sized to grow callbacks' memory per idle
//     connection by --memory-growth percent (a first guess from the baseline, then one memory run
//     beside the copy). Detected when the gate calls callbacks' idle-memory ratio a regression.
// The growth achieved is measured in every run and printed. Prints each run's verdicts, then the
// false-alarm and detection rates with their 95% intervals (Wilson) and each gated metric's median
// minimum detectable change; writes calibrate.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareResults } from '../../reports/compare.js';
import type { Comparison, CompareOptions } from '../../reports/comparison.js';
import { mdcFigure } from '../../reports/compare-format.js';
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
import { AgainstError, AgainstInterrupted, inPatchedTree } from '../against.js';
import { formatRegressions, REGRESSIONS_DIR, regressionFixtures, regressionOutcome, type RegressionOutcome } from '../regressions.js';
import { DEFAULT_BASELINE } from '../../reports/gate.js';

/** The built calibration fixtures (harness/fixtures): the slowed server and the work-cost script. */
export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'harness', 'fixtures');
const DEFAULT_RUNS = 20;
const DEFAULT_SLOWDOWN = 10;
const DEFAULT_OUT = path.join('.tmp', 'calibrate');
/** Instructions per 1 KiB request, one connection: the gate's instruction row for a style, and what the injected work is sized on. */
const INSTRUCTIONS = (style: string): string => metricId('echo.instructions_per_req', style, { connections: 1, size: 1024 });
const TUNED_ON = INSTRUCTIONS('callbacks');
/** What the gate must call a regression for each injection to count as detected: any of callbacks' rows of these names. */
const INSTRUCTIONS_TARGETS: readonly string[] = ['echo.instructions_per_req', 'echo.instructions_per_req.ratio'];
const MEMORY_TARGETS: readonly string[] = ['memory.echo_idle.bytes_per_conn.ratio'];
/** The memory figure the held bytes are sized on, and their growth measured by: callbacks' idle slope (its id holds the sweep's steps). */
const IDLE_MEMORY = 'memory.echo_idle.bytes_per_conn';
const DEFAULT_MEMORY_GROWTH = 10;
/** Picks a metric of a style: by its id, or callbacks' idle-memory slope (whatever the sweep's steps). */
const byId =
  (id: (style: string) => string) =>
  (metric: Metric, style: string): boolean =>
    metric.id === id(style);
const idleMemory = (metric: Metric, style: string): boolean => metric.name === IDLE_MEMORY && metric.style === style && metric.kind === 'absolute';
/** The timed figure, reported beside: how much CPU time the same work added. */
const TIMED = (style: string): string => metricId('echo.cpu_us_per_req', style, { connections: 10, size: 1024 });

const FLAGS: FlagSpecs = {
  runs: { kind: 'int', min: 1, max: 200, metavar: 'N', help: `gate measurements, each judged A/A and injected (default ${DEFAULT_RUNS})` },
  slowdown: { kind: 'number', min: 1, max: 500, metavar: 'PCT', help: `the injected growth of callbacks' instructions per request (default ${DEFAULT_SLOWDOWN})` },
  'memory-growth': {
    kind: 'number',
    min: 1,
    max: 500,
    metavar: 'PCT',
    help: `the injected growth of callbacks' memory per idle connection (default ${DEFAULT_MEMORY_GROWTH}; not with --instructions-only)`,
  },
  'instructions-only': { kind: 'boolean', help: "measure and judge only the gate's instruction rows (a few minutes a run instead of about six)" },
  baseline: { kind: 'string', metavar: 'FILE', help: `the baseline the gate compares with (default ${DEFAULT_BASELINE})` },
  out: { kind: 'string', metavar: 'DIR', help: `where runs and calibrate.json go (default ${DEFAULT_OUT})` },
  regressions: {
    kind: 'boolean',
    help: `also measure each realistic regression in ${REGRESSIONS_DIR} (applied to a scratch copy of HEAD, built, one gate measurement each)`,
  },
  rejudge: {
    kind: 'boolean',
    help: 'measure nothing: judge the runs already in --out (run-1 ... run-N) again, e.g. after a change to the statistics',
  },
};

export const command: Command = {
  summary: "measure the gate's own false-alarm and detection rates (A/A runs, injected instructions and memory)",
  help: helpText(
    'rosetta calibrate [--runs N] [--slowdown PCT] [--memory-growth PCT] [--instructions-only] [--regressions] [--baseline FILE] [--out DIR] [--rejudge]',
    `Runs N gate measurements (\`rosetta ${GATE_RUN_ARGS.join(' ')}\`, plus a changed copy of the callbacks echo\n` +
      'server beside the real one) and judges each three times with the gate (reports/gate.ts), on its full row set:\n' +
      'unchanged (A/A: a failure is a false alarm); with callbacks\' instruction figures replaced by the copy\'s, which\n' +
      'does fixed work per socket write (a regression of one of callbacks\' instruction rows is a detection); and with\n' +
      "callbacks' memory figures replaced by the copy's, which holds fixed extra bytes per connection (a regression of\n" +
      "its idle-memory ratio is a detection). Both are sized from the baseline's callbacks figures, then rescaled by a\n" +
      'tuning run of callbacks beside the copy (in --out/tune and --out/tune-memory). Prints the rates with 95% Wilson\n' +
      "intervals, the growth achieved, and each gated metric's median minimum detectable change. Needs valgrind and\n" +
      'a quiet machine: about 6 minutes per run (3 with --instructions-only, which judges the instruction rows and the\n' +
      'instructions injection alone). With --regressions, each realistic regression (a patch of one style) is then\n' +
      'measured in a patched, built copy of HEAD and reported with the change the gate saw and its verdict.\n' +
      'Exit 0 when done, 2 on unusable input.',
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
    const memoryGrowth = flagNumber(args, 'memory-growth') ?? DEFAULT_MEMORY_GROWTH;
    if (instructionsOnly && flagNumber(args, 'memory-growth') !== undefined) {
      throw new UsageError('rosetta calibrate: --memory-growth needs the memory rows; --instructions-only measures none');
    }
    const idle = base.metrics.find((metric) => metric.name === IDLE_MEMORY && metric.style === 'callbacks' && metric.kind === 'absolute');
    if (!instructionsOnly && (idle === undefined || idle.samples.length === 0)) {
      throw new UsageError(`rosetta calibrate: ${baselineFile} has no ${IDLE_MEMORY} of callbacks; make the baseline with the gate's arguments (reports/BASELINE.md), or use --instructions-only`);
    }
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
    if (tuning !== undefined) {
      process.stderr.write(`rosetta calibrate: ${guessed} iterations grew callbacks' instructions per request by ${tuning.guessAchievedPercent.toFixed(1)}% in place; using ${iterations}\n`);
    }
    // The held bytes: a first guess of the growth asked for, then one memory run beside the copy.
    const bytesGuessed = instructionsOnly || idle === undefined ? 0 : Math.max(1, Math.round((geometricMean(idle.samples) * memoryGrowth) / 100));
    const memoryTuning = rejudge || instructionsOnly ? undefined : await tuneMemoryInPlace(path.join(out, 'tune-memory'), iterations, bytesGuessed, memoryGrowth);
    if (typeof memoryTuning === 'string') {
      process.stderr.write(`rosetta calibrate: the memory tuning run: ${memoryTuning}\n`);
      return 2;
    }
    const bytes = memoryTuning?.bytes ?? 0;
    if (memoryTuning !== undefined) {
      process.stderr.write(
        `rosetta calibrate: ${bytesGuessed} bytes held per connection grew callbacks' memory per idle connection by ${memoryTuning.guessAchievedPercent.toFixed(1)}% in place; using ${bytes}\n`,
      );
    }
    const env = slowEnv(iterations, bytes);
    if (!rejudge) process.stderr.write(`rosetta calibrate: ${runs} gate run${runs === 1 ? '' : 's'}${instructionsOnly ? ' (instruction rows only)' : ''}\n`);
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
      const row = judge(base, measured.results, i, measured.ms, options, !instructionsOnly);
      rows.push(row);
      const eta = ((performance.now() - started) / i) * (runs - i);
      process.stdout.write(`${formatRun(row)}   (${i}/${runs}, ETA ${Math.round(eta / 1000)} s)\n`);
    }
    const injection = rejudge
      ? earlierInjection(out)
      : {
          guessed,
          guessAchievedPercent: tuning?.guessAchievedPercent ?? null,
          iterations,
          perIteration,
          bytesGuessed: instructionsOnly ? null : bytesGuessed,
          bytesGuessAchievedPercent: memoryTuning?.guessAchievedPercent ?? null,
          bytes: instructionsOnly ? null : bytes,
        };
    const summary = summarize(rows, slowdown, instructionsOnly ? null : memoryGrowth, injection);
    const regressions = flagBoolean(args, 'regressions') ? await measureRegressions(base, out, rejudge, runArgs, options) : undefined;
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'calibrate.json'), JSON.stringify({ summary, runs: rows, ...(regressions === undefined ? {} : { regressions }) }, null, 2) + '\n');
    process.stdout.write(formatSummary(summary));
    if (regressions !== undefined) process.stdout.write(formatRegressions(regressions));
    return 0;
  },
};

/**
 * Each realistic regression: a scratch copy of HEAD with its patch applied, built, measured once with
 * the gate's arguments (in --out/regression-<name>) and judged by the gate. With --rejudge, the
 * measurements already there are judged again. One that cannot be measured is reported with why.
 */
async function measureRegressions(
  base: Results,
  out: string,
  rejudge: boolean,
  runArgs: readonly string[],
  options: CompareOptions,
): Promise<RegressionOutcome[]> {
  const root = spawnSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' });
  if (root.status !== 0) throw new UsageError(`rosetta calibrate: --regressions needs a git checkout; ${process.cwd()} is not inside one`);
  const outcomes: RegressionOutcome[] = [];
  for (const fixture of regressionFixtures(root.stdout.trim())) {
    const dir = path.join(out, `regression-${fixture.name}`);
    process.stderr.write(`rosetta calibrate: regression ${fixture.name} (${fixture.style}: ${fixture.what})\n`);
    let measured: GateMeasurement | string;
    try {
      measured = rejudge
        ? await readRun(dir)
        : await inPatchedTree(fixture.file, fixture.name, (tree) => measureGate(dir, {}, true, runArgs, path.join(tree, 'dist', 'cli', 'main.js')));
    } catch (error) {
      if (error instanceof AgainstInterrupted) process.exit(error.signal === 'SIGINT' ? 130 : 143);
      if (!(error instanceof AgainstError)) throw error;
      measured = error.message;
    }
    if (typeof measured === 'string') {
      outcomes.push({ name: fixture.name, style: fixture.style, what: fixture.what, caught: false, rows: [], error: measured });
      continue;
    }
    outcomes.push(regressionOutcome(fixture, compareResults(base, measured.results, options), measured.results.failures.length));
  }
  return outcomes;
}

/** The environment of a gate run with the changed callbacks server beside the real one. */
function slowEnv(iterations: number, bytes: number): NodeJS.ProcessEnv {
  return { [SLOW_SERVER_ENV]: path.join(FIXTURES, 'slow-callbacks.js'), ROSETTA_SLOW_WORK: String(iterations), ROSETTA_SLOW_BYTES: String(bytes) };
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
  const measured = await measureGate(out, slowEnv(guessed, 0), true, TUNING_RUN_ARGS);
  if (typeof measured === 'string') return measured;
  const achieved = achievedPercent(measured.results, byId(INSTRUCTIONS));
  const iterations = tunedIterations(guessed, slowdown, achieved);
  if (iterations === undefined || achieved === null) {
    return `${guessed} iterations per write did not slow callbacks' instructions per request (growth ${achieved === null ? 'not measured' : `${achieved.toFixed(2)}%`}); see ${out}`;
  }
  return { iterations, guessAchievedPercent: achieved };
}

/** The memory tuning run: callbacks' memory sweeps, with the baseline server and the copy. */
const MEMORY_TUNING_RUN_ARGS: readonly string[] = ['run', '--quick', '--scenario', 'memory', '--style', 'callbacks'];

/**
 * Sizes the held bytes where they are held: a Buffer costs its bytes plus a fixed object on the heap,
 * so the growth is the bytes asked for plus a constant. One memory run with the first guess gives the
 * constant; the bytes are moved by what the growth missed (in bytes of this run's callbacks slope).
 */
async function tuneMemoryInPlace(
  out: string,
  iterations: number,
  guessed: number,
  growth: number,
): Promise<{ readonly bytes: number; readonly guessAchievedPercent: number } | string> {
  const measured = await measureGate(out, slowEnv(iterations, guessed), true, MEMORY_TUNING_RUN_ARGS);
  if (typeof measured === 'string') return measured;
  const slow = measured.results.metrics.find((metric) => metric.name === IDLE_MEMORY && metric.style === SLOW_SERVER_ID);
  const real = measured.results.metrics.find((metric) => metric.name === IDLE_MEMORY && metric.style === 'callbacks');
  if (slow === undefined || real === undefined || slow.samples.length === 0 || real.samples.length === 0) {
    return `the memory run measured no ${IDLE_MEMORY} of callbacks and its copy; see ${out}`;
  }
  const realBytes = geometricMean(real.samples);
  const achieved = (geometricMean(slow.samples) / realBytes - 1) * 100;
  return { bytes: tunedBytes(guessed, growth, achieved, realBytes), guessAchievedPercent: achieved };
}

/** The bytes that give `growth` percent of `realBytes`, when `guessed` bytes gave `achieved` percent: the difference moved, never below 0. */
export function tunedBytes(guessed: number, growth: number, achieved: number, realBytes: number): number {
  return Math.max(0, Math.round(guessed + ((growth - achieved) / 100) * realBytes));
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
      bytesGuessed: summary.guessedBytesPerConnection ?? null,
      bytesGuessAchievedPercent: summary.bytesGuessAchievedPercent ?? null,
      bytes: summary.bytesPerConnection ?? null,
    };
  } catch {
    return { guessed: Number.NaN, guessAchievedPercent: null, iterations: Number.NaN, perIteration: Number.NaN, bytesGuessed: null, bytesGuessAchievedPercent: null, bytes: null };
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
  /** Injected instructions: the gate called one of callbacks' instruction rows a regression. */
  readonly detected: boolean;
  readonly injectedRegressions: readonly string[];
  /** Injected memory: the gate called callbacks' idle-memory ratio a regression (null: not judged, --instructions-only). */
  readonly detectedMemory: boolean | null;
  readonly injectedMemoryRegressions: readonly string[];
  /** Measured in this run: slowed callbacks against the real one, instructions per 1 KiB request. */
  readonly achievedSlowdownPercent: number | null;
  /** The same work in CPU time per request at the fixed rate (null when the run did not time echo). */
  readonly achievedCpuPercent: number | null;
  /** Measured in this run: the copy's memory per idle connection against the real callbacks'. */
  readonly achievedMemoryPercent: number | null;
  /** Minimum detectable change per gated metric in the A/A comparison. */
  readonly mdc: Readonly<Record<string, number | null>>;
}

/**
 * The run's results as the gate would see them: unchanged (the copy dropped); with callbacks' echo
 * figures (instructions) replaced by the copy's; and with callbacks' memory figures replaced by the
 * copy's. Each injected head changes one kind of figure, so each detection is of one injection.
 */
export function splitCalibrationRun(head: Results): { readonly unchanged: Results; readonly injected: Results; readonly injectedMemory: Results } {
  const others = head.metrics.filter((metric) => metric.style !== SLOW_SERVER_ID);
  const replacing = (prefix: string): Results => {
    const slow = head.metrics.filter((metric) => metric.style === SLOW_SERVER_ID && metric.name.startsWith(prefix));
    const renamed = slow.map((metric): Metric => ({ ...metric, style: 'callbacks', id: metricId(metric.name, 'callbacks', metric.params) }));
    const replaced = new Set(renamed.map((metric) => metric.id));
    return { ...head, metrics: [...others.filter((metric) => !replaced.has(metric.id)), ...renamed] };
  };
  return { unchanged: { ...head, metrics: others }, injected: replacing('echo.'), injectedMemory: replacing('memory.') };
}

/** The copy against real callbacks in the same run, in percent, for a metric picked by name and style. */
function achievedPercent(head: Results, pick: (metric: Metric, style: string) => boolean): number | null {
  const slow = head.metrics.find((metric) => pick(metric, SLOW_SERVER_ID));
  const real = head.metrics.find((metric) => pick(metric, 'callbacks'));
  return slow !== undefined && real !== undefined && slow.samples.length > 0 && real.samples.length > 0
    ? (geometricMean(slow.samples) / geometricMean(real.samples) - 1) * 100
    : null;
}

/** Whether a comparison calls one of callbacks' rows of these names a regression. */
function callsRegression(c: Comparison, names: readonly string[]): boolean {
  return c.rows.some((row) => row.style === 'callbacks' && names.includes(row.name) && row.verdict === 'regression');
}

export function judge(base: Results, head: Results, run: number, ms: number, options: CompareOptions, withMemory = true): CalibrationRun {
  const { unchanged, injected, injectedMemory } = splitCalibrationRun(head);
  const aa = compareResults(base, unchanged, options);
  const inj = compareResults(base, injected, options);
  const mem = withMemory ? compareResults(base, injectedMemory, options) : undefined;
  const regressions = (c: Comparison): string[] => c.rows.filter((row) => row.verdict === 'regression').map((row) => row.id);
  const fails = (c: Comparison): boolean => c.counts.regression > 0 || c.onlyInBase.length > 0 || head.failures.length > 0;
  return {
    run,
    seconds: Math.round(ms / 100) / 10,
    falseAlarm: fails(aa),
    aaRegressions: [...regressions(aa), ...aa.onlyInBase.map((id) => `missing ${id}`), ...head.failures.map((f) => `failure ${f.what}`)],
    detected: callsRegression(inj, INSTRUCTIONS_TARGETS),
    injectedRegressions: regressions(inj),
    detectedMemory: mem === undefined ? null : callsRegression(mem, MEMORY_TARGETS),
    injectedMemoryRegressions: mem === undefined ? [] : regressions(mem),
    achievedSlowdownPercent: achievedPercent(head, byId(INSTRUCTIONS)),
    achievedCpuPercent: achievedPercent(head, byId(TIMED)),
    achievedMemoryPercent: withMemory ? achievedPercent(head, idleMemory) : null,
    mdc: Object.fromEntries(aa.rows.filter((row) => row.verdict !== 'not gated').map((row) => [row.id, row.blind === undefined ? row.mdcPercent : Number.POSITIVE_INFINITY])),
  };
}

type Spread = { readonly median: number; readonly min: number; readonly max: number };

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
  readonly achievedSlowdownPercent: Spread | null;
  /** The same in CPU time per request (timed echo cost), when the runs timed it. */
  readonly achievedCpuPercent: Spread | null;
  /** The memory injection (all null with --instructions-only): asked, sized, detected, achieved. */
  readonly memoryGrowthPercent: number | null;
  readonly bytesPerConnection: number | null;
  readonly guessedBytesPerConnection: number | null;
  readonly bytesGuessAchievedPercent: number | null;
  readonly memoryDetections: number | null;
  readonly memoryDetectionInterval95: readonly [number, number] | null;
  readonly achievedMemoryPercent: Spread | null;
  /** Median over the runs of each gated metric's minimum detectable change, in percent (Infinity: the row cannot see a change). */
  readonly mdcPercent: Readonly<Record<string, number>>;
  readonly medianRunSeconds: number;
}

interface Injection {
  readonly guessed: number;
  readonly guessAchievedPercent: number | null;
  readonly iterations: number;
  readonly perIteration: number;
  readonly bytesGuessed: number | null;
  readonly bytesGuessAchievedPercent: number | null;
  readonly bytes: number | null;
}

function summarize(rows: readonly CalibrationRun[], slowdown: number, memoryGrowth: number | null, injection: Injection): CalibrationSummary {
  const n = rows.length;
  const alarms = rows.filter((row) => row.falseAlarm).length;
  const detections = rows.filter((row) => row.detected).length;
  const memoryJudged = rows.filter((row) => row.detectedMemory !== null);
  const memoryDetections = memoryJudged.length === 0 ? null : memoryJudged.filter((row) => row.detectedMemory === true).length;
  const spread = (values: readonly (number | null)[]): Spread | null => {
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
    memoryGrowthPercent: memoryJudged.length === 0 ? null : memoryGrowth,
    bytesPerConnection: injection.bytes,
    guessedBytesPerConnection: injection.bytesGuessed,
    bytesGuessAchievedPercent: injection.bytesGuessAchievedPercent,
    memoryDetections,
    memoryDetectionInterval95: memoryDetections === null ? null : wilsonInterval(memoryDetections, memoryJudged.length),
    achievedMemoryPercent: spread(rows.map((row) => row.achievedMemoryPercent)),
    mdcPercent,
    medianRunSeconds: median(rows.map((row) => row.seconds)),
  };
}

function signed(x: number | null): string {
  return x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
}

function formatRun(row: CalibrationRun): string {
  const aa = row.falseAlarm ? `FALSE ALARM (${row.aaRegressions.join(', ')})` : 'pass';
  const memory = row.detectedMemory === null ? '' : `; memory ${row.detectedMemory ? 'detected' : 'MISSED'} (growth achieved ${signed(row.achievedMemoryPercent)})`;
  return `run ${row.run}: A/A ${aa}; instructions ${row.detected ? 'detected' : 'MISSED'} (slowdown achieved ${signed(row.achievedSlowdownPercent)})${memory}; ${row.seconds} s`;
}

function achievedLine(what: string, a: Spread | null): string {
  return a === null
    ? `growth achieved in ${what}: not measured`
    : `growth achieved in ${what} (the copy against real callbacks, same run): median ${a.median.toFixed(1)}%, range ${a.min.toFixed(1)}% to ${a.max.toFixed(1)}%`;
}

export function formatSummary(s: CalibrationSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const memory =
    s.memoryDetections === null || s.memoryDetectionInterval95 === null
      ? ['injected memory: not judged (--instructions-only)']
      : [
          `injected ${s.memoryGrowthPercent ?? '?'}% growth of callbacks' memory per idle connection (${s.bytesPerConnection ?? '?'} bytes held per connection, tuned in place from ` +
            `${s.guessedBytesPerConnection ?? '?'}, which gave ${s.bytesGuessAchievedPercent === null ? 'n/a' : `${s.bytesGuessAchievedPercent.toFixed(1)}%`}): ` +
            `detected in ${s.memoryDetections} of ${s.runs} (95% interval ${pct(s.memoryDetectionInterval95[0])} to ${pct(s.memoryDetectionInterval95[1])})`,
          achievedLine('memory per idle connection', s.achievedMemoryPercent),
        ];
  const lines = [
    '',
    `gate: threshold ${s.threshold}%, family-wise alpha ${s.alpha} (Holm), ${s.runs} runs, median ${s.medianRunSeconds.toFixed(1)} s each`,
    `A/A false alarms: ${s.falseAlarms} of ${s.runs} (95% interval ${pct(s.falseAlarmInterval95[0])} to ${pct(s.falseAlarmInterval95[1])})`,
    `injected ${s.slowdownPercent}% growth of callbacks' instructions per request (${s.iterationsPerWrite} iterations per write, tuned in place from ${s.guessedIterations} ` +
      `at ${s.instructionsPerIteration.toFixed(2)} instructions each alone, which gave ${s.guessAchievedPercent === null ? 'n/a' : `${s.guessAchievedPercent.toFixed(1)}%`}): ` +
      `detected in ${s.detections} of ${s.runs} (95% interval ${pct(s.detectionInterval95[0])} to ${pct(s.detectionInterval95[1])})`,
    achievedLine('instructions per request', s.achievedSlowdownPercent),
    achievedLine('CPU time per request at the fixed rate', s.achievedCpuPercent),
    ...memory,
    '',
    'minimum detectable change per gated metric (median over the A/A runs; 80% power at alpha / tested metrics):',
    ...Object.entries(s.mdcPercent).map(([id, value]) => `  ${id.split('|').join(' ').padEnd(72)} ${mdcFigure(value)}`),
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
