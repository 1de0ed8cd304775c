// The regression decision: two results.json files in, one verdict per metric out. The statistics
// fit benchmark data (DESIGN.md, "Statistics"): the unit is the independent measurement (one fresh process
// pair); positive quantities are compared on the log scale as a ratio of geometric means (Welch's t
// on log values, Mann-Whitney U where the logs are skewed); Holm-Bonferroni holds the error of the
// whole family of metrics at alpha; a verdict is "inconclusive" when the interval still holds a
// change beyond the threshold, and every row prints the smallest change it could have detected.
// Nothing is measured here.
import { type Direction, type Metric, type Results } from '../harness/schema.js';
import { holm } from '../harness/stats/error-rates.js';
import { allPositive, centre, geometricMean, mean, median, tCritical } from '../harness/stats/summary.js';
import { compareLog, compareLogPooled, compareLogToOne, pooledLogNoise, minimumDetectableRatio, welch, type LogComparison, type PooledNoise, type TestName } from '../harness/stats/two-groups.js';
import { childEnvText } from './format.js';

export type Verdict = 'regression' | 'improvement' | 'same' | 'inconclusive' | 'untested';
export type Stars = '' | '*' | '**' | '***';
export type MetricKind = Metric['kind'];
export type ComparisonFormat = 'md' | 'json' | 'text';

export interface CompareOptions {
  /** A change must be larger than this, in percent of the base, to be a regression. */
  readonly threshold: number;
  /** Family-wise significance level: Holm-adjusted p-values are held against it. */
  readonly alpha: number;
  /** Which metric kinds to compare; all when absent. */
  readonly kinds?: readonly MetricKind[];
  /** Keep only the metrics whose id matches. */
  readonly filter?: RegExp;
  /** How to name the two sides in the output (file names, git refs). */
  readonly labels?: { readonly base: string; readonly head: string };
  /**
   * The two sides are runtimes measured on one machine (the node-<major> files of one `run --node`):
   * absolute figures are compared across Node majors too. Every other machine difference still counts.
   */
  readonly acrossNode?: boolean;
}

export const DEFAULT_THRESHOLD = 5;
export const DEFAULT_ALPHA = 0.05;
/** The power at which the minimum detectable change is quoted. */
export const MDC_POWER = 0.8;

export interface SideStats {
  /** Samples in the file. */
  readonly n: number;
  /** Independent units the test used (fresh process pairs, or runs when repeats shared processes). */
  readonly units: number;
  /** null when the side has no samples at all. */
  readonly median: number | null;
  /** Geometric mean of the units; the arithmetic mean where a value is 0 or negative. */
  readonly centre: number | null;
}

export interface MetricComparison {
  readonly id: string;
  readonly name: string;
  readonly style: string;
  readonly unit: string;
  readonly direction: Direction;
  readonly kind: MetricKind;
  readonly base: SideStats;
  readonly head: SideStats;
  /** head / base of the centres, as a change in percent; null when the base centre is 0 and the head's is not. */
  readonly changePercent: number | null;
  /** 95% interval of the change, in percent (from the log-scale interval: never below -100%). */
  readonly ci95Percent: readonly [number, number] | null;
  /** Which test decided: Welch on log values, Mann-Whitney U, or Welch on raw values (non-positive data). */
  readonly test: TestName | null;
  readonly df: number | null;
  /** The test's own two-sided p-value. */
  readonly pValue: number | null;
  /** Holm-adjusted over every tested row of this comparison: what the verdict reads. */
  readonly pAdjusted: number | null;
  /** compare.R's stars, from the raw p-value. */
  readonly stars: Stars;
  /**
   * The smallest change, in percent, that this row could detect with 80% power at the family's
   * strictest Holm level (alpha / tested rows): a change below it can pass unseen.
   */
  readonly mdcPercent: number | null;
  readonly verdict: Verdict;
  /** Why a metric is untested, or what made it inconclusive. */
  readonly note?: string;
}

export interface SideInfo {
  readonly label: string;
  readonly commit: string | null;
  readonly dirty: boolean;
  readonly node: string;
  readonly createdAt: string;
}

