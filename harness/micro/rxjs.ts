// Micro benchmarks in the rxjs style. A hop subscribes to `of(value + 1)` and continues in its next
// handler. RxJS delivers a ready value synchronously (it defers only when given a scheduler), so
// its hop takes no queue turn: that is the style's real cost, reported as such. The hops run in a
// loop rather than by recursion from each `next`, which would grow the stack by a subscription per
// hop; because delivery is synchronous the order of work is the same.
import { Observable, concatMap, forkJoin, map, of, type Observer } from 'rxjs';
import { fakeIo } from './io.js';
import { PAR, SEQ, type Done, type MicroSuite } from './suite.js';

// The style's bridge from the callback primitive, as styles/rxjs writes its `send`.
function io(value: number): Observable<number> {
  return new Observable<number>((subscriber) => {
    fakeIo(value, (error, result) => {
      if (error !== null) subscriber.error(error);
      else {
        subscriber.next(result ?? 0);
        subscriber.complete();
      }
    });
  });
}

function observer(done: Done): Partial<Observer<number>> {
  return { next: (value) => done(null, value), error: (error: Error) => done(error) };
}

export const suite: MicroSuite = {
  hops(n, done) {
    let value = 0;
    const next = (received: number): void => {
      value = received;
    };
    while (value < n) of(value + 1).subscribe(next);
    done(null, value);
  },
  seq10(done) {
    let chain = io(1);
    for (let i = 1; i < SEQ; i++) chain = chain.pipe(concatMap((value) => io(value + 1)));
    chain.subscribe(observer(done));
  },
  par25(done) {
    forkJoin(Array.from({ length: PAR }, (_, i) => io(i)))
      .pipe(map((values) => values.reduce((sum, value) => sum + value, 0)))
      .subscribe(observer(done));
  },
};
