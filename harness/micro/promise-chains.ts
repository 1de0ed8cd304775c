// Micro benchmarks in the promise-chains style: `.then` chains and Promise.all, no async/await.
// A hop is one `.then` on a promise that is already resolved when its turn comes: the chain of n
// hops is built first, as a `.then` chain is written, and each reaction continues with value + 1.
import { fakeIo } from './io.js';
import { PAR, SEQ, type MicroSuite } from './suite.js';

function io(value: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fakeIo(value, (error, result) => (error !== null ? reject(error) : resolve(result ?? 0)));
  });
}

const increment = (value: number): number => value + 1;

export const suite: MicroSuite = {
  hops(n, done) {
    let chain = Promise.resolve(0);
    for (let i = 0; i < n; i++) chain = chain.then(increment);
    chain.then((value) => done(null, value), (error: Error) => done(error));
  },
  seq10(done) {
    let chain = io(1);
    for (let i = 1; i < SEQ; i++) chain = chain.then((value) => io(value + 1));
    chain.then((value) => done(null, value), (error: Error) => done(error));
  },
  par25(done) {
    Promise.all(Array.from({ length: PAR }, (_, i) => io(i)))
      .then((values) => values.reduce((sum, value) => sum + value, 0))
      .then((sum) => done(null, sum), (error: Error) => done(error));
  },
};
