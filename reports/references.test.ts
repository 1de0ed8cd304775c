// Reference rows (the Node baseline, c-epoll, the Python servers): shown in the echo tables and
// charts, never ranked, coloured, counted or put in a headline; the echo section's share of the
// machine's ceiling, worked out by hand; the load client in the header; the two config fields.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Metric, type Results, parseResults } from '../harness/schema.js';
import { TEST_REFERENCE_ROWS, testMetric, testResults, withReferenceRows } from '../test/results-fixture.js';
import { ceilingCells, ceilingMethod, ceilingSentence } from './ceiling.js';
import { ceilingSpec } from './charts/ceiling.js';
import { twoAxesData } from './charts/two-axes.js';
import { orderStyles, referenceRows, styleColours } from './format.js';
import { headlines } from './headlines.js';
import { type HtmlReport, renderHtml } from './html.js';
import { ceilingMarkdown, renderMarkdown } from './markdown.js';
import { stylesInWords } from './style-count.js';
import { factorTable } from './table.js';
import { reportView } from './view.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'results.fixture.json');
const fixture = parseResults(readFileSync(FIXTURE, 'utf8'), FIXTURE);
const OTHERS = /c-epoll|uvloop|asyncio/;

/** The HTML of one section, from its opening tag to the next section's. */
function sectionOf(html: string, id: string): string {
  const start = html.indexOf(`<section class="part" id="${id}">`);
  if (start === -1) return '';
  const next = html.indexOf('<section class="part"', start + 1);
  return html.slice(start, next === -1 ? undefined : next);
}

describe('referenceRows', () => {
  it('reads the run’s list, and is the baseline alone for a file written before it', () => {
    expect([...referenceRows(fixture)]).toEqual(['baseline', 'c-epoll', 'asyncio', 'asyncio-streams']);
    expect([...referenceRows(withReferenceRows(testResults([])))].sort()).toEqual([...TEST_REFERENCE_ROWS].sort());
    expect([...referenceRows(testResults([]))]).toEqual(['baseline']);
  });

  it('gives every reference row a neutral colour of its own, the baseline keeping its grey', () => {
    const styles = orderStyles([...TEST_REFERENCE_ROWS, 'callbacks', 'python-threads']);
    const colours = styleColours(styles, new Set([...TEST_REFERENCE_ROWS, 'python-threads']));
    expect(colours.get('baseline')).toBe('#8c8c8c');
    const references = [...TEST_REFERENCE_ROWS, 'python-threads'].map((style) => colours.get(style));
    expect(new Set(references).size).toBe(references.length);
    expect(references).not.toContain(colours.get('callbacks'));
  });
});

describe('a reference row', () => {
  it('is never the best cell nor coloured, even where it beats every style', () => {
    const table = factorTable(fixture.metrics, { references: [...referenceRows(fixture)] });
    const rows = table.groups.flatMap((group) => group.rows);
    const rps = rows.find((row) => row.key === 'echo.rps|connections=10|size=1024');
    expect(rps?.cells.get('c-epoll')?.factor).toBeLessThan(1);
    for (const row of rows) {
      for (const style of referenceRows(fixture)) {
        const cell = row.cells.get(style);
        if (cell === undefined) continue;
        expect(cell, `${row.key} ${style}`).toMatchObject({ best: false, heat: undefined, reference: true });
      }
    }
    // A row only the references have (their own RSS figure) shows them, unranked.
    const rss = rows.find((row) => row.name === 'memory.echo_idle.reference_rss_per_conn');
    expect([...(rss?.cells.keys() ?? [])]).toEqual(['c-epoll', 'asyncio', 'asyncio-streams']);
    expect([...(rss?.cells.values() ?? [])].every((cell) => cell.reference && !cell.best && cell.factor === undefined)).toBe(true);
  });

  it('is never in a headline, though c-epoll costs less and serves more than any style', () => {
    for (const card of headlines(fixture)) {
      expect([card.lead, card.winner ?? '', card.text, card.detail].join(' '), card.key).not.toMatch(OTHERS);
    }
    expect(headlines(fixture).find((card) => card.key === 'CPU cost')?.lead).toBe('callbacks');
  });

  it('is not ranked, nor named apart, on memory when it has an RSS figure the styles have', () => {
    const cell = { maxConnections: 1000 };
    const slope = (name: string, style: string, bytes: number): Metric => testMetric(name, 'lower', [bytes, bytes * 1.01, bytes * 0.99], { style, params: cell, unit: 'bytes/conn' });
    const metrics = [
      slope('memory.echo_idle.bytes_per_conn', 'callbacks', 2000),
      slope('memory.echo_idle.bytes_per_conn', 'rxjs', 4000),
      slope('memory.echo_idle.rss_per_conn', 'callbacks', 3000),
      slope('memory.echo_idle.rss_per_conn', 'rxjs', 5000),
      slope('memory.echo_idle.rss_per_conn', 'c-epoll', 500),
    ];
    const card = headlines(testResults(metrics, {}, { config: { referenceRows: ['baseline', 'c-epoll'] } })).find((h) => h.key === 'Memory per connection');
    expect(card?.lead).toBe('callbacks');
    expect(card?.text).not.toContain('c-epoll');
  });

  it('is not counted as a style, nor plotted on the two axes', () => {
    const metrics = ['baseline', 'c-epoll', 'asyncio', 'callbacks', 'rxjs'].map((style) => testMetric('echo.rps', 'higher', [1], { style }));
    expect(stylesInWords(testResults(metrics, {}, { config: { referenceRows: ['baseline', 'c-epoll', 'asyncio'] } }))).toBe('two async styles');
    expect(stylesInWords(testResults([], {}, { config: { styles: ['callbacks', 'uvloop'], referenceRows: ['baseline', 'uvloop'] } }))).toBe('one async style');
    const data = twoAxesData(reportView(fixture));
    expect(data.points.map((point) => point.style)).toEqual(['threads', 'callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts', 'effect']);
    expect(data.missing.join(' ')).not.toMatch(OTHERS);
  });
});

