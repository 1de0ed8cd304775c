// A bounded traversal for TaskEither, which fp-ts does not have: `TE.traverseSeqArray` runs one task
// at a time and `TE.traverseArray` runs them all at once; this one runs at most `concurrency`.
// It is the one imperative corner of the fp-ts style (a counter, a cursor, one `new Promise`), kept
// out of the workflow so the workflow reads as values composed with `pipe`.
import * as E from 'fp-ts/lib/Either.js';
import * as T from 'fp-ts/lib/Task.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';

/**
 * `traverseWithConcurrency(n)(f)(as)` is `TE.traverseReadonlyArrayWithIndex(f)(as)` with at most `n`
 * of the tasks `f(a, i)` running at once, and exactly `n` whenever that many are waiting: a new one
 * starts as soon as one finishes. The results keep the order of `as`, not the order the tasks finish in.
 *
 * Fail-fast: the first Left settles the traversal with that Left at once (it does not wait for the
 * others, as `TE.traverseArray` would), and no task starts after it. The tasks still running are
 * abandoned: their results are ignored, and stopping their I/O is the caller's job (in the workflow,
 * `TE.bracket`'s release closes the HTTP client, which aborts them).
 *
 * `n` is a whole number from 1 up; the tasks must not reject (a TaskEither never does: it resolves a Left).
 *
 * @example
 * pipe(urls, traverseWithConcurrency(8)((url) => get(url))) // at most 8 GETs in flight
 */
export function traverseWithConcurrency(concurrency: number) {
  return <A, E, B>(f: (a: A, index: number) => TaskEither<E, B>) =>
    (as: readonly A[]): TaskEither<E, readonly B[]> =>
    () =>
      new Promise((resolve) => {
        const results = new Array<B>(as.length);
        let started = 0;
        let finished = 0;
        let settled = false;

        const settle = (result: E.Either<E, readonly B[]>): void => {
          if (settled) return;
          settled = true;
          resolve(result);
        };

        // Runs the task for the next element; when it finishes it settles the traversal or starts the next.
        const startNext = (): void => {
          const index = started;
          started += 1;
          const task = pipe(
            f(as[index] as A, index),
            T.map(
              E.match(
                (error) => settle(E.left(error)),
                (value) => {
                  results[index] = value;
                  finished += 1;
                  if (finished === as.length) settle(E.right(results));
                  else if (!settled && started < as.length) startNext();
                },
              ),
            ),
          );
          void task();
        };

        if (as.length === 0) settle(E.right(results));
        while (started < Math.min(concurrency, as.length)) startNext();
      });
}
