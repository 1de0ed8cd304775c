// traverseWithConcurrency on hand-driven tasks: each task is a TaskEither whose answer the test
// gives when it chooses, so "how many are running" and "what starts after a Left" are exact.
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { describe, expect, it } from 'vitest';
import { traverseWithConcurrency } from './traverse-with-concurrency.js';

interface Pending {
  readonly item: string;
  answer(result: E.Either<string, string>): void;
}

/** Tasks that start when run, record themselves as running, and finish when the test answers them. */
function controlled(): { running: Pending[]; started: string[]; task: (item: string) => TE.TaskEither<string, string> } {
  const running: Pending[] = [];
  const started: string[] = [];
  const task = (item: string): TE.TaskEither<string, string> => () =>
    new Promise((resolve) => {
      started.push(item);
      const entry: Pending = {
        item,
        answer: (result) => {
          running.splice(running.indexOf(entry), 1);
          resolve(result);
        },
      };
      running.push(entry);
    });
  return { running, started, task };
}

/** Lets already-queued microtasks run (no timer): fp-ts starts and maps tasks a microtask late. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function runningTask(running: readonly Pending[], item: string): Pending {
  const pending = running.find((p) => p.item === item);
  if (pending === undefined) throw new Error(`task ${item} is not running; running: ${running.map((p) => p.item).join(', ')}`);
  return pending;
}

describe('traverseWithConcurrency', () => {
  it('runs at most n at once, starts the next as soon as one ends, and keeps the input order', async () => {
    const { running, started, task } = controlled();
    const items = ['a', 'b', 'c', 'd', 'e'];
    const result = pipe(items, traverseWithConcurrency(2)(task))();
    await settle();
    expect(started).toEqual(['a', 'b']);

    runningTask(running, 'b').answer(E.right('B'));
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(running.map((p) => p.item)).toEqual(['a', 'c']);

    // Finish the rest out of order: the results must still be in the order of `items`.
    while (running.length > 0) {
      const last = running[running.length - 1]!;
      last.answer(E.right(last.item.toUpperCase()));
      await settle();
      expect(running.length).toBeLessThanOrEqual(2);
    }
    expect(await result).toEqual(E.right(['A', 'B', 'C', 'D', 'E']));
  });

  it('settles with the first Left at once, without waiting for the tasks still running, and starts no more', async () => {
    const { running, started, task } = controlled();
    const result = pipe(['a', 'b', 'c', 'd'], traverseWithConcurrency(2)(task))();
    await settle();
    runningTask(running, 'b').answer(E.left('b failed'));
    expect(await result).toEqual(E.left('b failed'));
    expect(started).toEqual(['a', 'b']);
    // The abandoned task answering later changes nothing and starts nothing.
    runningTask(running, 'a').answer(E.right('A'));
    await settle();
    expect(started).toEqual(['a', 'b']);
  });

  it('a later Left is ignored: the traversal keeps the first', async () => {
    const { running, task } = controlled();
    const result = pipe(['a', 'b'], traverseWithConcurrency(2)(task))();
    await settle();
    runningTask(running, 'b').answer(E.left('second'));
    runningTask(running, 'a').answer(E.left('first'));
    expect(await result).toEqual(E.left('second'));
  });

  it('an empty input is an empty Right, and n above the input length runs them all', async () => {
    expect(await pipe([], traverseWithConcurrency(3)((item: string) => TE.right(item)))()).toEqual(E.right([]));
    const { started, running, task } = controlled();
    const result = pipe(['a', 'b'], traverseWithConcurrency(10)(task))();
    await settle();
    expect(started).toEqual(['a', 'b']);
    for (const pending of [...running]) pending.answer(E.right(pending.item));
    expect(await result).toEqual(E.right(['a', 'b']));
  });

  it('passes each element its index', async () => {
    const result = await pipe(['x', 'y', 'z'], traverseWithConcurrency(2)((item: string, index) => TE.right(`${index}:${item}`)))();
    expect(result).toEqual(E.right(['0:x', '1:y', '2:z']));
  });
});