// One cell worked out by hand. Same-round ratios to the baseline, their geometric means:
// c-epoll sqrt(1.6 x 2.5) = 2, callbacks sqrt(0.4 x 0.9) = 0.6, rxjs sqrt(0.32 x 0.5) = 0.4,
// baseline sqrt(0.8 x 1.25) = 1, asyncio sqrt(0.2 x 0.45) = 0.3; uvloop has no ratios, so its
// share is of the medians: 35,000 / 50,000.
describe('the share of the machine’s ceiling', () => {
  const params = { size: 1024, connections: 10 };
  const rps = (style: string, samples: number[]): Metric => testMetric('echo.rps', 'higher', samples, { style, params, unit: 'req/s' });
  const ratio = (style: string, samples: number[]): Metric =>
    testMetric('echo.rps.ratio', 'higher', samples, { style, params, unit: 'x baseline', kind: 'ratio', extra: { reference: 'baseline', paired: true } });
  const metrics = [
    rps('c-epoll', [40_000, 50_000, 60_000]),
    ratio('c-epoll', [1.6, 2.5]),
    rps('callbacks', [20_000, 25_000, 30_000]),
    ratio('callbacks', [0.4, 0.9]),
    rps('rxjs', [10_000, 12_000, 14_000]),
    ratio('rxjs', [0.32, 0.5]),
    rps('baseline', [28_000, 30_000, 32_000]),
    ratio('baseline', [0.8, 1.25]),
    rps('asyncio', [9_000, 10_000, 11_000]),
    ratio('asyncio', [0.2, 0.45]),
    rps('uvloop', [34_000, 35_000, 36_000]),
  ];
  const run = testResults(metrics, {}, { config: { referenceRows: ['baseline', 'c-epoll', 'uvloop', 'asyncio'], loadClient: 'native' } });

  it('divides the paired ratio geometric means where both rows have them, else the medians', () => {
    const [cell, ...more] = ceilingCells(run);
    expect(more).toEqual([]);
    const share = new Map(cell?.rows.map((row) => [row.style, row]));
    expect(cell?.rows.map((row) => row.style)).toEqual(['baseline', 'c-epoll', 'uvloop', 'asyncio', 'callbacks', 'rxjs']);
    expect(share.get('c-epoll')?.fraction).toBeCloseTo(1, 12);
    expect(share.get('callbacks')).toMatchObject({ method: 'paired', reference: false });
    expect(share.get('callbacks')?.fraction).toBeCloseTo(0.3, 12);
    expect(share.get('rxjs')?.fraction).toBeCloseTo(0.2, 12);
    expect(share.get('baseline')?.fraction).toBeCloseTo(0.5, 12);
    expect(share.get('asyncio')).toMatchObject({ method: 'paired', reference: true });
    expect(share.get('asyncio')?.fraction).toBeCloseTo(0.15, 12);
    expect(share.get('uvloop')).toMatchObject({ method: 'medians', fraction: 0.7 });
  });

  it('opens with one sentence, and says which rows fell back to medians', () => {
    expect(ceilingSentence(run)).toBe(
      "The machine's ceiling is c-epoll, a minimal C epoll echo server: at 1 KiB · 10 conn it served 50,000 req/s; the styles reached 20% to 30% of it, the Node baseline 50%, uvloop 70%, asyncio 15%.",
    );
    expect(ceilingMethod(ceilingCells(run))).toContain('for uvloop, which lack them in some cell, medians');
    const unpaired = testResults(metrics.filter((m) => m.kind === 'absolute'));
    expect(ceilingMethod(ceilingCells(unpaired))).toBe('Fractions from medians of absolute requests per second (this run has no paired ratios to divide).');
    // Medians alone: callbacks 25,000 / 50,000.
    expect(ceilingCells(unpaired)[0]?.rows.find((row) => row.style === 'callbacks')?.fraction).toBe(0.5);
  });

  it('is a small table in report.md, the references marked', () => {
    const lines = ceilingMarkdown(reportView(run));
    expect(lines).toContain('| share of c-epoll | 1 KiB · 10 conn |');
    expect(lines).toContain('| callbacks | 30% |');
    expect(lines).toContain('| uvloop _(reference)_ | 70% |');
    expect(renderMarkdown(run)).toContain(`## Echo capacity against the machine’s ceiling\n\n${ceilingSentence(run) ?? ''}`);
  });

  it('draws one panel per cell, the references outlined and labelled', () => {
    const spec = ceilingSpec(reportView(run), ceilingCells(run));
    const text = JSON.stringify(spec);
    expect(text).toContain('(reference)');
    expect(text).toContain('"label":"30%"');
    expect(text).not.toContain('errorbar');
  });

  it('says so in the sentence when the run has no c-epoll row, and draws no chart', async () => {
    const none = testResults(metrics.filter((m) => m.style !== 'c-epoll'));
    expect(ceilingSentence(none)).toBe(
      "This run has no c-epoll row (the minimal C epoll echo server: a full run measures it where the machine has a C compiler), so the styles' capacity is not shown as a fraction of the machine's ceiling.",
    );
    expect(ceilingMarkdown(reportView(none))).toEqual([ceilingSentence(none), '']);
    const { html } = await renderHtml(none);
    expect(sectionOf(html, 'throughput')).toContain('This run has no c-epoll row');
    expect(html).not.toContain('chart-echo-ceiling');
    // No capacity at all: nothing to say.
    expect(ceilingSentence(testResults([]))).toBeUndefined();
  }, 60_000);
});

