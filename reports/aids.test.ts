// The debug aids' part of the traceback section, from a results fixture with variant rows: the
// points of "score gained against cost paid" (one per variant and cost measured for both rows), the
// chart drawn from them without vega complaints, the tables, and an older file whose only variant
// row is coroutines+debug with no aid list.
import { describe, expect, it } from 'vitest';
import type { TracebackRow, Tracebacks } from '../harness/schema.js';
import { testMetric, testResults } from '../test/results-fixture.js';
import { aidCosts, aidPoints, aidsHtml, aidVariants } from './aids.js';
import { aidTradeoffSpec } from './charts/aids.js';
import { renderChart } from './charts/render.js';
import { orderStyles } from './format.js';
import { renderHtml } from './html.js';

const row = (style: string, faultCase: string, score: number): TracebackRow => ({
  style,
  case: faultCase,
  outcome: 'rejected',
  expectedError: 'ApiError',
  errorName: 'ApiError',
  classMatches: true,
  context: true,
  originDistance: 0,
  chain: [],
  noise: 0.5,
  cleanupCount: 1,
  inFlightAfter: 0,
  surfaceMs: 5,
  score,
  trace: `ApiError: ${style}`,
});

const TRACEBACKS: Tracebacks = {
  rubric: { outcome: 100 },
  rubricText: '',
  cases: [{ id: 'http-500', description: '', expectedError: 'ApiError' }, { id: 'reset', description: '', expectedError: 'NetworkError' }],
  rows: [row('callbacks', 'http-500', 40), row('callbacks+trace', 'http-500', 70), row('callbacks', 'reset', 50), row('callbacks+trace', 'reset', 60), row('rxjs', 'http-500', 30), row('rxjs+trace', 'http-500', 30)],
  totals: [
    { style: 'callbacks', score: 45 },
    { style: 'callbacks+trace', score: 65 },
    { style: 'rxjs', score: 30 },
    { style: 'rxjs+trace', score: 30 },
  ],
  aids: [
    { variant: 'callbacks+trace', style: 'callbacks', aid: 'trace', how: 'node -r trace', why: 'long traces', packages: [{ name: 'trace', version: '3.2.0' }] },
    { variant: 'rxjs+trace', style: 'rxjs', aid: 'trace', how: 'node -r trace', why: 'closest equivalent', packages: [{ name: 'trace', version: '3.2.0' }] },
  ],
};

const metric = (name: string, style: string, samples: number[], params: Record<string, number> = {}) =>
  testMetric(name, 'lower', samples, { style, params, unit: name.startsWith('memory') ? 'bytes/conn' : 'instr/req' });

const RESULTS = testResults(
  [
    metric('echo.instructions_per_req', 'callbacks', [100_000, 101_000, 99_000], { size: 1024, connections: 1 }),
    metric('echo.instructions_per_req', 'callbacks+trace', [300_000, 303_000, 297_000], { size: 1024, connections: 1 }),
    metric('memory.echo_idle.bytes_per_conn', 'callbacks', [2_000], { maxConnections: 1000 }),
    metric('memory.echo_idle.bytes_per_conn', 'callbacks+trace', [5_000], { maxConnections: 1000 }),
    // Measured for the variant only: no plain figure to divide by, so no point.
    metric('memory.workflow.bytes_per_inflight', 'rxjs+trace', [20_000], { maxWorkflows: 500 }),
  ],
  {},
  { tracebacks: TRACEBACKS, config: { mode: 'quick', aids: ['callbacks+trace', 'rxjs+trace'] } },
);

