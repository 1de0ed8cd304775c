// A bar chart whose values span orders of magnitude gets a log axis, panel by panel, so that every
// style's bar can be read beside a thread's megabytes.
import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { testMetric, testResults } from '../../test/results-fixture.js';
import { layoutOf } from '../../test/support/chart-panels.js';
import { reportView } from '../view.js';
import { memorySpec } from './bars.js';
import { LOG_SPREAD, barScale } from './scale.js';

describe('barScale', () => {
  it('is linear while the largest value is within LOG_SPREAD times the smallest', () => {
    expect(barScale([1, LOG_SPREAD])).toEqual({ type: 'linear' });
    expect(barScale([1200, 3000, 14_000])).toEqual({ type: 'linear' });
  });

  it('is logarithmic beyond, from a third of the smallest value', () => {
    expect(barScale([3000, 6000, 8.3 * 2 ** 20])).toEqual({ type: 'log', floor: 1000 });
  });

  it('stays linear when a value is zero or less, or there is only one', () => {
    expect(barScale([0, 5, 8.3 * 2 ** 20])).toEqual({ type: 'linear' });
    expect(barScale([-300, 5, 8.3 * 2 ** 20])).toEqual({ type: 'linear' });
    expect(barScale([8.3 * 2 ** 20])).toEqual({ type: 'linear' });
  });
});

describe('the memory chart with a thread per connection', () => {
  // RSS per idle connection as a full run reads it: threads 8.3 MiB, the event-loop styles kilobytes.
  const rss: Record<string, number> = { baseline: 5_600, threads: 8.3 * 2 ** 20, callbacks: 6_000, 'async-await': 8_300, rxjs: 14_800 };
  const heap: Record<string, number> = { baseline: 1_200, threads: 9_000, callbacks: 1_400, 'async-await': 2_300, rxjs: 4_900 };
  const styles = Object.keys(rss);
  const metrics = styles.flatMap((style) => [
    testMetric('memory.echo_idle.rss_per_conn', 'lower', [rss[style]!], { style, unit: 'bytes/conn', params: { maxConnections: 1000 } }),
    testMetric('memory.echo_idle.bytes_per_conn', 'lower', [heap[style]!], { style, unit: 'bytes/conn', params: { maxConnections: 1000 } }),
  ]);
  const spec = memorySpec(reportView(testResults(metrics))) as TopLevelSpec;

  it('draws RSS on a log axis and the heap, within 20x, on a linear one', () => {
    const views = (spec as unknown as { concat: { title: { text: string }; layer: { encoding: { x: { title: string; scale: { type?: string } } } }[] }[] }).concat;
    const axis = new Map(views.map((view) => [view.title.text, view.layer[0]?.encoding.x]));
    expect(axis.get('RSS per idle connection')).toMatchObject({ title: 'KiB (slope of a linear fit), log scale', scale: { type: 'log' } });
    expect(axis.get('heap per idle connection')?.scale.type).toBeUndefined();
  });

  it('gives every style a bar at least 10 px long on the RSS panel, the longest within the panel', async () => {
    const layout = await layoutOf(spec);
    const panel = layout.panels.find((p) => p.labels.includes('RSS per idle connection'));
    expect(panel?.bars.size).toBe(styles.length);
    for (const [style, length] of panel?.bars ?? []) {
      expect(length, style).toBeGreaterThanOrEqual(10);
      expect(length, style).toBeLessThanOrEqual(panel?.width ?? 0);
    }
  });
});
