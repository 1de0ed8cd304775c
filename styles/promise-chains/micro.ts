// Micro benchmarks in the promise-chains style: `.then` chains and Promise.all, no async/await.
// A hop is one `.then` on a promise that is already resolved when its turn comes: the chain of n
// hops is built first, as a `.then` chain is written, and each reaction continues with value + 1.
import { fakeIo } from '../../scenarios/micro/io.js';
import { PAR, SEQ, type Done, type MicroSuite } from '../../scenarios/micro/contract.js';

function io(value: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fakeIo(value, (error, result) => (error !== null ? reject(error) : resolve(result ?? 0)));
  });
}

const increment = (value: number): number => value + 1;

// The edge of the style: a chain's outcome handed to the suite's callback, ending in .catch as every
// chain does. The callback is the measuring stick's interface, the same for every style.
function settle(chain: Promise<number>, done: Done): void {
  chain
    // eslint-disable-next-line promise/no-callback-in-promise -- the suite reports through a callback
    .then((value) => done(null, value))
    // eslint-disable-next-line promise/no-callback-in-promise -- the suite reports through a callback
    .catch((error: Error) => done(error));
}

export const suite: MicroSuite = {
  hops(n, done) {
    let chain = Promise.resolve(0);
    for (let i = 0; i < n; i++) chain = chain.then(increment);
    settle(chain, done);
  },
  seq10(done) {
    let chain = io(1);
    for (let i = 1; i < SEQ; i++) chain = chain.then((value) => io(value + 1));
    settle(chain, done);
  },
  par25(done) {
    settle(
      Promise.all(Array.from({ length: PAR }, (_, i) => io(i))).then((values) => values.reduce((sum, value) => sum + value, 0)),
      done,
    );
  },
};
