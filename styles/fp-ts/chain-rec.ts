// A loop for TaskEither in constant memory: fp-ts's `ChainRec` shape, which fp-ts 2.16 provides for
// Either, IO and arrays but not for Task or TaskEither. The echo server's per-connection loop runs on it.
import * as E from 'fp-ts/lib/Either.js';
import * as T from 'fp-ts/lib/Task.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';

/**
 * `chainRec(a, f)` runs `f(a)`: a Left ends the loop with that Left, a `Right(Left(next))` runs
 * `f(next)`, and a `Right(Right(b))` ends it with `b`.
 *
 * Why not recursion through `TE.flatMap`: the Promise of each turn would resolve to the Promise of the
 * next, a chain of pending Promises that grows by one every turn and is freed only when the loop
 * ends, so an echo connection that lives for a million chunks would hold a million Promises. Here
 * every turn is run on its own and the previous one is garbage as soon as it has decided.
 *
 * @example
 * chainRec(0, (n) => TE.right(n < 3 ? E.left(n + 1) : E.right(`done at ${n}`))) // Right('done at 3')
 */
export function chainRec<A, E, B>(initial: A, f: (a: A) => TaskEither<E, E.Either<A, B>>): TaskEither<E, B> {
  return () =>
    new Promise((resolve) => {
      // What a turn decides, made once for the whole loop rather than once a turn.
      const decide = E.match(
        (error: E) => resolve(E.left(error)),
        E.match(
          (next: A) => turn(next),
          (b: B) => resolve(E.right(b)),
        ),
      );
      const turn = (a: A): void => {
        void pipe(f(a), T.map(decide))();
      };
      turn(initial);
    });
}
