// Micro benchmarks in the rxjs style. A hop is one real suspension through RxJS's own scheduler:
// `scheduled([value + 1], asapScheduler)` delivers on the asap scheduler's next flush (a microtask,
// the queue a resolved promise uses), and the next hop subscribes from that delivery. (`of(x)` would
// deliver synchronously and measure a subscription, not a suspension.)
import { Observable, asapScheduler, concatMap, forkJoin, map, scheduled, type Observer } from 'rxjs';
import { fakeIo } from '../../scenarios/micro/io.js';
import { PAR, SEQ, type Done, type MicroSuite } from '../../scenarios/micro/contract.js';

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
    const hop = (value: number): void => {
      if (value >= n) done(null, value);
      else scheduled([value + 1], asapScheduler).subscribe(hop);
    };
    hop(0);
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
