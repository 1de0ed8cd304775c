// The open-file cap on memory steps: a sweep never asks a process for more sockets than it may open.
import { describe, expect, it } from 'vitest';
import { stepsWithinFdLimit } from './memory-fit.js';

describe('stepsWithinFdLimit', () => {
  it('keeps every step under the limit', () => {
    expect(stepsWithinFdLimit([0, 1000, 2000], 20_000)).toEqual({ steps: [0, 1000, 2000], cappedAt: undefined });
  });

  it('drops the steps a process could not open, and says where the cap is', () => {
    expect(stepsWithinFdLimit([0, 2000, 4000, 6000], 4096)).toEqual({ steps: [0, 2000], cappedAt: 3840 });
  });
});
