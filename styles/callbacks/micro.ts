// Micro benchmarks in the callbacks style: error-first callbacks and a hand-written counter.
// A hop delivers its ready value through queueMicrotask: calling back synchronously would be
// cheaper but would release Zalgo (a callback that is sometimes sync, sometimes async), which the
// style's rules forbid; the microtask queue is the same queue a resolved promise uses.
import { fakeIo } from '../../scenarios/micro/io.js';
import { PAR, PAR_SUM, SEQ, type Done, type MicroSuite } from '../../scenarios/micro/contract.js';

function ready(value: number, callback: Done): void {
  queueMicrotask(() => callback(null, value));
}

export const suite: MicroSuite = {
  hops(n, done) {
    const step = (error: Error | null, value = 0): void => {
      if (error !== null) return done(error);
      if (value === n) return done(null, value);
      ready(value + 1, step);
    };
    ready(0, step);
  },
  seq10(done) {
    const step = (error: Error | null, value = 0): void => {
      if (error !== null) return done(error);
      if (value === SEQ) return done(null, value);
      fakeIo(value + 1, step);
    };
    fakeIo(1, step);
  },
  par25(done) {
    let remaining = PAR;
    let sum = 0;
    let failed = false;
    for (let i = 0; i < PAR; i++) {
      fakeIo(i, (error, value = 0) => {
        if (failed) return;
        if (error !== null) {
          failed = true;
          return done(error);
        }
        sum += value;
        if (--remaining === 0) done(null, sum === PAR_SUM ? sum : Number.NaN);
      });
    }
  },
};
