// Micro benchmarks in the async-await style. A hop is one `await` of an already-resolved promise
// (`Promise.resolve(value + 1)`: one promise per hop, as the promise-chains hop's `.then` makes one).
import { fakeIo } from '../../scenarios/micro/io.js';
import { PAR, SEQ, type Done, type MicroSuite } from '../../scenarios/micro/contract.js';

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

// The edge of the style: an outcome handed to the suite's callback with await and try/catch, the
// same for the three benchmarks.
async function report(run: Promise<number>, done: Done): Promise<void> {
  let value: number;
  try {
    value = await run;
  } catch (error) {
    done(error as Error);
    return;
  }
  done(null, value);
}

export const suite: MicroSuite = {
  hops: (n, done) => void report(hops(n), done),
  seq10: (done) => void report(seq10(), done),
  par25: (done) => void report(par25(), done),
};
