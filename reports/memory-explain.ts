// Memory explained: what each style keeps alive per idle echo connection and per in-flight
// workflow, from results.json's memoryAttribution (two heap snapshots diffed by the name V8 gives a
// node, divided by the units held: harness/phases/memory-explain.ts). A stacked bar per scenario
// beside the memory chart, a table per style (the top five entries, their sum against the slope),
// the same in Markdown, and the link the side-by-side page puts under each style's memory figure.
import type { TopLevelSpec } from 'vega-lite';
import type { MemoryAttribution, Results } from '../harness/schema.js';
import { escapeHtml, formatBytes, formatNumber, orderStyles } from './format.js';
import type { MetricsNamed } from './charts/select.js';

/** Entries a table and a bar show per style; the rest is one segment. */
export const SHOWN = 5;
/** Named colours in a chart; names beyond them join the rest, so the legend stays readable. */
const NAMED_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#86bcb6'];
const REST = 'everything else';
const REST_COLOUR = '#d3d7dc';

export const SCENARIOS = [
  { scenario: 'echo', title: 'per idle echo connection', short: 'per idle connection', slope: 'memory.echo_idle.bytes_per_conn' },
  { scenario: 'repos-and-forks', title: 'per in-flight workflow', short: 'per in-flight workflow', slope: 'memory.workflow.bytes_per_inflight' },
] as const;

export type Scenario = MemoryAttribution['scenario'];

/** What these sections read from the report's view (view.ts builds it with attributionsOf). */
export interface Attributions {
  /** Per scenario, one attribution a style, in report order. */
  readonly attributions: ReadonlyMap<Scenario, readonly MemoryAttribution[]>;
  /** The styles with an attribution in any scenario, in report order. */
  readonly attributionStyles: readonly string[];
}

