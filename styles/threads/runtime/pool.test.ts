// ThreadPoolExecutor.map end to end: a thread (runOnThread) runs a pool of threads (test-tasks.ts).
import { describe, expect, it } from 'vitest';
import { THREAD_BOUNDARY } from './errors.js';
import { squares } from './test-tasks.js';
import { task } from './task.js';
import { liveThreads } from './thread.js';
import { runOnThread } from './workflow.js';

const SQUARES = task(new URL('./test-tasks.ts', import.meta.url).href, squares);

describe('ThreadPoolExecutor.map', () => {
  it('returns the results in item order, with every thread joined', async () => {
    const items = Array.from({ length: 12 }, (_, i) => i);
    expect(await runOnThread(SQUARES, { items, workers: 3, failAt: null }, 'squares')).toEqual(items.map((i) => i * i));
    expect(liveThreads()).toBe(0);
  });

  it('fails with the first error, its class and both threads\' frames, once the pool is joined', async () => {
    const error = await runOnThread(SQUARES, { items: [1, 2, 3, 4, 5, 6], workers: 2, failAt: 4 }, 'squares').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('no square for 4');
    const [thrower, joiner] = ((error as Error).stack ?? '').split(THREAD_BOUNDARY);
    expect(thrower).toContain('at square');
    expect(joiner).toContain('at squares');
    expect(liveThreads()).toBe(0);
  });

  it('refuses a pool size that is not a positive integer, naming it', async () => {
    await expect(runOnThread(SQUARES, { items: [1], workers: 0, failAt: null }, 'squares')).rejects.toThrow(/Expected `maxWorkers` to be an integer from 1 and up, got 0/);
  });
});
