// Micro benchmarks in the fp-ts style: TaskEither, pipe, flatMap, traverse. A hop is `TE.flatMap` onto
// `TE.right(value + 1)`: the chain of n hops is built first, then run once. fp-ts's chain returns
// the next task's promise from inside a `.then`, which the runtime adopts: that is part of its hop.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as T from 'fp-ts/lib/Task.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { fakeIo } from '../../scenarios/micro/io.js';
import { PAR, SEQ, type Done, type MicroSuite } from '../../scenarios/micro/contract.js';

function io(value: number): TE.TaskEither<Error, number> {
  return () =>
    new Promise((resolve) => {
      fakeIo(value, (error, result) => resolve(error !== null ? E.left(error) : E.right(result ?? 0)));
    });
}

// Runs a TaskEither and reports its Either through the suite's callback: the edge of the style.
function report(task: TE.TaskEither<Error, number>, done: Done): void {
  void pipe(task, T.map(E.match((error) => done(error), (value) => done(null, value))))();
}

export const suite: MicroSuite = {
  hops(n, done) {
    let chain: TE.TaskEither<Error, number> = TE.right(0);
    for (let i = 0; i < n; i++) chain = pipe(chain, TE.flatMap((value) => TE.right(value + 1)));
    report(chain, done);
  },
  seq10(done) {
    let chain = io(1);
    for (let i = 1; i < SEQ; i++) chain = pipe(chain, TE.flatMap((value) => io(value + 1)));
    report(chain, done);
  },
  par25(done) {
    report(
      pipe(
        Array.from({ length: PAR }, (_, i) => io(i)),
        TE.sequenceArray,
        TE.map((values) => values.reduce((sum, value) => sum + value, 0)),
      ),
      done,
    );
  },
};
