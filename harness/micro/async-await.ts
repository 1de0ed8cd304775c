// Micro benchmarks in the async-await style. A hop is one `await` of an already-resolved promise
// (`Promise.resolve(value + 1)`: one promise per hop, as the promise-chains hop's `.then` makes one).
import { fakeIo } from './io.js';
import { PAR, SEQ, type MicroSuite } from './suite.js';

function io(value: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fakeIo(value, (error, result) => (error !== null ? reject(error) : resolve(result ?? 0)));
  });
}

async function hops(n: number): Promise<number> {
  let value = 0;
  while (value < n) value = await Promise.resolve(value + 1);
  return value;
}

async function seq10(): Promise<number> {
  let value = await io(1);
  for (let i = 1; i < SEQ; i++) value = await io(value + 1);
  return value;
}

async function par25(): Promise<number> {
  const values = await Promise.all(Array.from({ length: PAR }, (_, i) => io(i)));
  return values.reduce((sum, value) => sum + value, 0);
}

// The adapter from the style to the suite's callback, the same for the three benchmarks.
function report(run: Promise<number>, done: (error: Error | null, value?: number) => void): void {
  run.then((value) => done(null, value), (error: Error) => done(error));
}

export const suite: MicroSuite = {
  hops: (n, done) => report(hops(n), done),
  seq10: (done) => report(seq10(), done),
  par25: (done) => report(par25(), done),
};
