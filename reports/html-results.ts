// The report's table of every metric: one row a metric and cell, a column a style, each cell its
// median, factor against the row's best, interval and notes; reference rows shown, never ranked.
import { displayUnit, escapeHtml, formatBare, formatFactor, formatInterval, formatNumber, formatR2, heatColour, precisionNote } from './format.js';
import { type FactorCell, type FactorRow, rowLabel } from './table.js';
import type { ReportView } from './view.js';

/** The table of every metric, folded by group; `body` undefined when the file has none. */
export function resultsTable(view: Pick<ReportView, 'table' | 'references'>): { readonly why: string; readonly body: string | undefined } {
  const { table, references } = view;
  const why =
    'Every metric in the file. Each cell: the median, its factor against the best style of the row (1.00× is the best, ★) and the 95% interval below; the colour runs from the best to the worst of the row. The reference rows (hatched: the Node baseline, and where the run had them c-epoll and the Python servers) are shown for reference and never ranked: a factor below 1.00× means the row beats every style. Ratio twins (each style against the in-run reference: echo cost and capacity against a baseline server whose 100 ms slices alternate with the style’s in the same turn, and workflow throughput against a callbacks runner whose windows alternate with the style’s in the same turn; the baseline row gets one too, a check of two copies of one program; everything else against the reference row of the same repeat) are folded under each group.';
  if (table.groups.length === 0) return { why, body: undefined };
  const scale = `<p class="scale">best <i style="background:linear-gradient(90deg, ${heatColour(0)}, ${heatColour(0.5)}, ${heatColour(1)})"></i> worst</p>`;
  const head = `<thead><tr><th>measurement</th>${table.styles.map((style) => `<th>${escapeHtml(style)}${references.has(style) ? ' <span class="dim">(reference)</span>' : ''}</th>`).join('')}</tr></thead>`;
  const tableOf = (rows: readonly FactorRow[]): string =>
    `<div class="table-scroll"><table class="factors">${head}<tbody>${rows.map((row) => factorRowHtml(row, table.styles)).join('\n')}</tbody></table></div>`;
  const groups = table.groups.map((group) => {
    const absolute = group.rows.filter((row) => row.kind === 'absolute');
    const ratios = group.rows.filter((row) => row.kind !== 'absolute');
    return [
      `<h3 id="results-${group.id}">${escapeHtml(group.title)}</h3>`,
      absolute.length > 0 ? tableOf(absolute) : '',
      ratios.length > 0 ? `<details class="ratios"><summary>${ratios.length} ratio${ratios.length === 1 ? '' : 's'} to the in-run reference</summary>${tableOf(ratios)}</details>` : '',
    ].join('\n');
  });
  return { why, body: `${scale}${groups.join('\n')}` };
}

function factorRowHtml(row: FactorRow, styles: readonly string[]): string {
  const direction = row.direction === 'higher' ? 'higher is better' : 'lower is better';
  const cells = styles.map((style) => {
    const cell = row.cells.get(style);
    return cell === undefined ? '<td class="missing">–</td>' : factorCellHtml(cell, row);
  });
  return `<tr><th class="rowh" scope="row">${escapeHtml(rowLabel(row))}<span class="dir">${escapeHtml(displayUnit(row.unit))}, ${direction}</span></th>${cells.join('')}</tr>`;
}

function factorCellHtml(cell: FactorCell, row: FactorRow): string {
  const { metric } = cell;
  const classes = [cell.best ? 'best' : '', cell.reference ? 'ref' : ''].filter(Boolean).join(' ');
  const style = cell.heat === undefined ? '' : ` style="background:${heatColour(cell.heat)}"`;
  const interval = formatInterval(metric.ci95, row.unit);
  const extras: string[] = [];
  if (typeof metric.extra?.r2 === 'number') extras.push(`R² ${formatR2(metric.extra.r2)}`);
  if (typeof metric.extra?.rme === 'number') extras.push(`±${formatNumber(metric.extra.rme)}%`);
  if (metric.extra?.saturated === true) extras.push('saturated: not ranked');
  if (metric.extra?.shortTurn === true) extras.push('a turn served less than one workflow: not ranked');
  if (typeof metric.extra?.pairedSamples === 'number') extras.push(`only ${metric.extra.pairedSamples} repeat(s) paired: same-repeat ratio`);
  if (typeof metric.extra?.saturatedBy === 'string' && metric.extra.saturatedBy !== 'neither') extras.push(`limited by ${metric.extra.saturatedBy}`);
  const precision = precisionNote(metric.extra, metric.ci95);
  if (precision !== undefined) extras.push(precision);
  extras.push(`n=${metric.samples.length}`);
  const title = `${metric.samples.length} sample${metric.samples.length === 1 ? '' : 's'}: ${metric.samples.map((s) => formatNumber(s)).join(', ')}`;
  return [
    `<td class="${classes}"${style} title="${escapeHtml(title)}">`,
    `<span class="v">${escapeHtml(formatBare(metric.median, row.unit))}</span>`,
    `<span class="f">${cell.factor === undefined ? '–' : formatFactor(cell.factor)}</span>`,
    interval === '' ? '' : `<span class="ci">${escapeHtml(interval)}</span>`,
    extras.length === 0 ? '' : `<span class="x">${escapeHtml(extras.join(' · '))}</span>`,
    '</td>',
  ].join('');
}

