// The traceback section's part on debug aids: each style with the aid its users reach for (a variant
// row `<style>+<aid>`, harness/aids.ts), what the aid adds to the score case by case, and what it
// costs against the plain style in the same run (instructions, memory), drawn as score gained
// against cost paid. Reads results.json only; a file without variant rows shows nothing here.
import type { TopLevelSpec } from 'vega-lite';
import type { AidRecord, Metric, Results, Tracebacks } from '../harness/schema.js';
import { metricId } from '../harness/schema.js';
import { allPositive } from '../harness/stats/summary.js';
import { compareLog } from '../harness/stats/two-groups.js';
import { aidTradeoffSpec, type AidPoint } from './charts/aids.js';
import { escapeHtml, formatFactor, formatInterval, formatNumber, formatValue, orderStyles } from './format.js';

/** The costs an aid is read against, in the chart's order. */
export const AID_COSTS: readonly { readonly name: string; readonly label: string }[] = [
  { name: 'echo.instructions_per_req', label: 'instructions per echo request' },
  { name: 'memory.echo_idle.bytes_per_conn', label: 'heap per idle connection' },
  { name: 'memory.workflow.bytes_per_inflight', label: 'heap per in-flight workflow' },
];

/** A variant row: its style and aid, and the registry entry when the file recorded one. */
export interface AidVariant {
  readonly variant: string;
  readonly style: string;
  readonly aid: string;
  readonly record: AidRecord | undefined;
}

/** The variants of a matrix, in report order: from its `aids` list, or, in older files, from row labels with a `+`. */
export function aidVariants(tracebacks: Tracebacks | undefined): AidVariant[] {
  if (tracebacks === undefined) return [];
  const records = new Map((tracebacks.aids ?? []).map((record) => [record.variant, record]));
  const labels = orderStyles([...records.keys(), ...tracebacks.rows.map((row) => row.style).filter((style) => style.includes('+'))]);
  return labels.map((variant) => {
    const [style = variant, aid = ''] = variant.split('+');
    return { variant, style, aid, record: records.get(variant) };
  });
}

export interface AidCost {
  readonly variant: string;
  readonly cost: string;
  readonly plain: Metric;
  readonly aided: Metric;
  /**
   * What the aid multiplies the cost by: the ratio of geometric means with its 95% interval (the
   * kit's log-scale comparison) when both rows have two positive samples or more, else the ratio of
   * the medians alone; NaN when the plain median is not positive.
   */
  readonly factor: number;
  readonly interval: readonly [number, number] | undefined;
}

function costFactor(aided: Metric, plain: Metric): { factor: number; interval: readonly [number, number] | undefined } {
  if (aided.samples.length >= 2 && plain.samples.length >= 2 && allPositive(aided.samples) && allPositive(plain.samples)) {
    const comparison = compareLog(aided.samples, plain.samples);
    return { factor: comparison.ratio, interval: comparison.interval };
  }
  return { factor: plain.median > 0 ? aided.median / plain.median : Number.NaN, interval: undefined };
}

/** Each cost both the variant and its plain style were measured for, with the same parameters. */
export function aidCosts(results: Results, variants: readonly AidVariant[]): AidCost[] {
  const byId = new Map(results.metrics.filter((metric) => metric.kind === 'absolute').map((metric) => [metric.id, metric]));
  return variants.flatMap((variant) =>
    AID_COSTS.flatMap(({ name, label }) =>
      results.metrics
        .filter((metric) => metric.name === name && metric.style === variant.variant && metric.kind === 'absolute')
        .flatMap((aided) => {
          const plain = byId.get(metricId(name, variant.style, aided.params));
          if (plain === undefined) return [];
          return [{ variant: variant.variant, cost: label, plain, aided, ...costFactor(aided, plain) }];
        }),
    ),
  );
}

function totalOf(tracebacks: Tracebacks, style: string): number | undefined {
  return tracebacks.totals.find((total) => total.style === style)?.score;
}

/** The chart's points: one per (variant, cost) whose variant and plain style both have a total. */
export function aidPoints(results: Results): AidPoint[] {
  const tracebacks = results.tracebacks;
  if (tracebacks === undefined) return [];
  const variants = aidVariants(tracebacks);
  return aidCosts(results, variants).flatMap((cost) => {
    const variant = variants.find((v) => v.variant === cost.variant);
    const aided = totalOf(tracebacks, cost.variant);
    const plain = variant === undefined ? undefined : totalOf(tracebacks, variant.style);
    if (aided === undefined || plain === undefined) return [];
    return [{ variant: cost.variant, cost: cost.cost, factor: cost.factor, gain: aided - plain }];
  });
}

type Figure = (id: string, spec: TopLevelSpec | undefined, caption: string) => Promise<string>;

