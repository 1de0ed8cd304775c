// A comparison as text: a table like compare.R's printout, Markdown for a PR comment, JSON for
// machines. Only formatting: every figure and verdict comes decided from compare.ts.
import { MDC_BLIND_PERCENT, MDC_POWER, type Comparison, type ComparisonFormat, type SideInfo } from './comparison.js';

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
    detectableText(row),
    `${withUnit(row.base.centre, row.unit)} (${row.base.units})`,
    `${withUnit(row.head.centre, row.unit)} (${row.head.units})`,
    [row.note === undefined ? row.verdict : `${row.verdict}: ${row.note}`, ...(row.blind === undefined ? [] : [row.blind])].join('; '),
  ]);
}

/** A row's minimum detectable change: a figure, or `none` where the row cannot see a change (its words follow the verdict). */
function detectableText(row: Comparison['rows'][number]): string {
  if (row.blind !== undefined) return 'none';
  return row.mdcPercent === null ? 'n/a' : mdcFigure(row.mdcPercent);
}

/** ±x%, or words past MDC_BLIND_PERCENT: a figure like ±7e13% means no power, and says so. */
export function mdcFigure(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent) || percent > MDC_BLIND_PERCENT) return `none (above ±${MDC_BLIND_PERCENT}%: cannot see a change)`;
  return `±${percent.toFixed(1)}%`;
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
    `${MDC_POWER * 100}% power at alpha/${c.falsePositives.comparisons || 1} (none: above ±${MDC_BLIND_PERCENT}%, the row cannot see a change); kinds: ${kinds}${filter}` +
    notGatedText(c)
  );
}

function notGatedText(c: Comparison): string {
  if (c.options.notGated.length === 0) return '';
  return `; not gated (tested and printed, outside the verdict and Holm's family): ${c.options.notGated.map((entry) => `/${entry.filter}/`).join(', ')}`;
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
    `${c.counts.same} same, ${c.counts.inconclusive} inconclusive, ${c.counts.untested} untested${c.counts['not gated'] > 0 ? `, ${c.counts['not gated']} not gated` : ''} ` +
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
