// Debug mode: the coroutine chain an error collects as it leaves tasks (every task on the path, with
// its creation and suspension sites, printed with the stack), slow-callback reports on virtual time,
// the environment switch, and the finalization warnings (forced with a real GC, then polled).
import { inspect } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CHAIN_HEADER, coroutineChain, debugFromEnv } from './debug.js';
import { EventLoop, type ExceptionContext } from './event-loop.js';
import { wait, type Coro } from './future.js';
import { gather, sleep } from './helpers.js';
import { createVirtualLoop, type VirtualLoop } from './virtual-time.js';

class LeafError extends Error {
  override readonly name = 'LeafError';
}

function* leafCoro(): Coro<number> {
  yield* sleep(5);
  throw new LeafError('leaf failed');
}

function* stepCoro(virtual: VirtualLoop): Coro<number> {
  const leaf = virtual.loop.createTask(leafCoro(), { name: 'leaf' });
  return yield* wait(leaf);
}

function* workflowCoro(virtual: VirtualLoop): Coro<number> {
  const [value] = yield* wait(gather(virtual.loop.createTask(stepCoro(virtual), { name: 'step' })));
  return value;
}

describe('the coroutine chain', () => {
  it('names every task the error left, innermost first, with where each was suspended and created', () => {
    const virtual = createVirtualLoop({ debug: true });
    const root = virtual.run(virtual.loop.createTask(workflowCoro(virtual), { name: 'workflow' }));
    const error = root.exception();
    expect(error).toBeInstanceOf(LeafError);

    const chain = coroutineChain(error);
    expect(chain.map((link) => link.task)).toEqual(["Task 'leaf'", "Task 'step'", "Task 'workflow'"]);
    const [leaf, step, workflow] = chain;
    expect(leaf!.suspendedAt[0]).toMatch(/at leafCoro \(.*debug\.test\.ts:\d+:\d+\)/);
    expect(leaf!.createdAt[0]).toMatch(/at stepCoro \(.*debug\.test\.ts:\d+:\d+\)/);
    expect(step!.suspendedAt[0]).toMatch(/at stepCoro \(/);
    expect(step!.createdAt[0]).toMatch(/at workflowCoro \(/);
    expect(workflow!.suspendedAt[0]).toMatch(/at workflowCoro \(/);
    // The loop's own frames and generator plumbing are left out.
    expect(chain.flatMap((link) => [...link.suspendedAt, ...link.createdAt]).join('\n')).not.toMatch(/loop[\\/](task|future|event-loop)\.ts|<anonymous>/);

    // It prints wherever the stack prints.
    const printed = inspect(error);
    if (process.env.SHOW_CHAIN === '1') console.log(printed);
    expect(printed).toContain('LeafError: leaf failed');
    expect(printed).toContain(CHAIN_HEADER);
    expect(printed.indexOf("Task 'leaf'")).toBeLessThan(printed.indexOf("Task 'workflow'"));
  });

  it('adds nothing outside debug mode', () => {
    const virtual = createVirtualLoop({ debug: false });
    const error = virtual.run(virtual.loop.createTask(workflowCoro(virtual))).exception();
    expect(coroutineChain(error)).toEqual([]);
    expect((error as Error).stack).not.toContain(CHAIN_HEADER);
  });
});

describe('slow callbacks', () => {
  it('reports a callback that ran past the threshold, and only that one', () => {
    const { loop, clock, reports } = createVirtualLoop({ debug: true, slowCallbackMs: 100 });
    loop.callSoon(function quick() {
      clock.advance(99);
    });
    loop.callSoon(function sluggish() {
      clock.advance(150);
    });
    loop.runOnce();
    expect(reports.map((report) => report.message)).toEqual([
      'Executing Handle(sluggish) took 150.0 ms (slow callback threshold: 100 ms)',
    ]);
  });

  it('names the task whose step was slow', () => {
    const { loop, clock, reports, run } = createVirtualLoop({ debug: true });
    function* hog(): Coro<void> {
      yield* sleep(1);
      clock.advance(120);
    }
    run(loop.createTask(hog(), { name: 'hog' }));
    expect(reports.map((report) => report.message)).toEqual([expect.stringContaining("step of Task 'hog'") as unknown]);
  });
});

describe('the debug switch', () => {
  it('reads ROSETTA_LOOP_DEBUG, and an explicit option wins', () => {
    expect(debugFromEnv({ ROSETTA_LOOP_DEBUG: '1' })).toBe(true);
    expect(debugFromEnv({ ROSETTA_LOOP_DEBUG: '0' })).toBe(false);
    expect(debugFromEnv({})).toBe(false);
    const saved = process.env.ROSETTA_LOOP_DEBUG;
    try {
      process.env.ROSETTA_LOOP_DEBUG = '1';
      expect(new EventLoop().debug).toBe(true);
      expect(new EventLoop({ debug: false }).debug).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.ROSETTA_LOOP_DEBUG;
      else process.env.ROSETTA_LOOP_DEBUG = saved;
    }
  });
});

describe('finalization warnings', () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;

  /** Collects until `reports` has `count` entries; finalizers run as tasks after a GC, so poll a few turns. */
  async function collectUntil(reports: readonly ExceptionContext[], count: number, attempts = 50): Promise<void> {
    for (let attempt = 0; attempt < attempts && reports.length < count; attempt += 1) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('warns about a future whose exception was never retrieved, and not about one that was read', async () => {
    const virtual = createVirtualLoop({ debug: true });
    (function dropFailedFutures(): void {
      virtual.loop.createFuture<number>().setException(new Error('nobody read me'));
      const read = virtual.loop.createFuture<number>();
      read.setException(new Error('someone read me'));
      read.exception();
    })();
    await collectUntil(virtual.reports, 1);
    await collectUntil(virtual.reports, 2, 5); // give a wrong second report its chance to appear
    expect(virtual.reports).toHaveLength(1);
    expect(virtual.reports[0]!.message).toBe('<Future finished>: exception was never retrieved');
    expect((virtual.reports[0]!.exception as Error).message).toBe('nobody read me');
    expect(virtual.reports[0]!.origin).toMatch(/created at:\n\s+at dropFailedFutures/);
  });

  it('warns about a task collected while pending', async () => {
    const virtual = createVirtualLoop({ debug: true });
    (function spawnStuckTask(): void {
      function* stuck(): Coro<void> {
        yield* wait(virtual.loop.createFuture<void>()); // nothing will ever settle it
      }
      virtual.loop.createTask(stuck(), { name: 'stuck' });
    })();
    virtual.scheduler.flush(); // it runs its first step and suspends for good
    await collectUntil(virtual.reports, 1);
    expect(virtual.reports.map((report) => report.message)).toEqual(["Task 'stuck' was destroyed but it is pending"]);
    expect(virtual.reports[0]!.origin).toMatch(/at spawnStuckTask/);
  });
});
