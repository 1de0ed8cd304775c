// The regression decision: two results.json files in, one verdict per metric out, decided like
// Node core's benchmark/compare.R (Welch's t-test, stars, accuracy, the false-positive warning)
// plus a threshold, so a significant but tiny change is not a regression. Nothing is measured here.
import { type Direction, type Metric, type Results } from './schema.js';
import { mean, median, summarize, tCritical, welch } from '../harness/stats.js';

export type Verdict = 'regression' | 'improvement' | 'same' | 'untested';
export type Stars = '' | '*' | '**' | '***';
export type MetricKind = Metric['kind'];
export type ComparisonFormat = 'md' | 'json' | 'text';

export interface CompareOptions {
  /** A change must be larger than this, in percent of the base mean, to be a regression. */
  readonly threshold: number;
  /** Significance level of Welch's test. */
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

export interface SideStats {
  readonly n: number;
  /** null when the side has no samples at all. */
  readonly median: number | null;
  readonly mean: number | null;
}

/** Half-widths of the confidence interval of the change, in percent of the base mean (Node's columns). */
export interface Accuracy {
  /** 95%: Node's `accuracy (*)`. */
  readonly p05: number;
  /** 99%: `(**)`. */
  readonly p01: number;
  /** 99.9%: `(***)`. */
  readonly p001: number;
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
  /** (head mean - base mean) / |base mean| · 100; null when the base mean is 0 and the head's is not. */
  readonly changePercent: number | null;
  /** 95% confidence interval of the change (Welch-Satterthwaite df), in percent of the base mean. */
  readonly ci95Percent: readonly [number, number] | null;
  readonly accuracy: Accuracy | null;
  /** Welch's t statistic of head against base; null when untested or infinite (two different constants). */
  readonly t: number | null;
  readonly df: number | null;
  readonly pValue: number | null;
  readonly stars: Stars;
  readonly verdict: Verdict;
  /** Why a metric is untested. */
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
  readonly rows: readonly MetricComparison[];
  readonly onlyInBase: readonly string[];
  readonly onlyInHead: readonly string[];
  readonly counts: Readonly<Record<Verdict, number>>;
  /**
   * Expected false positives if nothing changed: tested comparisons × each risk level, as Node's
   * compare.R prints them. Untested rows are not counted: they cannot produce a false positive.
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

/**
 * Compares every metric present on both sides. The change is measured on means, not medians:
 * Welch's test and its confidence interval are statements about means, so a median-based change
 * could sit outside its own interval and contradict the verdict. Medians are shown alongside.
 */
export function compareResults(base: Results, head: Results, options: CompareOptions): Comparison {
  const kinds = options.kinds ?? (['absolute', 'ratio'] as const);
  const filter = options.filter === undefined ? undefined : withoutState(options.filter);
  const keep = (metric: Metric): boolean => kinds.includes(metric.kind) && (filter === undefined || filter.test(metric.id));
  const baseById = indexById('base', base.metrics.filter(keep));
  const headById = indexById('head', head.metrics.filter(keep));

  const rows: MetricComparison[] = [];
  for (const [id, h] of headById) {
    const b = baseById.get(id);
    if (b !== undefined) rows.push(compareMetric(b, h, options));
  }
  const counts: Record<Verdict, number> = { regression: 0, improvement: 0, same: 0, untested: 0 };
  for (const row of rows) counts[row.verdict]++;
  const tested = rows.length - counts.untested;

  return {
    base: sideInfo(base, options.labels?.base ?? 'base'),
    head: sideInfo(head, options.labels?.head ?? 'head'),
    options: { threshold: options.threshold, alpha: options.alpha, kinds: [...kinds], filter: options.filter?.source ?? null },
    rows,
    onlyInBase: [...baseById.keys()].filter((id) => !headById.has(id)),
    onlyInHead: [...headById.keys()].filter((id) => !baseById.has(id)),
    counts,
    falsePositives: {
      comparisons: tested,
      p05: tested * 0.05,
      p01: tested * 0.01,
      p001: tested * 0.001,
      atAlpha: tested * options.alpha,
    },
    warnings: warnings(base, head),
  };
}

function compareMetric(b: Metric, h: Metric, options: CompareOptions): MetricComparison {
  const common = {
    id: h.id,
    name: h.name,
    style: h.style,
    unit: h.unit,
    direction: h.direction,
    kind: h.kind,
    base: sideStats(b),
    head: sideStats(h),
  };
  const untested = (note: string, changePercent: number | null = null): MetricComparison => ({
    ...common,
    changePercent,
    ci95Percent: null,
    accuracy: null,
    t: null,
    df: null,
    pValue: null,
    stars: '',
    verdict: 'untested',
    note,
  });
  if (b.direction !== h.direction || b.unit !== h.unit) {
    return untested(`definition changed: base is ${b.unit}, ${b.direction} is better; head is ${h.unit}, ${h.direction} is better`);
  }
  const baseMean = common.base.mean;
  const headMean = common.head.mean;
  const change = baseMean !== null && headMean !== null ? percentOf(headMean - baseMean, baseMean) : null;
  if (b.samples.length < 2 || h.samples.length < 2) {
    // Node's compare.R prints NA here too: with one sample there is no variance to test against.
    return untested(`fewer than 2 samples (base ${b.samples.length}, head ${h.samples.length}): cannot test`, change);
  }

  // welch(head, base): the difference is head - base, the sign of the change.
  const test = welch(h.samples, b.samples);
  const bm = baseMean as number;
  const halfWidth = (risk: number): number =>
    test.standardError === 0 ? 0 : (tCritical(risk, test.df) * test.standardError * 100) / Math.abs(bm);
  const changePercent = percentOf(test.difference, bm);
  const accuracy = bm === 0 ? null : { p05: halfWidth(0.05), p01: halfWidth(0.01), p001: halfWidth(0.001) };
  const ci95Percent =
    changePercent === null || accuracy === null ? null : ([changePercent - accuracy.p05, changePercent + accuracy.p05] as const);

  const significant = test.pValue < options.alpha;
  // A base mean of 0 makes any significant change infinitely large in percent: beyond every threshold.
  const large = changePercent === null || Math.abs(changePercent) > options.threshold;
  const better = h.direction === 'higher' ? test.difference > 0 : test.difference < 0;
  const verdict: Verdict = significant && large ? (better ? 'improvement' : 'regression') : 'same';
  return {
    ...common,
    changePercent,
    ci95Percent,
    accuracy,
    t: Number.isFinite(test.t) ? test.t : null,
    df: test.df,
    pValue: test.pValue,
    stars: starsFor(test.pValue),
    verdict,
  };
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

function sideStats(metric: Metric): SideStats {
  if (metric.samples.length === 0) return { n: 0, median: null, mean: null };
  return { n: metric.samples.length, median: median(metric.samples), mean: mean(metric.samples) };
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

function warnings(base: Results, head: Results): string[] {
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
  if (changed.length > 0) {
    out.push('absolute figures from different environments are not comparable; ratio metrics (--kind ratio) cancel most of the machine');
  }
  for (const [side, results] of [['base', base], ['head', head]] as const) {
    if (results.failures.length > 0) {
      const what = results.failures.map((failure) => `${failure.what} (${failure.reason})`).join('; ');
      out.push(`${side} recorded ${results.failures.length} failure${results.failures.length === 1 ? '' : 's'}: ${what}`);
    }
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
 * median and ci95 recomputed. Environment, config and the non-sample sections (tracebacks,
 * difficulty, sources) are the first run's; failures are all runs'. `extra` is kept only when every
 * run that has it agrees, since a per-run fact (an r2, a saturation flag) does not describe the merge.
 */
export function mergeResults(runs: readonly Results[]): Results {
  const [first] = runs;
  if (first === undefined) throw new MergeError('mergeResults: needs at least one run');
  const merged = new Map<string, { metric: Metric; samples: number[]; extras: string[] }>();
  runs.forEach((run, index) => {
    for (const metric of run.metrics) {
      const entry = merged.get(metric.id);
      if (entry === undefined) {
        merged.set(metric.id, { metric, samples: [...metric.samples], extras: [JSON.stringify(metric.extra ?? null)] });
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
      entry.samples.push(...metric.samples);
      if (metric.extra !== undefined) entry.extras.push(JSON.stringify(metric.extra));
    }
  });
  const metrics = [...merged.values()].map(({ metric, samples, extras }): Metric => {
    const { extra: _extra, ...rest } = metric;
    const summary = samples.length === 0 ? null : summarize(samples);
    const agreed = extras.every((extra) => extra === extras[0]) && metric.extra !== undefined;
    return {
      ...rest,
      samples,
      median: summary?.median ?? metric.median,
      ci95: summary?.ci95 ?? metric.ci95,
      ...(agreed ? { extra: metric.extra } : {}),
    };
  });
  return {
    ...first,
    durationMs: runs.reduce((sum, run) => sum + run.durationMs, 0),
    config: { ...first.config, mergedRuns: runs.length },
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

const HEADER = ['', 'better', 'confidence', 'change', '95% CI', 'accuracy (*)', '(**)', '(***)', 'base median', 'head median', 'verdict'];

function tableRows(c: Comparison): string[][] {
  return c.rows.map((row) => [
    displayName(row.id),
    row.direction,
    row.verdict === 'untested' ? 'NA' : row.stars,
    row.changePercent === null ? 'n/a' : `${row.changePercent.toFixed(2)} %`,
    row.ci95Percent === null ? 'n/a' : `[${signedPercent(row.ci95Percent[0])}, ${signedPercent(row.ci95Percent[1])}]`,
    row.accuracy === null ? 'n/a' : `±${row.accuracy.p05.toFixed(2)}%`,
    row.accuracy === null ? 'n/a' : `±${row.accuracy.p01.toFixed(2)}%`,
    row.accuracy === null ? 'n/a' : `±${row.accuracy.p001.toFixed(2)}%`,
    withUnit(row.base.median, row.unit),
    withUnit(row.head.median, row.unit),
    row.note === undefined ? row.verdict : `${row.verdict}: ${row.note}`,
  ]);
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
    `regression = p < ${c.options.alpha} (Welch) and worse than ${c.options.threshold}% in the metric's direction; ` +
    `change = (head mean - base mean) / |base mean|; kinds: ${kinds}${filter}`
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
  ];
}

function summaryLine(c: Comparison): string {
  const n = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  return (
    `${n(c.counts.regression, 'regression')}, ${n(c.counts.improvement, 'improvement')}, ` +
    `${c.counts.same} same, ${c.counts.untested} untested (of ${c.rows.length} metrics on both sides)`
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
