// The chart layer on its own: a spec becomes an SVG with a size, vega's complaints are collected
// rather than printed, a section without data yields no spec, and the two-axes labels keep clear
// of each other and of the axis.
import { describe, expect, it } from 'vitest';
import { testMetric, testResults } from '../test/results-fixture.js';
import { type TwoAxesPoint, echoBarsSpec, labelSides, microSpec, renderChart } from './charts.js';
import { styleColours } from './format.js';

describe('renderChart', () => {
  it('draws a spec to an SVG string with its size and prefixed ids', async () => {
    const chart = await renderChart('test-chart', {
      data: { values: [{ a: 'x', b: 3 }] },
      mark: 'bar',
      encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } },
    });
    expect(chart.svg.startsWith('<svg')).toBe(true);
    expect(chart.width).toBeGreaterThan(0);
    expect(chart.height).toBeGreaterThan(0);
    expect(chart.warnings).toEqual([]);
    for (const [, id] of chart.svg.matchAll(/\bid="([^"]+)"/g)) expect(id?.startsWith('test-chart-')).toBe(true);
  });

  it('collects what vega complains about instead of printing it', async () => {
    // A dotted field name is a nested access to vega-lite: `p99.9` reads field `9` of `p99`.
    const chart = await renderChart('dotted', {
      data: { values: [{ 'p99.9': 3 }] },
      mark: 'point',
      encoding: { x: { field: 'p99.9', type: 'quantitative' } },
    });
    expect(chart.warnings.join('\n')).toMatch(/Infinite extent for field "p99\.9"/);
  });
});

describe('specs from results', () => {
  const styles = ['baseline', 'callbacks'];
  const context = (results: ReturnType<typeof testResults>) => ({ results, styles, colours: styleColours(styles) });

  it('gives no spec for a section without its metrics', () => {
    expect(echoBarsSpec(context(testResults([])), 'echo.rps', 'req/s')).toBeUndefined();
    expect(microSpec(context(testResults([])))).toBeUndefined();
  });

  it('whiskers a one-sample micro benchmark with its own margin of error', () => {
    const hop = testMetric('micro.hop_ns', 'lower', [40], { unit: 'ns', extra: { rme: 5 } });
    const spec = microSpec(context(testResults([hop]))) as unknown as { data: { values: { lo: number; hi: number; label: string }[] } };
    expect(spec.data.values[0]).toMatchObject({ lo: 38, hi: 42, label: '40 ns ±5%' });
  });
});

describe('labelSides', () => {
  const point = (style: string, memory: number, tokens: number): TwoAxesPoint => ({ style, memory, memoryLo: memory, memoryHi: memory, tokens, score: 50 });

  it('puts a label right, left when a neighbour is in the way, below when the axis is too', () => {
    const sides = labelSides([
      point('far-left', 1000, 1600), // a neighbour to its right, the axis to its left: below
      point('neighbour', 1500, 1620), // free to the right
      point('alone', 3000, 900),
      point('crowded', 4000, 2000), // a neighbour to its right, room on the left
      point('right-edge', 4500, 2010),
    ]);
    expect(Object.fromEntries(sides)).toEqual({ 'far-left': 'below', neighbour: 'right', alone: 'right', crowded: 'left', 'right-edge': 'right' });
  });
});