describe('the report with reference rows', () => {
  let report: HtmlReport;
  beforeAll(async () => {
    report = await renderHtml(fixture);
  }, 60_000);

  it('opens the echo section with the sentence and the ceiling chart, drawn without warnings', () => {
    const echo = sectionOf(report.html, 'throughput');
    const sentence = echo.indexOf('<p class="ceiling" id="echo-ceiling">The machine');
    expect(sentence).toBeGreaterThan(-1);
    expect(echo.indexOf('id="chart-echo-ceiling"')).toBeGreaterThan(sentence);
    expect(echo.indexOf('id="chart-echo-ceiling"')).toBeLessThan(echo.indexOf('id="chart-echo-cpu"'));
    const chart = report.charts.find((c) => c.id === 'chart-echo-ceiling');
    expect(chart?.warnings).toEqual([]);
    expect(report.charts.flatMap((c) => c.warnings.map((w) => `${c.id}: ${w}`))).toEqual([]);
  });

  it('marks the references in the legend and the results table, and never as the best cell', () => {
    expect(sectionOf(report.html, 'header')).toContain('c-epoll <span class="dim">(reference)</span>');
    expect(sectionOf(report.html, 'results-table')).toContain('<th>asyncio <span class="dim">(reference)</span></th>');
    expect(report.html).not.toContain('class="best ref"');
  });

  it('never bolds a reference column in report.md', () => {
    const lines = renderMarkdown(fixture).split('\n');
    const head = lines.find((line) => line.startsWith('| measurement |') && line.includes('c-epoll (reference)')) ?? '';
    const column = head.split(' | ').findIndex((cell) => cell === 'c-epoll (reference)');
    expect(column).toBeGreaterThan(0);
    const rows = lines.filter((line) => line.startsWith('| echo.rps ·'));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.split(' | ')[column]).toMatch(/^_/);
  });
});

describe('the load client in the header', () => {
  it('is named when the run recorded it, and absent from an older file', async () => {
    const native = withReferenceRows(testResults([]), 'native');
    const node = withReferenceRows(testResults([]), 'node');
    expect(sectionOf((await renderHtml(native)).html, 'header')).toContain('<dt>Echo load client</dt><dd>native (C)</dd>');
    expect(renderMarkdown(node)).toContain('| Echo load client | node |');
    expect(sectionOf((await renderHtml(testResults([]))).html, 'header')).not.toContain('Echo load client');
    expect(renderMarkdown(testResults([]))).not.toContain('Echo load client');
  }, 60_000);
});

describe('the two config fields in results.json', () => {
  const text = (config: Record<string, unknown>): string => JSON.stringify({ ...testResults([]), config } satisfies Results);

  it('are optional, and of their type when present', () => {
    expect(parseResults(text({ referenceRows: ['baseline', 'c-epoll'], loadClient: 'native' })).config.loadClient).toBe('native');
    expect(parseResults(text({})).config.referenceRows).toBeUndefined();
    expect(() => parseResults(text({ referenceRows: 'c-epoll' }))).toThrow('config.referenceRows must be an array of strings');
    expect(() => parseResults(text({ loadClient: 'python' }))).toThrow('config.loadClient must be "native" or "node"');
  });
});
