// How `rosetta calibrate` judges one gate measurement and sums up its runs: each run split into the
// A/A file and the injected ones, each judged against the baseline on the gate's rows, then the
// false-alarm and detection rates (Wilson intervals) and the rows' minimum detectable changes.
import { compareResults } from '../reports/compare.js';
import type { Comparison, CompareOptions } from '../reports/comparison.js';
import { mdcFigure } from '../reports/compare-format.js';
import { GATE_ALPHA, GATE_THRESHOLD } from '../reports/gate.js';
import { metricId, type Metric, type Results } from '../harness/schema.js';
import { wilsonInterval } from '../harness/stats/error-rates.js';
import { geometricMean, median } from '../harness/stats/summary.js';
import { SLOW_SERVER_ID } from '../harness/child/style.js';

/** Instructions per 1 KiB request, one connection: the gate's instruction row for a style, and what the injected work is sized on. */
export const INSTRUCTIONS = (style: string): string => metricId('echo.instructions_per_req', style, { connections: 1, size: 1024 });
export const TUNED_ON = INSTRUCTIONS('callbacks');
/** What the gate must call a regression for each injection to count as detected: any of callbacks' rows of these names. */
const INSTRUCTIONS_TARGETS: readonly string[] = ['echo.instructions_per_req', 'echo.instructions_per_req.ratio'];
const MEMORY_TARGETS: readonly string[] = ['memory.echo_idle.bytes_per_conn.ratio'];
/** The memory figure the held bytes are sized on, and their growth measured by: callbacks' idle slope (its id holds the sweep's steps). */
export const IDLE_MEMORY = 'memory.echo_idle.bytes_per_conn';
/** Picks a metric of a style: by its id, or callbacks' idle-memory slope (whatever the sweep's steps). */
export const byId =
  (id: (style: string) => string) =>
  (metric: Metric, style: string): boolean =>
    metric.id === id(style);
const idleMemory = (metric: Metric, style: string): boolean => metric.name === IDLE_MEMORY && metric.style === style && metric.kind === 'absolute';
/** The timed figure, reported beside: how much CPU time the same work added. */
const TIMED = (style: string): string => metricId('echo.cpu_us_per_req', style, { connections: 10, size: 1024 });


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
export function achievedPercent(head: Results, pick: (metric: Metric, style: string) => boolean): number | null {
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

export type Spread = { readonly median: number; readonly min: number; readonly max: number };

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

export interface Injection {
  readonly guessed: number;
  readonly guessAchievedPercent: number | null;
  readonly iterations: number;
  readonly perIteration: number;
  readonly bytesGuessed: number | null;
  readonly bytesGuessAchievedPercent: number | null;
  readonly bytes: number | null;
}

export function summarize(rows: readonly CalibrationRun[], slowdown: number, memoryGrowth: number | null, injection: Injection): CalibrationSummary {
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

export function formatRun(row: CalibrationRun): string {
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
