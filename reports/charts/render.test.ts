// Drawing a chart on its own: a spec becomes an SVG with a size and prefixed ids, and vega's
// complaints are collected rather than printed.
import { describe, expect, it } from 'vitest';
import { renderChart } from './render.js';

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
