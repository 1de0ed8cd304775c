// The order styles take turns in: a permutation, replayable from its seed, different across rounds.
import { describe, expect, it } from 'vitest';
import { shuffled } from './order.js';

const STYLES = ['baseline', 'callbacks', 'promise-chains', 'coroutines', 'async-await', 'rxjs', 'fp-ts'];

describe('shuffled', () => {
  it('is a permutation of its input, the same for the same seed and round', () => {
    const order = shuffled(STYLES, 42, 'echo/0');
    expect([...order].sort()).toEqual([...STYLES].sort());
    expect(shuffled(STYLES, 42, 'echo/0')).toEqual(order);
  });

  it('gives other rounds other orders, and puts every style first in some round', () => {
    const firsts = new Set<string>();
    const orders = new Set<string>();
    for (let round = 0; round < 60; round++) {
      const order = shuffled(STYLES, 42, `echo/${round}`);
      firsts.add(order[0]!);
      orders.add(order.join(','));
    }
    expect(firsts).toEqual(new Set(STYLES));
    expect(orders.size).toBeGreaterThan(50);
  });
});