/** The anchor of a style's attribution tables on the page. */
export function explainAnchor(style: string): string {
  return `memory-explain-${style.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}

/** The attributions of one scenario, one a style, in report order: the view derives them once. */
export function attributionsOf(results: Results, scenario: Scenario): MemoryAttribution[] {
  const rows = (results.memoryAttribution ?? []).filter((row) => row.scenario === scenario);
  return orderStyles(rows.map((row) => row.style)).flatMap((style) => rows.filter((row) => row.style === style).slice(0, 1));
}

/** The figure the attribution is set against: the memory phase's slope, or the two-point reading of the same child. */
export function measuredOf(attribution: MemoryAttribution): { bytes: number; what: string } {
  return attribution.slopeBytesPerConnection !== undefined
    ? { bytes: attribution.slopeBytesPerConnection, what: 'memory phase slope' }
    : { bytes: attribution.measuredBytesPerConnection, what: 'heapUsed + external at the two snapshots' };
}

/** What the top entries leave out: the snapshot's total minus their sum (never below 0 in a chart). */
function restOf(attribution: MemoryAttribution, shown: number): number {
  return attribution.snapshotBytesPerConnection - attribution.entries.slice(0, shown).reduce((sum, entry) => sum + entry.bytesPerConnection, 0);
}

// ------------------------------------------------------------------------------------------------
// The stacked bar

/**
 * One bar per style, stacked by entry (each style's top five; a name shared by styles keeps one
 * colour), the rest of the snapshot in grey, and a tick at the measured figure.
 */
export function attributionSpec(view: Attributions, scenario: Scenario): TopLevelSpec | undefined {
  const rows = view.attributions.get(scenario) ?? [];
  if (rows.length === 0) return undefined;
  // The names with the most bytes over all styles get the colours; a style's other top entries join its rest.
  const weight = new Map<string, number>();
  for (const row of rows) for (const entry of row.entries.slice(0, SHOWN)) weight.set(entry.name, (weight.get(entry.name) ?? 0) + Math.max(0, entry.bytesPerConnection));
  const named = [...weight].sort((a, b) => b[1] - a[1]).slice(0, NAMED_COLOURS.length).map(([name]) => name);
  const values: { style: string; name: string; kib: number; order: number; label: string }[] = [];
  for (const row of rows) {
    let rest = row.snapshotBytesPerConnection;
    for (const entry of row.entries.slice(0, SHOWN)) {
      if (!named.includes(entry.name) || entry.bytesPerConnection <= 0) continue;
      rest -= entry.bytesPerConnection;
      values.push({ style: row.style, name: entry.name, kib: entry.bytesPerConnection / 1024, order: named.indexOf(entry.name), label: `${entry.name}: ${formatBytes(entry.bytesPerConnection)} (${formatNumber(entry.countPerConnection)} each)` });
    }
    if (rest > 0) values.push({ style: row.style, name: REST, kib: rest / 1024, order: named.length, label: `${REST}: ${formatBytes(rest)}` });
  }
  const styles = rows.map((row) => row.style);
  const ticks = rows.map((row) => ({ style: row.style, kib: measuredOf(row).bytes / 1024, label: `${measuredOf(row).what}: ${formatBytes(measuredOf(row).bytes)}` }));
  const y = { field: 'style', type: 'nominal', title: null, sort: styles, scale: { domain: styles } };
  const x = { type: 'quantitative', title: `KiB ${SCENARIOS.find((s) => s.scenario === scenario)?.title ?? ''}`, axis: { format: ',~f', tickCount: 5 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 420,
    height: { step: 18 },
    layer: [
      {
        data: { values },
        mark: { type: 'bar', height: { band: 0.72 }, stroke: '#fff', strokeWidth: 0.5 },
        encoding: {
          y,
          x: { field: 'kib', aggregate: 'sum', stack: 'zero', ...x },
          color: {
            field: 'name',
            type: 'nominal',
            title: 'V8 heap snapshot name',
            titleLimit: 300,
            scale: { domain: [...named, REST], range: [...NAMED_COLOURS.slice(0, named.length), REST_COLOUR] },
            legend: { orient: 'bottom', columns: 3, labelLimit: 220, symbolType: 'square' },
          },
          order: { field: 'order', type: 'quantitative' },
          tooltip: { field: 'label', type: 'nominal' },
        },
      },
      {
        data: { values: ticks },
        mark: { type: 'tick', color: '#000', thickness: 2, bandSize: 16 },
        encoding: { y, x: { field: 'kib', ...x }, tooltip: { field: 'label', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
}

// ------------------------------------------------------------------------------------------------
// HTML

export const EXPLAIN_CSS = [
  '.explain-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 10px 22px; margin: 10px 0 18px; }',
  '.explain-grid h4 { margin: 6px 0 2px; font-size: 14px; }',
  '.explain-grid table { width: 100%; font-size: 12.5px; }',
  '.explain-grid td, .explain-grid th { text-align: left; white-space: normal; padding: 3px 6px; }',
  '.explain-grid td.n, .explain-grid th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }',
  '.explain-grid tr.sum td { border-top: 1px solid var(--line); color: #333; }',
  '.explain-grid td.name { font-family: var(--mono); font-size: 11.5px; overflow-wrap: anywhere; }',
].join('\n');

function tableHtml(attribution: MemoryAttribution): string {
  const total = attribution.snapshotBytesPerConnection;
  const share = (bytes: number): string => (total > 0 ? `${formatNumber((100 * bytes) / total)}%` : '–');
  const per = attribution.unit === 'idle connection' ? 'conn' : 'workflow';
  const entries = attribution.entries.slice(0, SHOWN);
  const sum = total - restOf(attribution, SHOWN);
  const measured = measuredOf(attribution);
  const rows = entries.map(
    (entry) =>
      `<tr><td class="name">${escapeHtml(entry.name)}</td><td class="n">${formatNumber(entry.countPerConnection)}</td><td class="n">${formatBytes(entry.bytesPerConnection)}</td><td class="n">${share(entry.bytesPerConnection)}</td></tr>`,
  );
  const sums = [
    [`top ${entries.length}`, sum, share(sum)],
    ['every node of the diff', total, '100%'],
    ['of which Node’s C++ objects', attribution.nativeBytesPerConnection, share(attribution.nativeBytesPerConnection)],
    [measured.what, measured.bytes, ''],
  ] as const;
  return [
    `<table><thead><tr><th>${escapeHtml(attribution.scenario)}: per ${escapeHtml(attribution.unit)}</th><th class="n">count/${per}</th><th class="n">bytes</th><th class="n">share</th></tr></thead><tbody>`,
    ...rows,
    ...sums.map(([what, bytes, part]) => `<tr class="sum"><td>${escapeHtml(what)}</td><td></td><td class="n">${formatBytes(bytes)}</td><td class="n">${part}</td></tr>`),
    '</tbody></table>',
  ].join('');
}

/** Each style's tables (echo, then workflow), each style under its own anchor. */
export function attributionTablesHtml(view: Attributions): string {
  if (view.attributionStyles.length === 0) return '';
  const blocks = view.attributionStyles.map((style) => {
    const own = SCENARIOS.flatMap(({ scenario }) => (view.attributions.get(scenario) ?? []).filter((row) => row.style === style));
    const tables = own.map(tableHtml);
    const units = [...new Set(own.map((row) => row.units))].join(' / ');
    return `<div id="${explainAnchor(style)}"><h4>${escapeHtml(style)} <span class="dim">(snapshots at 0 and ${escapeHtml(units)})</span></h4>${tables.join('')}</div>`;
  });
  return `<div class="explain-grid">${blocks.join('\n')}</div>`;
}

export const EXPLAIN_CAPTION =
  'Each bar is what one unit keeps alive, from two V8 heap snapshots of the style’s own process after GC (with 0 and with N units held), diffed by the name V8 gives each node and divided by N; colours are the largest entries by name across styles, grey the rest of the diff. The black tick is the measured figure (the memory phase’s slope, heapUsed + external): the bar passes it by the <code>Node / …</code> entries, C++ objects Node reports to the snapshot that neither heapUsed nor external count. Threads: the main isolate only (each thread’s own heap is in RSS).';

// ------------------------------------------------------------------------------------------------
// Markdown

/** One table per scenario: a row per style with its top entries, their sum and the measured figure. */
export function attributionMarkdown(view: Attributions): string[] {
  const out: string[] = [];
  for (const { scenario, title } of SCENARIOS) {
    const rows = view.attributions.get(scenario) ?? [];
    if (rows.length === 0) continue;
    out.push(`**${title}** (name ×count per unit: bytes per unit)`, '');
    out.push(`| style | ${Array.from({ length: SHOWN }, (_, i) => `#${i + 1}`).join(' | ')} | top ${SHOWN} | all nodes (C++) | measured |`);
    out.push(`|---|${Array.from({ length: SHOWN }, () => '---').join('|')}|---:|---:|---:|`);
    for (const row of rows) {
      const cells = Array.from({ length: SHOWN }, (_, i) => {
        const entry = row.entries[i];
        return entry === undefined ? '–' : `${cell(entry.name)} ×${formatNumber(entry.countPerConnection)}: ${formatBytes(entry.bytesPerConnection)}`;
      });
      const sum = row.snapshotBytesPerConnection - restOf(row, SHOWN);
      out.push(
        `| ${cell(row.style)} | ${cells.join(' | ')} | ${formatBytes(sum)} | ${formatBytes(row.snapshotBytesPerConnection)} (${formatBytes(row.nativeBytesPerConnection)}) | ${formatBytes(measuredOf(row).bytes)} |`,
      );
    }
    out.push('');
  }
  if (out.length > 0) {
    out.push(
      '_measured_: the memory phase’s slope (heapUsed + external) where the run measured it, else the same figure read at the two snapshots. _C++_: `Node / …` objects Node reports to the snapshot, counted by neither.',
      '',
    );
  }
  return out;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

// ------------------------------------------------------------------------------------------------
// The side-by-side page's link

export interface MemoryLink {
  /** e.g. `13.5 KiB per idle connection`. */
  readonly text: string;
  /** `#memory-explain-<style>` when the style has an attribution, else `#memory`. */
  readonly href: string;
}

/** For each `scenario:style`, the style's memory figure and where the page explains it. */
export function memoryLinks(view: Attributions & { readonly named: MetricsNamed }): Map<string, MemoryLink> {
  const links = new Map<string, MemoryLink>();
  for (const { scenario, short, slope } of SCENARIOS) {
    const metrics = view.named(slope);
    const attributions = view.attributions.get(scenario) ?? [];
    for (const style of new Set([...metrics.map((m) => m.style), ...attributions.map((a) => a.style)])) {
      const attribution = attributions.find((row) => row.style === style);
      const bytes = metrics.find((metric) => metric.style === style)?.median ?? (attribution === undefined ? undefined : measuredOf(attribution).bytes);
      if (bytes === undefined) continue;
      links.set(`${scenario}:${style}`, { text: `${formatBytes(bytes)} ${short}`, href: attribution === undefined ? '#memory' : `#${explainAnchor(style)}` });
    }
  }
  return links;
}
