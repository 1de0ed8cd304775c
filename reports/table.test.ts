// The factor table on results small enough to work out by hand: which cell is best, each factor,
// the heat between best and worst, the baseline shown but never ranked, and the same numbers in
// the HTML and Markdown renderers.
import { describe, expect, it } from 'vitest';
import { testMetric, testResults } from '../test/results-fixture.js';
import type { Metric } from '../harness/schema.js';
import { factorRow, factorTable, rowKey } from './table.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

// echo.rps at one size: baseline 120, callbacks 100, rxjs 50, fp-ts 25 (req/s, higher is better).
const params = { size: 1024, connections: 10 };
const rps = (style: string, value: number): Metric =>
  testMetric('echo.rps', 'higher', [value * 0.99, value, value * 1.01], { style, params, unit: 'req/s' });
const rpsRow = [rps('baseline', 120), rps('callbacks', 100), rps('rxjs', 50), rps('fp-ts', 25)];

// echo.p99_us: lower is better; async-await 200 is best, rxjs 300 is 1.5×, callbacks 600 is 3×.
const p99 = (style: string, value: number): Metric => testMetric('echo.p99_us', 'lower', [value], { style, params, unit: 'us' });
const p99Row = [p99('callbacks', 600), p99('async-await', 200), p99('rxjs', 300)];

describe('factorRow', () => {
  it('ranks higher-is-better against the best style, not the baseline', () => {
    const row = factorRow(rpsRow);
    expect(row.cells.get('callbacks')).toMatchObject({ factor: 1, best: true, heat: 0, reference: false });
    expect(row.cells.get('rxjs')).toMatchObject({ factor: 2, best: false });
    expect(row.cells.get('fp-ts')).toMatchObject({ factor: 4, best: false, heat: 1 });
    // 2× on a log scale that runs from 1× to 4× is halfway.
    expect(row.cells.get('rxjs')?.heat).toBeCloseTo(0.5, 12);
    // The baseline beats every style: its factor is below 1 and it has no colour.
    const baseline = row.cells.get('baseline');
    expect(baseline?.factor).toBeCloseTo(100 / 120, 12);
    expect(baseline).toMatchObject({ reference: true, best: false, heat: undefined });
  });

  it('ranks lower-is-better by the smallest value', () => {
    const row = factorRow(p99Row);
    expect(row.cells.get('async-await')).toMatchObject({ factor: 1, best: true });
    expect(row.cells.get('rxjs')?.factor).toBeCloseTo(1.5, 12);
    expect(row.cells.get('callbacks')).toMatchObject({ factor: 3, heat: 1 });
  });

  it('gives no factor when a value is not positive (a slope of 0 or below has no ratio)', () => {
    const row = factorRow([p99('callbacks', 0), p99('rxjs', 300)]);
    expect(row.cells.get('callbacks')?.factor).toBeUndefined();
    expect(row.cells.get('rxjs')?.factor).toBeUndefined();
  });

  it('never ranks a workflow figure whose turns served less than one workflow', () => {
    const throughput = (style: string, value: number, shortTurn = false): Metric =>
      testMetric('workflow.throughput', 'higher', [value], { style, unit: 'workflows/s', extra: { shortTurn } });
    // threads' 0.3/s came from turns shorter than its start-up: shown, not the worst of the row.
    const row = factorRow([throughput('callbacks', 54), throughput('rxjs', 27), throughput('threads', 0.3, true)]);
    expect(row.cells.get('callbacks')).toMatchObject({ factor: 1, best: true });
    expect(row.cells.get('rxjs')).toMatchObject({ factor: 2, heat: 1 });
    expect(row.cells.get('threads')?.heat).toBeUndefined();
    expect(row.cells.get('threads')?.best).toBe(false);
  });

  it('never ranks a row that only has references: no best, no colour, no factor', () => {
    const row = factorRow([rps('baseline', 120), rps('c-epoll', 300)], { references: ['baseline', 'c-epoll'] });
    for (const style of ['baseline', 'c-epoll']) expect(row.cells.get(style)).toMatchObject({ factor: undefined, heat: undefined, best: false, reference: true });
  });
});

describe('factorTable', () => {
  it('keeps every metric, groups by prefix, puts unknown names in "other" and ratios after absolutes', () => {
    const unknown = testMetric('made.up_metric', 'higher', [1, 2, 3], { style: 'rxjs' });
    const ratio = testMetric('echo.rps.ratio', 'higher', [0.8], { style: 'rxjs', params, kind: 'ratio', unit: 'x baseline' });
    const table = factorTable([ratio, ...p99Row, unknown, ...rpsRow]);
    expect(table.groups.map((group) => group.id)).toEqual(['echo', 'other']);
    expect(table.groups[0]?.rows.map((row) => row.name)).toEqual(['echo.p99_us', 'echo.rps', 'echo.rps.ratio']);
    expect(table.groups[1]?.rows[0]?.name).toBe('made.up_metric');
    expect(table.styles).toEqual(['baseline', 'callbacks', 'async-await', 'rxjs', 'fp-ts']);
  });

  it('keys rows by name and params, whatever the params order', () => {
    expect(rowKey({ name: 'echo.rps', params: { size: 1, connections: 2 } })).toBe(rowKey({ name: 'echo.rps', params: { connections: 2, size: 1 } }));
  });
});

describe('the factors as rendered', () => {
  const results = testResults([...rpsRow, ...p99Row]);

  it('writes each cell of #results-table with its value, factor and colour', async () => {
    const { html } = await renderHtml(results);
    const table = html.slice(html.indexOf('id="results-table"'), html.indexOf('id="side-by-side"'));
    const row = table.slice(table.indexOf('echo.rps · 1 KiB · 10 conn'));
    const cells = [...row.slice(0, row.indexOf('</tr>')).matchAll(/<td([^>]*)>(.*?)<\/td>/g)].map((m) => ({ attrs: m[1] ?? '', text: (m[2] ?? '').replace(/<[^>]+>/g, ' ') }));
    // baseline, callbacks, async-await (no echo.rps: a dash), rxjs, fp-ts
    expect(cells.map((cell) => cell.text.split(/\s+/).filter(Boolean).slice(0, 2).join(' '))).toEqual([
      '120 0.83×',
      '100 1.00×',
      '–',
      '50 2.0×',
      '25 4.0×',
    ]);
    expect(cells[0]?.attrs).toContain('ref');
    expect(cells[1]?.attrs).toContain('best');
    // Best green, worst red: the two ends of the heat scale.
    expect(cells[1]?.attrs).toContain('background:#c6efce');
    expect(cells[4]?.attrs).toContain('background:#f8c4bc');
  });

  it('writes the same factors in report.md, the best in bold, the baseline in italics', () => {
    const markdown = renderMarkdown(results);
    const line = markdown.split('\n').find((text) => text.startsWith('| echo.rps · 1 KiB · 10 conn'));
    expect(line).toBe('| echo.rps · 1 KiB · 10 conn | _120 req/s (0.83×) n=3_ | **100 req/s (1.00×) n=3** | 50 req/s (2.0×) n=3 | 25 req/s (4.0×) n=3 |');
    const latency = markdown.split('\n').find((text) => text.startsWith('| echo.p99_us'));
    expect(latency).toBe('| echo.p99_us · 1 KiB · 10 conn | 600 µs (3.0×) n=1 | **200 µs (1.00×) n=1** | 300 µs (1.50×) n=1 |');
  });
});
