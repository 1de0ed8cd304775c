// The two-axes chart's labels keep clear of each other and of the axis.
import { describe, expect, it } from 'vitest';
import { type TwoAxesPoint, labelSides } from './two-axes.js';

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
