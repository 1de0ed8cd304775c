// The regression decision: two results.json files in, one verdict per metric out. The statistics
// fit benchmark data (MEASUREMENT.md): the unit is the independent measurement (one fresh process
// pair); positive quantities are compared on the log scale as a ratio of geometric means (Welch's t
// on log values, Mann-Whitney U where the logs are skewed); Holm-Bonferroni holds the error of the
// whole family of metrics at alpha; a verdict is "inconclusive" when the interval still holds a
// change beyond the threshold, and every row prints the smallest change it could have detected.
// Nothing is measured here.
import { type Direction, type Metric, type Results } from '../harness/schema.js';
import { allPositive, compareLog, compareLogToOne, geometricMean, holm, mean, median, minimumDetectableRatio, summarize, tCritical, welch, type TestName } from '../harness/stats.js';

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

/** Two files from one machine class: absolute figures can be compared. */
export function sameMachineClass(base: Results, head: Results): boolean {
  const b = base.environment;
  const h = head.environment;
  const major = (version: string): string => version.replace(/^v/, '').split('.')[0] ?? version;
  return (
    b.cpuModel === h.cpuModel &&
    b.cores === h.cores &&
    major(b.node) === major(h.node) &&
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
  const sameMachine = sameMachineClass(base, head);

  const tests: Tested[] = [];
  for (const [id, h] of headById) {
    const b = baseById.get(id);
    if (b !== undefined) tests.push(testMetric(b, base, h, head, sameMachine));
  }
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

function testMetric(b: Metric, baseResults: Results, h: Metric, headResults: Results, sameMachine: boolean): Tested {
  const baseUnits = unitsOf(b, baseResults);
  const headUnits = unitsOf(h, headResults);
  const side = (metric: Metric, units: number[]): SideStats => ({
    n: metric.samples.length,
    units: units.length,
    median: metric.samples.length === 0 ? null : median(metric.samples),
    centre: units.length === 0 ? null : allPositive(units) ? geometricMean(units) : mean(units),
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

/** One head measurement against the base's prediction interval for one more, on the log scale. */
function runPrediction(head: number, base: number[]): TestResult {
  const log = compareLogToOne(head, base, 0.95);
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

/** The test of one row: log scale for positive data, Welch on raw values otherwise. */
function runTest(head: number[], base: number[]): TestResult {
  if (allPositive(head) && allPositive(base)) {
    const log = compareLog(head, base, 0.95);
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
  const shared = rows.filter((row) => row.note === 'repeats shared a process pair: tested as if independent').length;
  if (shared > 0) {
    out.push(`${shared} row${shared === 1 ? '' : 's'} tested repeats that shared a process pair as independent samples (a single run of an older harness): p-values are too small there`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Merging repeated runs: the A/B mode runs each side N times, one sample per metric per run.

/** Two runs of the same code disagree on what a metric is: a bug in the run, not noise. */
export class MergeError extends Error {
  override readonly name = 'MergeError';
}

/**
 * One Results from several runs of the same tree: samples concatenated per metric id in run order,
 * each labelled with the run it came from (`runs`, so a test can tell units apart), median and ci95
 * recomputed. Environment, config and the non-sample sections (tracebacks, difficulty, sources) are
 * the first run's, except `repeatUnit`, kept only when every run has the same; failures are all
 * runs'. `extra` is kept only when every run that has it agrees, since a per-run fact (an r2, a
 * saturation flag) does not describe the merge.
 */
export function mergeResults(runs: readonly Results[]): Results {
  const [first] = runs;
  if (first === undefined) throw new MergeError('mergeResults: needs at least one run');
  const merged = new Map<string, { metric: Metric; samples: number[]; labels: number[]; extras: string[] }>();
  // Run labels continue across inputs that were merges themselves: run k of input i keeps its own unit.
  let nextRun = 0;
  runs.forEach((run, index) => {
    const firstRun = nextRun;
    let runsHere = 1;
    for (const metric of run.metrics) {
      const labels = metric.samples.map((_, i) => firstRun + (metric.runs?.[i] ?? 0));
      for (const label of labels) runsHere = Math.max(runsHere, label - firstRun + 1);
      const entry = merged.get(metric.id);
      if (entry === undefined) {
        merged.set(metric.id, { metric, samples: [...metric.samples], labels, extras: [JSON.stringify(metric.extra ?? null)] });
        continue;
      }
      for (const key of ['name', 'unit', 'direction', 'kind', 'scenario', 'style'] as const) {
        if (entry.metric[key] !== metric[key]) {
          throw new MergeError(
            `run ${index + 1}: metric ${JSON.stringify(metric.id)} has ${key} ${JSON.stringify(metric[key])}, ` +
              `an earlier run had ${JSON.stringify(entry.metric[key])}`,
          );
        }
      }
      for (const sample of metric.samples) entry.samples.push(sample);
      for (const label of labels) entry.labels.push(label);
      if (metric.extra !== undefined) entry.extras.push(JSON.stringify(metric.extra));
    }
    nextRun = firstRun + runsHere;
  });
  const metrics = [...merged.values()].map(({ metric, samples, labels, extras }): Metric => {
    const { extra: _extra, runs: _runs, ...rest } = metric;
    const summary = samples.length === 0 ? null : summarize(samples);
    const agreed = extras.every((extra) => extra === extras[0]) && metric.extra !== undefined;
    return {
      ...rest,
      samples,
      runs: labels,
      median: summary?.median ?? metric.median,
      ci95: summary?.ci95 ?? metric.ci95,
      ...(agreed ? { extra: metric.extra } : {}),
    };
  });
  const units = new Set(runs.map((run) => JSON.stringify(run.config.repeatUnit ?? null)));
  const { repeatUnit: _unit, ...config } = first.config;
  return {
    ...first,
    durationMs: runs.reduce((sum, run) => sum + run.durationMs, 0),
    config: {
      ...config,
      ...(units.size === 1 && first.config.repeatUnit !== undefined ? { repeatUnit: first.config.repeatUnit } : {}),
      mergedRuns: nextRun,
      // Each run's own seed (the order its styles took turns in), where the runs recorded one.
      ...(runs.some((run) => run.config.seed !== undefined) ? { runSeeds: runs.map((run) => run.config.seed ?? null) } : {}),
    },
    metrics,
    failures: runs.flatMap((run) => run.failures),
  };
}

// ---------------------------------------------------------------------------------------------
// Renderers: text like compare.R's printout, Markdown for a PR comment, JSON for machines.

export function formatComparison(c: Comparison, format: ComparisonFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(c, null, 2) + '\n';
    case 'md':
      return formatMarkdown(c);
    case 'text':
      return formatText(c);
  }
}

const HEADER = ['', 'better', 'test', 'change', '95% CI', 'p', 'p (Holm)', 'confidence', 'detectable', 'base (n)', 'head (n)', 'verdict'];

function tableRows(c: Comparison): string[][] {
  return c.rows.map((row) => [
    displayName(row.id),
    row.direction,
    row.test ?? 'NA',
    row.changePercent === null ? 'n/a' : signedPercent(row.changePercent),
    row.ci95Percent === null ? 'n/a' : `[${signedPercent(row.ci95Percent[0])}, ${signedPercent(row.ci95Percent[1])}]`,
    row.pValue === null ? 'NA' : formatP(row.pValue),
    row.pAdjusted === null ? 'NA' : formatP(row.pAdjusted),
    row.stars,
    row.mdcPercent === null ? 'n/a' : `±${row.mdcPercent.toFixed(1)}%`,
    `${withUnit(row.base.centre, row.unit)} (${row.base.units})`,
    `${withUnit(row.head.centre, row.unit)} (${row.head.units})`,
    row.note === undefined ? row.verdict : `${row.verdict}: ${row.note}`,
  ]);
}

function formatP(p: number): string {
  if (p === 0) return '0';
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}

function formatText(c: Comparison): string {
  const out: string[] = [sideLine('base', c.base), sideLine('head', c.head), rule(c), ''];
  for (const warning of c.warnings) out.push(`warning: ${warning}`);
  if (c.warnings.length > 0) out.push('');
  const table = [HEADER, ...tableRows(c)];
  if (table.length > 1) {
    const widths = HEADER.map((_, col) => Math.max(...table.map((cells) => (cells[col] ?? '').length)));
    for (const cells of table) {
      // Like compare.R: names left-aligned, numbers right-aligned, the verdict left-aligned last.
      const line = cells.map((cell, col) => {
        const width = widths[col] ?? 0;
        return col === 0 || col === cells.length - 1 ? cell.padEnd(width) : cell.padStart(width);
      });
      out.push(line.join(' ').trimEnd());
    }
  } else {
    out.push('no metric is present on both sides');
  }
  out.push('');
  out.push(...missing(c, (ids) => ids.map(displayName).join(', ')));
  out.push(...falsePositiveText(c), '', summaryLine(c));
  return out.join('\n') + '\n';
}

function formatMarkdown(c: Comparison): string {
  // Pipes would split a cell; asterisks (the stars, `(**)`) would turn into emphasis.
  const cell = (text: string): string => text.replace(/[|*]/g, (ch) => `\\${ch}`);
  const out: string[] = [
    `## async-rosetta comparison: ${cell(c.base.label)} → ${cell(c.head.label)}`,
    '',
    `**${summaryLine(c)}**`,
    '',
    `- ${sideLine('base', c.base)}`,
    `- ${sideLine('head', c.head)}`,
    `- ${rule(c)}`,
    '',
  ];
  if (c.warnings.length > 0) out.push(c.warnings.map((warning) => `> **Warning:** ${warning}`).join('\n>\n'), '');
  if (c.rows.length > 0) {
    const align = HEADER.map((_, i) => (i === 0 || i === HEADER.length - 1 ? ':---' : '---:'));
    out.push(`| metric | ${HEADER.slice(1).map(cell).join(' | ')} |`, `|${align.join('|')}|`);
    for (const cells of tableRows(c)) out.push(`| ${cells.map((text, i) => (i === 0 ? `\`${text}\`` : cell(text))).join(' | ')} |`);
  } else {
    out.push('No metric is present on both sides.');
  }
  out.push('');
  const gone = missing(c, (ids) => ids.map((id) => `\`${displayName(id)}\``).join(', ')).filter((line) => line !== '');
  if (gone.length > 0) out.push(...gone.map((line) => `- ${line}`), '');
  const [first, second, ...levels] = falsePositiveText(c);
  out.push(`${first} ${second}`, '', ...levels.map((line) => `- ${cell(line.trim())}`));
  return out.join('\n') + '\n';
}

function sideLine(which: 'base' | 'head', side: SideInfo): string {
  const commit = side.commit === null ? 'no commit' : `commit ${side.commit.slice(0, 12)}${side.dirty ? ' (dirty)' : ''}`;
  return `${which}: ${side.label}, ${commit}, node ${side.node}, ${side.createdAt}`;
}

function rule(c: Comparison): string {
  const kinds = c.options.kinds.join('+');
  const filter = c.options.filter === null ? '' : `, ids matching /${c.options.filter}/`;
  return (
    `regression = Holm-adjusted p < ${c.options.alpha} and worse than ${c.options.threshold}% in the metric's direction; ` +
    `inconclusive = not significant and the 95% CI reaches beyond ±${c.options.threshold}%; ` +
    `change = head / base of geometric means over independent units (n); detectable = smallest change seen with ` +
    `${MDC_POWER * 100}% power at alpha/${c.falsePositives.comparisons || 1}; kinds: ${kinds}${filter}`
  );
}

function missing(c: Comparison, list: (ids: readonly string[]) => string): string[] {
  const out: string[] = [];
  if (c.onlyInBase.length > 0) out.push(`only in base (${c.onlyInBase.length}, not compared): ${list(c.onlyInBase)}`);
  if (c.onlyInHead.length > 0) out.push(`only in head (${c.onlyInHead.length}, not compared): ${list(c.onlyInHead)}`);
  if (out.length > 0) out.push('');
  return out;
}

/** compare.R's closing paragraph, counting only the rows that were actually tested. */
function falsePositiveText(c: Comparison): string[] {
  const fp = c.falsePositives;
  return [
    'Be aware that when doing many comparisons the risk of a false-positive result increases.',
    `In this case, there are ${fp.comparisons} comparisons, you can thus expect the following amount of false-positive results:`,
    `  ${fp.p05.toFixed(2)} false positives, when considering a   5% risk acceptance (*, **, ***),`,
    `  ${fp.p01.toFixed(2)} false positives, when considering a   1% risk acceptance (**, ***),`,
    `  ${fp.p001.toFixed(2)} false positives, when considering a 0.1% risk acceptance (***)`,
    `  Verdicts read Holm-adjusted p-values: the chance of any false verdict among these ${fp.comparisons} is at most ${c.options.alpha}.`,
  ];
}

function summaryLine(c: Comparison): string {
  const n = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  return (
    `${n(c.counts.regression, 'regression')}, ${n(c.counts.improvement, 'improvement')}, ` +
    `${c.counts.same} same, ${c.counts.inconclusive} inconclusive, ${c.counts.untested} untested ` +
    `(of ${c.rows.length} metrics on both sides)`
  );
}

/** `echo.rps|style=callbacks|size=1024` reads as `echo.rps style=callbacks size=1024`, like compare.R's rows. */
export function displayName(id: string): string {
  return id.split('|').join(' ');
}

function signedPercent(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`;
}

function withUnit(value: number | null, unit: string): string {
  return value === null ? 'n/a' : `${formatValue(value)} ${unit}`;
}

/** Four significant digits, thousands grouped: enough to see a 5% change, short enough for a table. */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  return String(Number(x.toPrecision(4)));
}
