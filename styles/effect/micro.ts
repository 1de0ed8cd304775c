// Micro benchmarks in the Effect style: `Effect.gen` on Effect's fiber runtime (default scheduler).
// A hop is one real suspension through Effect's scheduler: `yield* Effect.yieldNow` parks the fiber
// and the scheduler resumes it on its next turn (`Effect.succeed` would be taken synchronously by the
// fiber's run loop and measure no suspension at all). The
// simulated I/O resumes the fiber from the setImmediate callback through `Effect.callback`; par25
// forks 25 fibers with `Effect.all` and unbounded concurrency, as the workflow's forEach does.
import * as Cause from 'effect/Cause';
import * as Effect from 'effect/Effect';
import * as Exit from 'effect/Exit';
import { fakeIo } from '../../scenarios/micro/io.js';
import { PAR, SEQ, type Done, type MicroSuite } from '../../scenarios/micro/contract.js';

function io(value: number): Effect.Effect<number, Error> {
  return Effect.callback((resume) => {
    fakeIo(value, (error, result) => resume(error !== null ? Effect.fail(error) : Effect.succeed(result ?? 0)));
  });
}

function hops(n: number): Effect.Effect<number> {
  return Effect.gen(function* () {
    let value = 0;
    while (value < n) {
      yield* Effect.yieldNow;
      value += 1;
    }
    return value;
  });
}

function seq10(): Effect.Effect<number, Error> {
  return Effect.gen(function* () {
    let value = yield* io(1);
    for (let i = 1; i < SEQ; i++) value = yield* io(value + 1);
    return value;
  });
}

function par25(): Effect.Effect<number, Error> {
  return Effect.gen(function* () {
    const values = yield* Effect.all(Array.from({ length: PAR }, (_, i) => io(i)), { concurrency: 'unbounded' });
    return values.reduce((sum, value) => sum + value, 0);
  });
}

// The edge of the style: a fiber's Exit reported through the suite's callback.
function report(effect: Effect.Effect<number, Error>, done: Done): void {
  Effect.runCallback(effect, {
    onExit: (exit) => {
      if (Exit.isSuccess(exit)) done(null, exit.value);
      else done(new Error('the effect failed', { cause: Cause.squash(exit.cause) }));
    },
  });
}

export const suite: MicroSuite = {
  hops: (n, done) => report(hops(n), done),
  seq10: (done) => report(seq10(), done),
  par25: (done) => report(par25(), done),
};