export interface Comparison {
  readonly base: SideInfo;
  readonly head: SideInfo;
  readonly options: {
    readonly threshold: number;
    readonly alpha: number;
    readonly kinds: readonly MetricKind[];
    readonly filter: string | null;
  };
  /** Both files come from one machine class (CPU model, cores, Node major, platform, pinning): absolute figures are comparable. */
  readonly sameMachine: boolean;
  readonly rows: readonly MetricComparison[];
  readonly onlyInBase: readonly string[];
  readonly onlyInHead: readonly string[];
  readonly counts: Readonly<Record<Verdict, number>>;
  /**
   * Expected false positives if nothing changed, on raw p-values, as Node's compare.R prints them;
   * the verdicts read Holm-adjusted p-values instead, which hold P(any false verdict) at alpha.
   */
  readonly falsePositives: {
    readonly comparisons: number;
    readonly p05: number;
    readonly p01: number;
    readonly p001: number;
    readonly atAlpha: number;
  };
  /** Things that make the comparison weaker without making it wrong (different machines, failures). */
  readonly warnings: readonly string[];
}

/** Input that cannot be compared at all (e.g. an id measured twice in one file). */
export class CompareInputError extends Error {
  override readonly name = 'CompareInputError';
  readonly side: 'base' | 'head';

  constructor(side: 'base' | 'head', message: string) {
    super(message);
    this.side = side;
  }
}

/** How a results file says its repeats were taken: each in a fresh process pair, or sharing one. */
export function repeatsAreIndependent(results: Results): boolean {
  return results.config.repeatUnit === 'fresh process pair';
}

/**
 * The independent units of a metric. Repeats in fresh process pairs are each a unit. Repeats that
 * shared a process pair are not (pseudo-replication): the repeats of one run are averaged on the log
 * scale into one unit per run, using the run labels `rosetta merge` writes; a single such run stays
 * one group of samples and says so in a note.
 */
export function unitsOf(metric: Metric, results: Results): { readonly values: number[]; readonly note?: string } {
  if (repeatsAreIndependent(results) || metric.runs === undefined) {
    const note =
      repeatsAreIndependent(results) || metric.samples.length < 2
        ? undefined
        : 'repeats shared a process pair: tested as if independent';
    return { values: [...metric.samples], ...(note === undefined ? {} : { note }) };
  }
  const byRun = new Map<number, number[]>();
  metric.samples.forEach((value, i) => {
    const run = metric.runs?.[i] ?? 0;
    const group = byRun.get(run);
    if (group === undefined) byRun.set(run, [value]);
    else group.push(value);
  });
  const values = [...byRun.values()].map((group) => (allPositive(group) ? geometricMean(group) : mean(group)));
  return { values };
}

/** Two files from one machine class: absolute figures can be compared. `acrossNode`: the Node major may differ. */
export function sameMachineClass(base: Results, head: Results, acrossNode = false): boolean {
  const b = base.environment;
  const h = head.environment;
  const major = (version: string): string => version.replace(/^v/, '').split('.')[0] ?? version;
  return (
    b.cpuModel === h.cpuModel &&
    b.cores === h.cores &&
    (acrossNode || major(b.node) === major(h.node)) &&
    b.platform === h.platform &&
    b.arch === h.arch &&
    b.pinned === h.pinned
  );
}

/**
 * Compares every metric present on both sides. Absolute figures are compared only when both files
 * come from one machine class; ratios to the in-run reference always. Each tested row gets its own
 * test; then Holm's adjustment runs over all tested rows and the verdicts read the adjusted p.
 */
