// The test of one metric's row: its units on each side, then the log-scale test for positive data
// (a prediction interval when head measured once, pooled noise where the metric's noise is shared),
// Welch on raw values otherwise. The verdict is compare.ts's, after Holm's adjustment over all rows.
import type { Metric, Results } from '../harness/schema.js';
import { allPositive, centre, geometricMean, mean, median, tCritical } from '../harness/stats/summary.js';
import { compareLog, compareLogPooled, compareLogToOne, pooledLogNoise, welch, type LogComparison, type PooledNoise, type TestName } from '../harness/stats/two-groups.js';
import { unitsOf } from './compare-units.js';
import type { MetricComparison, SideStats } from './comparison.js';

export interface TestResult {
  readonly test: TestName;
  /** head / base as a factor (log-scale tests), or the change of means relative to |base| + 1 (raw Welch). */
  readonly changePercent: number | null;
  readonly ci95Percent: readonly [number, number] | null;
  readonly pValue: number;
  readonly df: number;
  /** Standard error of the difference on the scale tested (log or raw relative to |base|). */
  readonly se: number;
  /** Whether the change is on the log scale (MDC as a ratio) or raw (MDC in percent of the base). */
  readonly logScale: boolean;
  readonly baseCentre: number;
}

export interface Tested {
  readonly common: Omit<MetricComparison, 'changePercent' | 'ci95Percent' | 'test' | 'df' | 'pValue' | 'pAdjusted' | 'stars' | 'mdcPercent' | 'verdict' | 'note'>;
  readonly result: TestResult | null;
  readonly untested: MetricComparison;
  readonly note: string | undefined;
}

/**
 * Metrics whose relative noise is one and the same wherever they are measured: instructions counted by
 * callgrind (the same counter, the same method, for every server). Their rows are tested with the
 * noise pooled over every row and side of the metric (harness/stats/two-groups.ts pooledLogNoise), so a row with three
 * samples a side still has a test with tens of degrees of freedom. Pooling assumes the rows share that
 * noise; where one row is noisier, a false "significant" is possible, but the threshold still stands
 * between it and a regression verdict (reports/BASELINE.md measures the rows' spreads).
 */
export const POOLED_NOISE = /^echo\.instructions_per_req(\.ratio)?$/;

/** The pooled noise of each POOLED_NOISE metric name over the rows that will be tested. */
export function pooledNoise(pairs: readonly { b: Metric; h: Metric }[], base: Results, head: Results, sameMachine: boolean): Map<string, PooledNoise> {
  const groups = new Map<string, number[][]>();
  for (const { b, h } of pairs) {
    if (!POOLED_NOISE.test(h.name) || (h.kind === 'absolute' && !sameMachine)) continue;
    const list = groups.get(h.name) ?? [];
    list.push(unitsOf(b, base).values, unitsOf(h, head).values);
    groups.set(h.name, list);
  }
  const out = new Map<string, PooledNoise>();
  for (const [name, list] of groups) {
    const noise = pooledLogNoise(list);
    if (noise !== undefined && noise.df >= 2) out.set(name, noise);
  }
  return out;
}

export function testMetric(b: Metric, baseResults: Results, h: Metric, headResults: Results, sameMachine: boolean, noise?: PooledNoise): Tested {
  const baseUnits = unitsOf(b, baseResults);
  const headUnits = unitsOf(h, headResults);
  const side = (metric: Metric, units: number[]): SideStats => ({
    n: metric.samples.length,
    units: units.length,
    median: metric.samples.length === 0 ? null : median(metric.samples),
    centre: units.length === 0 ? null : centre(units),
  });
  const common = {
    id: h.id,
    name: h.name,
    style: h.style,
    unit: h.unit,
    direction: h.direction,
    kind: h.kind,
    base: side(b, baseUnits.values),
    head: side(h, headUnits.values),
  };
  const untested = (note: string): Tested => {
    const bc = common.base.centre;
    const hc = common.head.centre;
    const changePercent = bc !== null && hc !== null ? percentOf(hc - bc, bc) : null;
    return {
      common,
      result: null,
      note,
      untested: { ...common, changePercent, ci95Percent: null, test: null, df: null, pValue: null, pAdjusted: null, stars: '', mdcPercent: null, verdict: 'untested', note },
    };
  };
  if (b.direction !== h.direction || b.unit !== h.unit) {
    return untested(`definition changed: base is ${b.unit}, ${b.direction} is better; head is ${h.unit}, ${h.direction} is better`);
  }
  if (h.kind === 'absolute' && !sameMachine) {
    return untested('absolute figure from another machine class: not comparable (ratios are)');
  }
  const nb = baseUnits.values.length;
  const nh = headUnits.values.length;
  if (noise !== undefined && nb >= 1 && nh >= 1 && allPositive(headUnits.values) && allPositive(baseUnits.values)) {
    const note = `noise pooled over ${noise.groups} groups of this metric (df ${noise.df})`;
    return { common, result: logResult(compareLogPooled(headUnits.values, baseUnits.values, noise, 0.95), baseUnits.values), untested: untested('').untested, note };
  }
  // A figure the head measured once (a memory slope: one sweep per run) is tested against what the
  // base's several runs predict for one more; with fewer than that on either side, nothing can be.
  const predictable = nh === 1 && nb >= 2 && allPositive(headUnits.values) && allPositive(baseUnits.values);
  if (!predictable && (nb < 2 || nh < 2)) {
    return untested(`fewer than 2 independent samples (base ${nb}, head ${nh}): cannot test`);
  }
  const note = headUnits.note ?? baseUnits.note;
  const result = predictable ? runPrediction(headUnits.values[0] as number, baseUnits.values) : runTest(headUnits.values, baseUnits.values);
  return { common, result, untested: untested('').untested, note };
}

/** A log-scale comparison as a row's test result. */
function logResult(log: LogComparison, base: readonly number[]): TestResult {
  return {
    test: log.test,
    changePercent: (log.ratio - 1) * 100,
    ci95Percent: [(log.interval[0] - 1) * 100, (log.interval[1] - 1) * 100],
    pValue: log.pValue,
    df: log.df,
    se: log.standardError,
    logScale: true,
    baseCentre: geometricMean(base),
  };
}

/** One head measurement against the base's prediction interval for one more, on the log scale. */
function runPrediction(head: number, base: number[]): TestResult {
  return logResult(compareLogToOne(head, base, 0.95), base);
}

/** The test of one row: log scale for positive data, Welch on raw values otherwise. */
function runTest(head: number[], base: number[]): TestResult {
  if (allPositive(head) && allPositive(base)) return logResult(compareLog(head, base, 0.95), base);
  // A quantity that can be 0 or negative (a slope, a count of leaks): the raw difference of means.
  const test = welch(head, base);
  const baseMean = mean(base);
  const change = percentOf(test.difference, baseMean);
  const half = test.standardError === 0 ? 0 : tCritical(0.05, test.df) * test.standardError;
  const ci = change === null ? null : ([percentOf(test.difference - half, baseMean) as number, percentOf(test.difference + half, baseMean) as number] as const);
  return {
    test: 'welch',
    changePercent: change,
    ci95Percent: ci,
    pValue: test.pValue,
    df: test.df,
    se: baseMean === 0 ? test.standardError : test.standardError / Math.abs(baseMean),
    logScale: false,
    baseCentre: baseMean,
  };
}

/** Relative to |base| so that the sign of the change keeps meaning "head is higher" for negative bases. */
function percentOf(difference: number, base: number): number | null {
  if (base === 0) return difference === 0 ? 0 : null;
  return (difference / Math.abs(base)) * 100;
}
