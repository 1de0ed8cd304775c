// The regression decision: two results.json files in, one verdict per metric out. The statistics
// fit benchmark data (DESIGN.md, "Statistics"): the unit is the independent measurement (one fresh process
// pair); positive quantities are compared on the log scale as a ratio of geometric means (Welch's t
// on log values, Mann-Whitney U where the logs are skewed); Holm-Bonferroni holds the error of the
// whole family of metrics at alpha; a verdict is "inconclusive" when the interval still holds a
// change beyond the threshold, and every row prints the smallest change it could have detected (or,
// past MDC_BLIND_PERCENT, says in words that it cannot see one). Rows the options leave out of the
// gate (notGated) are tested and printed but stay outside Holm's family and the verdict.
// Nothing is measured here.
import type { Metric, Results } from '../harness/schema.js';
import { holm } from '../harness/stats/error-rates.js';
import { minimumDetectableRatio } from '../harness/stats/two-groups.js';
import { pooledNoise, testMetric, type Tested, type TestResult } from './compare-row.js';
import { sameMachineClass } from './compare-units.js';
import { warnings } from './compare-warnings.js';
import { CompareInputError, MDC_BLIND_PERCENT, MDC_POWER, type CompareOptions, type Comparison, type MetricComparison, type SideInfo, type Stars, type Verdict } from './comparison.js';

/**
 * Compares every metric present on both sides. Absolute figures are compared only when both files
 * come from one machine class; ratios to the in-run reference always. Each tested row gets its own
 * test; then Holm's adjustment runs over all tested rows and the verdicts read the adjusted p.
 */
export function compareResults(base: Results, head: Results, options: CompareOptions): Comparison {
  const kinds = options.kinds ?? (['absolute', 'ratio'] as const);
  const filter = options.filter === undefined ? undefined : withoutState(options.filter);
  const notGated = (options.notGated ?? []).map((entry) => ({ filter: withoutState(entry.filter), reason: entry.reason }));
  const reasonNotGated = (id: string): string | undefined => notGated.find((entry) => entry.filter.test(id))?.reason;
  const keep = (metric: Metric): boolean =>
    kinds.includes(metric.kind) && (filter === undefined || filter.test(metric.id) || reasonNotGated(metric.id) !== undefined);
  const baseById = indexById('base', base.metrics.filter(keep));
  const headById = indexById('head', head.metrics.filter(keep));
  const sameMachine = sameMachineClass(base, head, options.acrossNode === true);

  const pairs = [...headById].flatMap(([id, h]) => {
    const b = baseById.get(id);
    return b === undefined ? [] : [{ b, h }];
  });
  const gatedPairs = pairs.filter(({ h }) => reasonNotGated(h.id) === undefined);
  const noise = pooledNoise(gatedPairs, base, head, sameMachine);
  const tests = pairs.map(({ b, h }) => testMetric(b, base, h, head, sameMachine, noise.get(h.name)));
  // Holm's family: the tested rows the verdict reads. A row left out of the gate is tested alone.
  const inFamily = (t: Tested): boolean => t.result !== null && reasonNotGated(t.common.id) === undefined;
  const testedCount = tests.filter(inFamily).length;
  const adjusted = holm(tests.filter(inFamily).map((t) => (t.result as TestResult).pValue));
  let k = 0;
  const rows = tests.map((t) => {
    if (t.result === null) return t.untested;
    const reason = reasonNotGated(t.common.id);
    if (reason !== undefined) return notGatedRow(t, reason, testedCount, options);
    return decide(t, adjusted[k++] as number, testedCount, options);
  });

  const counts: Record<Verdict, number> = { regression: 0, improvement: 0, same: 0, inconclusive: 0, untested: 0, 'not gated': 0 };
  for (const row of rows) counts[row.verdict]++;

  return {
    base: sideInfo(base, options.labels?.base ?? 'base'),
    head: sideInfo(head, options.labels?.head ?? 'head'),
    options: {
      threshold: options.threshold,
      alpha: options.alpha,
      kinds: [...kinds],
      filter: options.filter?.source ?? null,
      notGated: notGated.map((entry) => ({ filter: entry.filter.source, reason: entry.reason })),
    },
    sameMachine,
    rows,
    // A row left out of the gate may be missing from the head without failing it.
    onlyInBase: [...baseById.keys()].filter((id) => !headById.has(id) && reasonNotGated(id) === undefined),
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

/** A row tested and printed, outside the gate: its own p, no Holm adjustment, no verdict but `not gated`. */
function notGatedRow(t: Tested, reason: string, family: number, options: CompareOptions): MetricComparison {
  const decided = decide(t, (t.result as TestResult).pValue, family, options);
  return { ...decided, pAdjusted: null, verdict: 'not gated', note: reason };
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
  // null only for a base of 0, where no change has a percent; infinite or huge: the row is blind.
  const blind = mdc !== null && (!Number.isFinite(mdc) || mdc > MDC_BLIND_PERCENT) ? blindness(t, r) : undefined;
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
    mdcPercent: mdc !== null && Number.isFinite(mdc) ? mdc : null,
    ...(blind === undefined ? {} : { blind }),
    verdict,
    ...(note === undefined ? {} : { note }),
  };
}

/**
 * Why a row cannot see a change, in words: how it was tested and what would give it power. Its
 * minimum detectable change is past MDC_BLIND_PERCENT, or infinite (a spread that large makes the
 * figure meaningless as a number).
 */
export function blindness(t: Pick<Tested, 'common'>, r: Pick<TestResult, 'test'>): string {
  const nb = t.common.base.units;
  const nh = t.common.head.units;
  const runs = (n: number): string => `${n} base run${n === 1 ? '' : 's'}`;
  const samples = `${nb} base and ${nh} head sample${nh === 1 ? '' : 's'}`;
  // A memory slope is one figure a sweep: its samples are sweeps, each in fresh processes.
  const more = t.common.name.startsWith('memory.') ? 'more sweeps a side (--memory-repeat) or more base runs' : 'more repeats a side';
  switch (r.test) {
    case 'prediction-log':
      return `cannot see a change: measured once per run against a prediction interval from ${runs(nb)}; more sweeps per run (--memory-repeat) or more base runs would give it power`;
    case 'pooled-log':
      return `cannot see a change: ${samples} against noise pooled over the metric's rows; ${more} would give it power`;
    default:
      return `cannot see a change: ${samples}, too few for their spread; ${more}, or a steadier measurement, would give it power`;
  }
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