describe('aid variants and costs', () => {
  it('lists the variants from the recorded aids, or from row labels in an older file', () => {
    expect(aidVariants(TRACEBACKS).map((v) => [v.variant, v.style, v.aid])).toEqual([
      ['callbacks+trace', 'callbacks', 'trace'],
      ['rxjs+trace', 'rxjs', 'trace'],
    ]);
    const { aids: _recorded, ...withoutAids } = TRACEBACKS;
    const older: Tracebacks = { ...withoutAids, rows: [row('coroutines', 'hang', 10), row('coroutines+debug', 'hang', 50)] };
    expect(aidVariants(older).map((v) => [v.variant, v.record])).toEqual([['coroutines+debug', undefined]]);
  });

  it('pairs each variant figure with its plain style’s of the same parameters', () => {
    const costs = aidCosts(RESULTS, aidVariants(TRACEBACKS));
    expect(costs.map((c) => [c.variant, c.cost, c.plain.style])).toEqual([
      ['callbacks+trace', 'instructions per echo request', 'callbacks'],
      ['callbacks+trace', 'heap per idle connection', 'callbacks'],
    ]);
    // Three samples a side: the ratio of geometric means with its interval; one sample: the medians' ratio alone.
    expect(costs[0]?.factor).toBeCloseTo(3, 5);
    expect(costs[0]?.interval?.[0]).toBeLessThan(3);
    expect(costs[0]?.interval?.[1]).toBeGreaterThan(3);
    expect(costs[1]?.factor).toBeCloseTo(2.5, 5);
    expect(costs[1]?.interval).toBeUndefined();
  });

  it('makes one point per (variant, cost): the factor paid and the points gained', () => {
    const points = aidPoints(RESULTS);
    expect(points.map((p) => [p.variant, p.cost, p.gain])).toEqual([
      ['callbacks+trace', 'instructions per echo request', 20],
      ['callbacks+trace', 'heap per idle connection', 20],
    ]);
    expect(points[0]?.factor).toBeCloseTo(3, 5);
    expect(points[1]?.factor).toBeCloseTo(2.5, 5);
  });
});

describe('the chart and the tables', () => {
  it('draws score gained against cost paid, one panel per cost, without a vega warning', async () => {
    const spec = aidTradeoffSpec(aidPoints(RESULTS));
    expect(spec).toBeDefined();
    if (spec === undefined) return;
    const chart = await renderChart('chart-aids', spec);
    expect(chart.warnings).toEqual([]);
    expect(chart.svg).toContain('callbacks+trace');
    expect(chart.svg).toContain('instructions per echo request');
    expect(chart.svg).toContain('heap per idle connection');
  });

  it('draws nothing when no cost was measured for both rows', () => {
    expect(aidTradeoffSpec([])).toBeUndefined();
    expect(aidTradeoffSpec([{ variant: 'a+b', cost: 'c', factor: 0, gain: 3 }])).toBeUndefined();
  });

  it('shows the registry, the score per case with and without the aid, and the cost table', async () => {
    const figures: string[] = [];
    const html = await aidsHtml(RESULTS, (id, spec) => {
      figures.push(id);
      return Promise.resolve(spec === undefined ? '' : `<figure id="${id}"></figure>`);
    });
    expect(figures).toEqual(['chart-aids']);
    expect(html).toContain('trace 3.2.0');
    expect(html).toContain('40 → <b>70</b> <span class="dim">(+30)</span>');
    expect(html).toContain('45 → <b>65</b> <span class="dim">(+20)</span>');
    expect(html).toContain('3.0×');
    expect(html).toContain('n=3');
    expect(html).toContain('(medians; an interval needs 2 samples a side)');
  });

  it('is empty for a matrix without variant rows', async () => {
    const plain = testResults([], {}, { tracebacks: { ...TRACEBACKS, aids: [], rows: [row('callbacks', 'http-500', 40)], totals: [{ style: 'callbacks', score: 40 }] } });
    await expect(aidsHtml(plain, () => Promise.resolve(''))).resolves.toBe('');
  });

  it('orders each variant right after its plain style', () => {
    expect(orderStyles(['rxjs+trace', 'callbacks+trace', 'rxjs', 'coroutines+debug', 'callbacks', 'coroutines', 'baseline'])).toEqual([
      'baseline',
      'callbacks',
      'callbacks+trace',
      'coroutines',
      'coroutines+debug',
      'rxjs',
      'rxjs+trace',
    ]);
  });
});

describe('the report', () => {
  it('puts the aids part in the traceback section and each aided trace right after its plain style’s in the gallery', async () => {
    const { html, charts } = await renderHtml(RESULTS);
    const section = html.slice(html.indexOf('<section class="part" id="tracebacks">'));
    expect(section).toContain('<h3 id="aids">');
    expect(charts.map((chart) => chart.id)).toContain('chart-aids');
    expect(charts.find((chart) => chart.id === 'chart-aids')?.warnings).toEqual([]);
    const cards = [...section.matchAll(/<article class="tb-card" id="tb-http-500-([a-z-]+)"/g)].map((match) => match[1]);
    expect(cards).toEqual(['callbacks', 'callbacks-trace', 'rxjs', 'rxjs-trace']);
  }, 60_000);
});
