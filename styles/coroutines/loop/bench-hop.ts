// A micro-benchmark script (not a test; it asserts nothing): what one suspension costs on the kit's
// loop against Promise hops, and what debug mode costs. Run it built, with nothing else busy:
//   npx tsc -p tsconfig.build.json && node dist/styles/coroutines/loop/bench-hop.js [budgetMs]
// Each row runs for `budgetMs` (default 500), three times; the median is printed as ops/s and ns/op.
// The harness's tinybench micro suite is the measurement of record; this is the loop's own check.
import { performance } from 'node:perf_hooks';
import { EventLoop } from './event-loop.js';
import { wait, type Coro } from './future.js';
import { createTask, sleep } from './helpers.js';
import { createVirtualLoop } from './virtual-time.js';

type Done = (ops: number, ms: number) => void;
type Bench = (budgetMs: number, done: Done) => void;

const BATCH = 1_000;

/** Repeats `op` in batches until the budget is spent; returns how many ran. */
function* repeat(budgetMs: number, op: () => Coro<unknown>): Coro<number> {
  const end = performance.now() + budgetMs;
  let ops = 0;
  while (performance.now() < end) {
    for (let i = 0; i < BATCH; i += 1) yield* op();
    ops += BATCH;
  }
  return ops;
}

/** A bench on a fresh Node-driven loop: the real cost, libuv turns included. */
function onLoop(debug: boolean, op: (loop: EventLoop) => () => Coro<unknown>): Bench {
  return (budgetMs, done) => {
    const loop = new EventLoop({ debug });
    const start = performance.now();
    const task = loop.runUntilComplete(repeat(budgetMs, op(loop)));
    task.addDoneCallback(() => {
      const ms = performance.now() - start;
      // Close once this iteration is over: a loop cannot be closed from inside its own callback.
      setImmediate(() => {
        loop.close();
        done(task.result(), ms);
      });
    });
  };
}

/** The same on virtual time: the loop's own overhead with no libuv turn between iterations. */
function onVirtualLoop(op: () => Coro<unknown>): Bench {
  return (budgetMs, done) => {
    const { loop, run } = createVirtualLoop({ debug: false });
    const start = performance.now();
    const ops = run(repeat(budgetMs, op)).result();
    const ms = performance.now() - start;
    loop.close();
    setImmediate(() => done(ops, ms));
  };
}

// A task that finishes in its first step, so the row measures spawning and joining only.
// eslint-disable-next-line require-yield
function* trivial(): Coro<number> {
  return 1;
}

function* throwsAfterAHop(): Coro<number> {
  yield* sleep(0);
  throw new Error('leaf');
}

function* middle(): Coro<number> {
  return yield* wait(createTask(throwsAfterAHop(), { name: 'leaf' }));
}

function* errorThroughThreeTasks(): Coro<unknown> {
  try {
    return yield* wait(createTask(middle(), { name: 'middle' }));
  } catch (error) {
    return (error as Error).stack?.length; // read the stack, as a printed error would
  }
}

/* eslint-disable no-restricted-syntax -- the Promise rows are the baseline this style is measured against */
function promiseBench(hop: () => Promise<unknown>): Bench {
  return (budgetMs, done) => {
    const start = performance.now();
    const end = start + budgetMs;
    async function body(): Promise<number> {
      let ops = 0;
      while (performance.now() < end) {
        for (let i = 0; i < BATCH; i += 1) await hop();
        ops += BATCH;
      }
      return ops;
    }
    void body().then((ops) => done(ops, performance.now() - start));
  };
}
const promiseResolve = (): Promise<void> => Promise.resolve();
const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/* eslint-enable no-restricted-syntax */

const ROWS: readonly (readonly [string, Bench])[] = [
  ['yield* wait(doneFuture)        no suspension (fast path)', onLoop(false, (loop) => {
    const done = loop.createFuture<number>();
    done.setResult(1);
    return () => wait(done);
  })],
  ['yield* sleep(0)                one hop: ready queue + setImmediate', onLoop(false, () => () => sleep(0))],
  ['yield* sleep(0), debug mode    one hop, yield site captured', onLoop(true, () => () => sleep(0))],
  ['yield* sleep(0), virtual time  one hop, no libuv turn', onVirtualLoop(() => sleep(0))],
  ['await Promise.resolve()        microtask hop', promiseBench(promiseResolve)],
  ['await setImmediate promise     macrotask hop', promiseBench(immediate)],
  ['spawn + join a task            createTask, wait', onLoop(false, () => () => wait(createTask(trivial())))],
  ['spawn + join a task, debug', onLoop(true, () => () => wait(createTask(trivial())))],
  ['error through 3 tasks          caught, stack read', onLoop(false, () => errorThroughThreeTasks)],
  ['error through 3 tasks, debug   chain appended', onLoop(true, () => errorThroughThreeTasks)],
];

function runRow(index: number, budgetMs: number, samples: number[][]): void {
  const row = ROWS[index];
  if (row === undefined) {
    report(samples);
    return;
  }
  const sample: number[] = [];
  samples.push(sample);
  const next = (remaining: number): void => {
    if (remaining === 0) {
      runRow(index + 1, budgetMs, samples);
      return;
    }
    row[1](budgetMs, (ops, ms) => {
      sample.push((ops / ms) * 1_000);
      next(remaining - 1);
    });
  };
  next(3);
}

function report(samples: number[][]): void {
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const lines = [`node ${process.version}, v8 ${process.versions.v8}; median of 3 runs`, ''];
  lines.push(`${'case'.padEnd(70)}${'ops/s'.padStart(14)}${'ns/op'.padStart(10)}`);
  ROWS.forEach(([name], index) => {
    const opsPerSec = median(samples[index] ?? []);
    lines.push(`${name.padEnd(70)}${Math.round(opsPerSec).toLocaleString('en-US').padStart(14)}${(1e9 / opsPerSec).toFixed(0).padStart(10)}`);
  });
  process.stdout.write(lines.join('\n') + '\n');
}

const budget = Number(process.argv[2] ?? 500);
runRow(0, Number.isFinite(budget) && budget > 0 ? budget : 500, []);
