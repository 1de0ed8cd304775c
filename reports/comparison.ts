// What a comparison of two results files is: the options it ran with, one row per metric with its
// test and verdict, and the file-level facts around them. compare.ts builds it; compare-format.ts
// renders it; the gate and the runtime pages read it.
import type { Direction, Metric } from '../harness/schema.js';
import type { TestName } from '../harness/stats/two-groups.js';

/** `not gated`: tested and printed, but outside the family the verdict reads (CompareOptions.notGated). */
export type Verdict = 'regression' | 'improvement' | 'same' | 'inconclusive' | 'untested' | 'not gated';
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
  /**
   * Rows compared and printed but left out of the decision: not in Holm's family, never a
   * regression, and not required of the head. Each pattern of ids with the reason, printed beside.
   */
  readonly notGated?: readonly NotGated[];
}

export interface NotGated {
  readonly filter: RegExp;
  readonly reason: string;
}

export const DEFAULT_THRESHOLD = 5;
export const DEFAULT_ALPHA = 0.05;
/** The power at which the minimum detectable change is quoted. */
export const MDC_POWER = 0.8;
/**
 * A row whose minimum detectable change is above this, in percent, cannot see a change in practice:
 * ten times the gate's 5% threshold, so it would miss any regression the gate exists for. Such a row
 * prints words (how it was tested, what would give it power) instead of a figure.
 */
export const MDC_BLIND_PERCENT = 50;

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
  /**
   * Set when the row cannot see a change: its minimum detectable change is above MDC_BLIND_PERCENT
   * or not finite. Says how it was tested and what would give it power.
   */
  readonly blind?: string;
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
    readonly notGated: readonly { readonly filter: string; readonly reason: string }[];
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
