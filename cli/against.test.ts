// The A/B order of `compare --against`: alternate sides, base first, stop at the first failure.
// The worktree, build and run steps are exercised through the command (commands/compare.test.ts).
import { describe, expect, it } from 'vitest';
import { testMetric as metric, testResults as results } from '../test/results-fixture.js';
import { alternateRuns, type Side } from './against.js';

describe('alternateRuns', () => {
  it('runs base and head alternately, base first, and reports which run of how many', async () => {
    const order: string[] = [];
    const progress: string[] = [];
    const sides = await alternateRuns(
      3,
      (side: Side, index: number) => {
        order.push(`${side}${index}`);
        return Promise.resolve(results([metric('x', 'higher', [index])]));
      },
      (p) => progress.push(`${p.overall}/${p.total} ${p.side} ${p.index}`),
    );
    expect(order).toEqual(['base1', 'head1', 'base2', 'head2', 'base3', 'head3']);
    expect(progress).toEqual(['1/6 base 1', '2/6 head 1', '3/6 base 2', '4/6 head 2', '5/6 base 3', '6/6 head 3']);
    expect(sides.base.map((r) => r.metrics[0]!.samples[0])).toEqual([1, 2, 3]);
  });

  it('stops at the first failed run', async () => {
    const seen: string[] = [];
    const failing = alternateRuns(2, (side, index) => {
      seen.push(`${side}${index}`);
      return side === 'head' ? Promise.reject(new Error('run crashed')) : Promise.resolve(results([]));
    });
    await expect(failing).rejects.toThrow('run crashed');
    expect(seen).toEqual(['base1', 'head1']);
  });
});
