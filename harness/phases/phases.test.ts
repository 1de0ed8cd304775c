// The pure parts of the phases: the ideal wall-time bound of the workflow, the forks per page the
// children serve, and the open-file cap on memory steps.
import { describe, expect, it } from 'vitest';
import { DEFAULT_USER } from '../../scenarios/repos-and-forks/world.js';
import { HELD_USER } from '../child/world.js';
import { stepsWithinFdLimit } from './memory-fit.js';
import { forksPerPage, idealWallMs } from './workflow-throughput.js';

describe('idealWallMs', () => {
  it('is the pages alone when there are no forks', () => {
    expect(idealWallMs([0, 0, 0], 8, 20)).toBe(60);
  });

  it('starts forks as soon as their page arrives and fills every slot', () => {
    // 16 forks on page 1 (arrives at 20): two rounds of 8 → 60; page 2 at 40 adds nothing.
    expect(idealWallMs([16, 0], 8, 20)).toBe(60);
    // 9 forks, page at 10: eight run 10-20, the ninth 20-30.
    expect(idealWallMs([9], 8, 10)).toBe(30);
  });

  it('waits for a late page: forks on the last page cannot start before it', () => {
    expect(idealWallMs([0, 0, 1], 8, 20)).toBe(80);
  });

  it('beats the pages-then-forks bound when forks overlap the later pages', () => {
    const pages = forksPerPage(DEFAULT_USER, 100);
    expect(pages).toHaveLength(3);
    const forks = pages.reduce((sum, n) => sum + n, 0);
    expect(forks).toBe(83);
    const pagesThenForks = (pages.length + Math.ceil(forks / 8)) * 20;
    expect(idealWallMs(pages, 8, 20)).toBeLessThan(pagesThenForks);
    expect(idealWallMs(pages, 8, 20)).toBeGreaterThanOrEqual(20 + Math.ceil(forks / 8) * 20);
  });

  it('serves the held user on one page without forks', () => {
    expect(forksPerPage(HELD_USER, 100)).toEqual([0]);
  });
});

describe('stepsWithinFdLimit', () => {
  it('keeps every step under the limit', () => {
    expect(stepsWithinFdLimit([0, 1000, 2000], 20_000)).toEqual({ steps: [0, 1000, 2000], cappedAt: undefined });
  });

  it('drops the steps a process could not open, and says where the cap is', () => {
    expect(stepsWithinFdLimit([0, 2000, 4000, 6000], 4096)).toEqual({ steps: [0, 2000], cappedAt: 3840 });
  });
});
