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
import type { CompareOptions } from '../../reports/comparison.js';
import { gateOptions, GATE_RUN_ARGS, INSTRUCTIONS_FILTER, INSTRUCTIONS_RUN_ARGS } from '../../reports/gate.js';
import { callgrindVersion, callgrindWrapper, instructionsIn } from '../../harness/callgrind.js';
import { runCommand } from '../../harness/processes/watch.js';
import { parseResults, type Results } from '../../harness/schema.js';
import { geometricMean } from '../../harness/stats/summary.js';
import { flagBoolean, flagNumber, flagString, helpText, parseArgs, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { SLOW_SERVER_ENV, SLOW_SERVER_ID } from '../../harness/child/style.js';
import { describeInputError } from '../input-errors.js';
import { measureGate, type GateMeasurement } from '../gate-run.js';
import { AgainstError, AgainstInterrupted, inPatchedTree } from '../against.js';
import { formatRegressions, REGRESSIONS_DIR, regressionFixtures, regressionOutcome, type RegressionOutcome } from '../regressions.js';
import { DEFAULT_BASELINE } from '../../reports/gate.js';
import { achievedPercent, byId, formatRun, formatSummary, IDLE_MEMORY, INSTRUCTIONS, judge, splitCalibrationRun, summarize, TUNED_ON, type CalibrationRun, type CalibrationSummary, type Injection } from '../calibration-judge.js';

export { judge, splitCalibrationRun };

/** The built calibration fixtures (harness/fixtures): the slowed server and the work-cost script. */
export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'harness', 'fixtures');
const DEFAULT_RUNS = 20;
const DEFAULT_SLOWDOWN = 10;
const DEFAULT_OUT = path.join('.tmp', 'calibrate');
const DEFAULT_MEMORY_GROWTH = 10;
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