export function compareResults(base: Results, head: Results, options: CompareOptions): Comparison {
  const kinds = options.kinds ?? (['absolute', 'ratio'] as const);
  const filter = options.filter === undefined ? undefined : withoutState(options.filter);
  const keep = (metric: Metric): boolean => kinds.includes(metric.kind) && (filter === undefined || filter.test(metric.id));
  const baseById = indexById('base', base.metrics.filter(keep));
  const headById = indexById('head', head.metrics.filter(keep));
  const sameMachine = sameMachineClass(base, head, options.acrossNode === true);

  const pairs = [...headById].flatMap(([id, h]) => {
    const b = baseById.get(id);
    return b === undefined ? [] : [{ b, h }];
  });
  const noise = pooledNoise(pairs, base, head, sameMachine);
  const tests = pairs.map(({ b, h }) => testMetric(b, base, h, head, sameMachine, noise.get(h.name)));
  const testedCount = tests.filter((t) => t.result !== null).length;
  const adjusted = holm(tests.filter((t) => t.result !== null).map((t) => (t.result as TestResult).pValue));
  let k = 0;
  const rows = tests.map((t) => (t.result === null ? t.untested : decide(t, adjusted[k++] as number, testedCount, options)));

  const counts: Record<Verdict, number> = { regression: 0, improvement: 0, same: 0, inconclusive: 0, untested: 0 };
  for (const row of rows) counts[row.verdict]++;

  return {
    base: sideInfo(base, options.labels?.base ?? 'base'),
    head: sideInfo(head, options.labels?.head ?? 'head'),
    options: { threshold: options.threshold, alpha: options.alpha, kinds: [...kinds], filter: options.filter?.source ?? null },
    sameMachine,
    rows,
    onlyInBase: [...baseById.keys()].filter((id) => !headById.has(id)),
    onlyInHead: [...headById.keys()].filter((id) => !baseById.has(id)),
    counts,
    falsePositives: {
      comparisons: testedCount,
      p05: testedCount * 0.05,
      p01: testedCount * 0.01,
      p001: testedCount * 0.001,
      atAlpha: testedCount * options.alpha,
    },
    warnings: warnings(base, head, sameMachine, rows),
  };
}