/** The whole part, or '' when the matrix has no variant row. */
export async function aidsHtml(results: Results, figure: Figure): Promise<string> {
  const tracebacks = results.tracebacks;
  const variants = aidVariants(tracebacks);
  if (tracebacks === undefined || variants.length === 0) return '';
  const costs = aidCosts(results, variants);
  const points = aidPoints(results);
  const chart = await figure(
    'chart-aids',
    aidTradeoffSpec(points),
    '<b>x</b>: the variant’s median cost over its plain style’s, same run (log scale; 1 = free). <b>y</b>: its mean traceback score per case minus the plain style’s. One point per (style, aid) in each panel.',
  );
  return [
    '<h3 id="aids">Each style with its best debug aid</h3>',
    '<p class="note">A variant <code>style+aid</code> runs the same style file with the debug aid its users reach for, switched on as they would (node flags or an environment variable, never a code change), scored by the same rubric on the same cases. Its traces are in the gallery beside the plain style’s.</p>',
    registryTable(variants),
    scoreTable(tracebacks, variants),
    costTable(costs),
    chart === '' ? '<p class="absent">No cost of any aid in this results file: <code>rosetta run --aids</code> measures their instructions and memory beside the plain styles.</p>' : chart,
  ].join('\n');
}

function registryTable(variants: readonly AidVariant[]): string {
  const rows = variants
    .map(({ variant, record }) => {
      const packages = record === undefined ? 'not recorded' : record.packages.length === 0 ? 'none (a runtime switch)' : record.packages.map((p) => `${p.name} ${p.version}`).join(', ');
      return `<tr><th scope="row">${escapeHtml(variant)}</th><td><code>${escapeHtml(record?.how ?? '')}</code></td><td>${escapeHtml(packages)}</td><td>${escapeHtml(record?.why ?? '')}</td></tr>`;
    })
    .join('\n');
  return `<div class="table-scroll"><table class="aids"><thead><tr><th>variant</th><th>switched on with</th><th>packages</th><th>why this aid</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** Cases down; for each variant its plain style's score, the aided score and the difference. */
function scoreTable(tracebacks: Tracebacks, variants: readonly AidVariant[]): string {
  const cases = [...new Set(tracebacks.rows.map((row) => row.case))];
  const score = (style: string, id: string): number | undefined => tracebacks.rows.find((row) => row.style === style && row.case === id)?.score;
  const cell = (plain: number | undefined, aided: number | undefined): string => {
    if (plain === undefined || aided === undefined) return '<td class="missing">–</td>';
    const gain = aided - plain;
    return `<td>${formatNumber(plain)} → <b>${formatNumber(aided)}</b> <span class="dim">(${gain > 0 ? '+' : ''}${formatNumber(gain)})</span></td>`;
  };
  const head = variants.map((v) => `<th>${escapeHtml(v.style)} → ${escapeHtml(v.variant)}</th>`).join('');
  const body = cases.map((id) => `<tr><th scope="row">${escapeHtml(id)}</th>${variants.map((v) => cell(score(v.style, id), score(v.variant, id))).join('')}</tr>`).join('\n');
  const totals = variants.map((v) => cell(totalOf(tracebacks, v.style), totalOf(tracebacks, v.variant))).join('');
  return `<div class="table-scroll"><table class="matrix"><thead><tr><th>case</th>${head}</tr></thead><tbody>${body}</tbody><tfoot><tr><th scope="row">mean</th>${totals}</tr></tfoot></table></div>`;
}

function costTable(costs: readonly AidCost[]): string {
  if (costs.length === 0) return '';
  const figure = (metric: Metric): string => {
    const interval = formatInterval(metric.ci95, metric.unit);
    return `${escapeHtml(formatValue(metric.median, metric.unit))}${interval === '' ? '' : ` <span class="dim">[${escapeHtml(interval)}]</span>`} <span class="dim">n=${metric.samples.length}</span>`;
  };
  const rows = costs
    .map((cost) => {
      const interval = cost.interval === undefined ? ' <span class="dim">(medians; an interval needs 2 samples a side)</span>' : ` <span class="dim">[${escapeHtml(formatFactor(cost.interval[0]))} – ${escapeHtml(formatFactor(cost.interval[1]))}]</span>`;
      return `<tr><th scope="row">${escapeHtml(cost.variant)}</th><td>${escapeHtml(cost.cost)}</td><td>${figure(cost.plain)}</td><td>${figure(cost.aided)}</td><td>${escapeHtml(formatFactor(cost.factor))}${interval}</td></tr>`;
    })
    .join('\n');
  return [
    '<div class="table-scroll"><table class="aid-costs">',
    '<thead><tr><th>variant</th><th>cost</th><th>plain style (median [95%] n)</th><th>with the aid</th><th>factor (ratio of geometric means [95%])</th></tr></thead>',
    `<tbody>${rows}</tbody>`,
    '</table></div>',
  ].join('\n');
}
