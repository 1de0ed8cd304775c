// Micro benchmarks in the coroutines style: generators on the kit's own event loop (Future, Task,
// gather). A hop is one real suspension through the loop's scheduler: `yield* wait(future)` on a
// future the loop resolves with `callSoon`, so the task parks, the loop runs the callback on its
// next iteration, and the task's wake-up runs on the one after (a done future would take `wait`'s
// fast path and measure no suspension at all). The simulated I/O resolves a Future from the setImmediate
// callback; the task resumes on the loop's next iteration, which the loop asks Node for with its own
// setImmediate: one more libuv turn per I/O than the Promise styles, which is this style's design.
import { EventLoop } from './loop/event-loop.js';
import { wait, type Coro, type Future } from './loop/future.js';
import { gather } from './loop/helpers.js';
import { fakeIo } from '../../scenarios/micro/io.js';
import { PAR, SEQ, type Done, type MicroSuite } from '../../scenarios/micro/contract.js';

const loop = new EventLoop({ debug: false });
// Node drives the loop from now on; it keeps nothing alive by itself.
loop.runForever();

/** A future the loop resolves on its next iteration: waiting for it suspends the task. */
function soon(value: number): Future<number> {
  const future = loop.createFuture<number>();
  loop.callSoon(() => future.setResult(value));
  return future;
}

function io(value: number): Future<number> {
  const future = loop.createFuture<number>();
  fakeIo(value, (error, result) => (error !== null ? future.setException(error) : future.setResult(result ?? 0)));
  return future;
}

function* hops(n: number): Coro<number> {
  let value = 0;
  while (value < n) value = yield* wait(soon(value + 1));
  return value;
}

function* seq10(): Coro<number> {
  let value = yield* wait(io(1));
  for (let i = 1; i < SEQ; i++) value = yield* wait(io(value + 1));
  return value;
}

function* par25(): Coro<number> {
  const values = yield* wait(gather(...Array.from({ length: PAR }, (_, i) => io(i))));
  return values.reduce((sum, value) => sum + value, 0);
}

// The edge of the style: a task's outcome reported through the suite's callback.
function report(coro: Coro<number>, done: Done): void {
  loop.createTask(coro).addDoneCallback((task) => {
    let value: number;
    try {
      value = task.result();
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    done(null, value);
  });
}

export const suite: MicroSuite = {
  hops: (n, done) => report(hops(n), done),
  seq10: (done) => report(seq10(), done),
  par25: (done) => report(par25(), done),
};