interface TestResult {
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

interface Tested {
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
function pooledNoise(pairs: readonly { b: Metric; h: Metric }[], base: Results, head: Results, sameMachine: boolean): Map<string, PooledNoise> {
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

function testMetric(b: Metric, baseResults: Results, h: Metric, headResults: Results, sameMachine: boolean, noise?: PooledNoise): Tested {
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

/**
 * The verdict of one tested row. Significant (Holm-adjusted p < alpha) and beyond the threshold:
 * a regression or an improvement by the metric's direction. Significant but within the threshold:
 * the same (a real change too small to matter). Not significant: the same when the 95% interval
 * lies within ±threshold, inconclusive when it still holds a change beyond it.
 */
function decide(t: Tested, pAdjusted: number, family: number, options: CompareOptions): MetricComparison {
  const r = t.result as TestResult;
  const change = r.changePercent;
  const significant = pAdjusted < options.alpha;
  // A base of 0 makes any significant change infinitely large in percent: beyond every threshold.
  const beyond = change === null || Math.abs(change) > options.threshold;
  const higher = change === null ? r.pValue < 1 && (t.common.head.centre ?? 0) > r.baseCentre : change > 0;
  const better = t.common.direction === 'higher' ? higher : !higher;
  const ci = r.ci95Percent;
  const within = ci !== null && ci[0] >= -options.threshold && ci[1] <= options.threshold;
  const verdict: Verdict = significant ? (beyond ? (better ? 'improvement' : 'regression') : 'same') : within ? 'same' : 'inconclusive';
  const strictest = options.alpha / Math.max(1, family);
  const mdc = r.logScale ? (minimumDetectableRatio(r.se, r.df, strictest, MDC_POWER) - 1) * 100 : detectableRaw(r, strictest);
  const note =
    verdict === 'inconclusive'
      ? `the 95% interval still holds changes beyond ±${options.threshold}%: more samples, or less noise, are needed`
      : t.note;
  return {
    ...t.common,
    changePercent: change,
    ci95Percent: ci,
    test: r.test,
    df: r.df,
    pValue: r.pValue,
    pAdjusted,
    stars: starsFor(r.pValue),
    mdcPercent: mdc,
    verdict,
    ...(note === undefined ? {} : { note }),
  };
}

/** The same rule on the raw scale: (t(1 - alpha/2) + t(power)) · se, se relative to |base|. */
function detectableRaw(r: TestResult, alpha: number): number | null {
  if (r.baseCentre === 0) return null;
  return Math.log(minimumDetectableRatio(r.se, r.df, alpha, MDC_POWER)) * 100;
}

/** Node's compare.R: `***` p < 0.001, `**` p < 0.01, `*` p < 0.05; fixed levels, whatever alpha is. */
export function starsFor(pValue: number): Stars {
  if (pValue < 0.001) return '***';
  if (pValue < 0.01) return '**';
  if (pValue < 0.05) return '*';
  return '';
}

/** Relative to |base| so that the sign of the change keeps meaning "head is higher" for negative bases. */
function percentOf(difference: number, base: number): number | null {
  if (base === 0) return difference === 0 ? 0 : null;
  return (difference / Math.abs(base)) * 100;
}

function sideInfo(results: Results, label: string): SideInfo {
  return {
    label,
    commit: results.environment.commit,
    dirty: results.environment.dirty,
    node: results.environment.node,
    createdAt: results.createdAt,
  };
}

function indexById(side: 'base' | 'head', metrics: readonly Metric[]): Map<string, Metric> {
  const byId = new Map<string, Metric>();
  for (const metric of metrics) {
    if (byId.has(metric.id)) throw new CompareInputError(side, `metric id ${JSON.stringify(metric.id)} appears twice`);
    byId.set(metric.id, metric);
  }
  return byId;
}

/** A RegExp with the g or y flag remembers lastIndex between test() calls; drop both. */
function withoutState(filter: RegExp): RegExp {
  return new RegExp(filter.source, filter.flags.replace(/[gy]/g, ''));
}

function warnings(base: Results, head: Results, sameMachine: boolean, rows: readonly MetricComparison[]): string[] {
  const out: string[] = [];
  const b = base.environment;
  const h = head.environment;
  const differs: [string, unknown, unknown][] = [
    ['node', b.node, h.node],
    ['cpu model', b.cpuModel, h.cpuModel],
    ['cores', b.cores, h.cores],
    ['pinned', b.pinned, h.pinned],
    ['platform', `${b.platform}/${b.arch}`, `${h.platform}/${h.arch}`],
    ['node flags', (b.nodeFlags ?? []).join(' '), (h.nodeFlags ?? []).join(' ')],
    ['child environment', childEnvText(b.childEnv), childEnvText(h.childEnv)],
  ];
  const changed = differs.filter(([, x, y]) => x !== y);
  for (const [what, x, y] of changed) {
    out.push(`environments differ: ${what} is ${JSON.stringify(x)} in base, ${JSON.stringify(y)} in head`);
  }
  if (!sameMachine) {
    out.push('absolute figures from different machine classes are not compared (untested); ratio metrics (--kind ratio) cancel most of the machine');
  }
  for (const [side, results] of [['base', base], ['head', head]] as const) {
    if (results.failures.length > 0) {
      const what = results.failures.map((failure) => `${failure.what} (${failure.reason})`).join('; ');
      out.push(`${side} recorded ${results.failures.length} failure${results.failures.length === 1 ? '' : 's'}: ${what}`);
    }
  }
  for (const [side, results] of [['base', base], ['head', head]] as const) {
    const runtimes = results.runtimes ?? [];
    if (runtimes.length > 1) {
      out.push(
        `${side} is a runtime matrix (Node ${runtimes.map((run) => run.environment.node).join(', ')}): only its top level (Node ${results.environment.node}) is compared; compare its node-<major>/results.json files for the others`,
      );
    }
  }
  const shared = rows.filter((row) => row.note === 'repeats shared a process pair: tested as if independent').length;
  if (shared > 0) {
    out.push(`${shared} row${shared === 1 ? '' : 's'} tested repeats that shared a process pair as independent samples (a single run of an older harness): p-values are too small there`);
  }
  return out;
}
