// sleep, gather, waitFor and Semaphore on virtual time: exact deadlines, fail-fast cancellation that
// finishes before the gathered future settles, a timeout that unwinds the inner task, and a
// semaphore that never loses a permit to a cancellation.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CancelledError, TimeoutError } from './errors.js';
import { wait, type Coro } from './future.js';
import { Semaphore, gather, sleep, waitFor } from './helpers.js';
import { createVirtualLoop } from './virtual-time.js';

describe('sleep', () => {
  it('resumes after exactly that much loop time, without real waiting', () => {
    const { loop, run } = createVirtualLoop();
    function* coro(): Coro<number[]> {
      const times = [loop.time()];
      yield* sleep(250);
      times.push(loop.time());
      yield* sleep(0);
      times.push(loop.time());
      return times;
    }
    expect(run(coro()).result()).toEqual([0, 250, 250]);
  });
});

describe('gather', () => {
  it('runs coroutines and futures concurrently and keeps argument order, typed per position', () => {
    const { loop, run } = createVirtualLoop();
    function* after<T>(ms: number, value: T): Coro<T> {
      yield* sleep(ms);
      return value;
    }
    const future = loop.createFuture<boolean>();
    loop.callLater(5, () => future.setResult(true));
    function* coro(): Coro<[number, string, boolean]> {
      const results = yield* wait(gather(after(30, 1), after(10, 'two'), future));
      expectTypeOf(results).toEqualTypeOf<[number, string, boolean]>();
      return results;
    }
    expect(run(coro()).result()).toEqual([1, 'two', true]);
    expect(loop.time()).toBe(30); // concurrent: the longest, not the sum
  });

  it('resolves an empty gather at once', () => {
    const { run } = createVirtualLoop();
    function* coro(): Coro<number> {
      const results = yield* wait(gather());
      return results.length;
    }
    expect(run(coro()).result()).toBe(0);
  });

  it('is fail-fast: the first error cancels the siblings, which finish unwinding before it settles', () => {
    const { loop, run } = createVirtualLoop();
    const log: string[] = [];
    const first = new Error('first failure');
    function* failing(ms: number, error: Error): Coro<never> {
      yield* sleep(ms);
      throw error;
    }
    function* sibling(name: string): Coro<string> {
      try {
        yield* sleep(1_000);
        return name;
      } catch (error) {
        log.push(`${name} got ${error instanceof CancelledError ? 'CancelledError' : String(error)}`);
        yield* sleep(3); // cleanup that waits: the gathered future must wait for it
        log.push(`${name} cleaned up`);
        throw error;
      }
    }
    function* coro(): Coro<string> {
      try {
        yield* wait(gather(sibling('a'), failing(10, first), sibling('b'), failing(20, new Error('second failure'))));
        return 'no error';
      } catch (error) {
        log.push(`gather failed at ${loop.time()}`);
        return error === first ? 'first error' : `other: ${String(error)}`;
      }
    }
    expect(run(coro()).result()).toBe('first error');
    expect(log).toEqual(['a got CancelledError', 'b got CancelledError', 'a cleaned up', 'b cleaned up', 'gather failed at 13']);
    expect(loop.timerCount).toBe(0); // the later failure was cancelled before its timer fired
  });

  it('cancelling the gathered future cancels every child', () => {
    const { loop, run, scheduler } = createVirtualLoop();
    const cancelled: string[] = [];
    function* child(name: string): Coro<void> {
      try {
        yield* sleep(100);
      } catch (error) {
        if (error instanceof CancelledError) cancelled.push(name);
        throw error;
      }
    }
    const gathered = gather(loop.createTask(child('x')), loop.createTask(child('y')));
    scheduler.advance(10);
    expect(gathered.cancel()).toBe(true);
    expect(gathered.done()).toBe(false);
    run(gathered);
    expect(gathered.cancelled()).toBe(true);
    expect(cancelled).toEqual(['x', 'y']);
  });
});

describe('waitFor', () => {
  it('returns the value when it comes in time, and drops its timer', () => {
    const { loop, run } = createVirtualLoop();
    function* slow(): Coro<string> {
      yield* sleep(40);
      return 'in time';
    }
    function* coro(): Coro<string> {
      return yield* waitFor(slow(), 50);
    }
    expect(run(coro()).result()).toBe('in time');
    expect(loop.timerCount).toBe(0);
  });

  it('times out with the loop’s TimeoutError once the cancelled inner task has unwound', () => {
    const { loop, run } = createVirtualLoop();
    const log: string[] = [];
    function* slow(): Coro<string> {
      try {
        yield* sleep(1_000);
        return 'late';
      } finally {
        log.push(`inner unwound at ${loop.time()}`);
      }
    }
    function* coro(): Coro<unknown> {
      try {
        return yield* waitFor(slow(), 50);
      } catch (error) {
        log.push(`caught at ${loop.time()}`);
        return error;
      }
    }
    const error = run(coro()).result();
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).ms).toBe(50);
    expect((error as TimeoutError).cause).toBeInstanceOf(CancelledError);
    expect(log).toEqual(['inner unwound at 50', 'caught at 50']);
    expect(loop.timerCount).toBe(0);
  });

  it('cancelling the waiter cancels the inner task (a CancelledError, not a timeout)', () => {
    const { loop, run, scheduler } = createVirtualLoop();
    const inner = loop.createFuture<number>();
    function* coro(): Coro<number> {
      return yield* waitFor(inner, 50);
    }
    const task = loop.createTask(coro());
    scheduler.advance(10);
    task.cancel();
    run(task);
    expect(task.cancelled()).toBe(true);
    expect(inner.cancelled()).toBe(true);
  });
});

describe('Semaphore', () => {
  it('never lets more than `value` holders in, and lets exactly that many in while others wait', () => {
    const { loop, run } = createVirtualLoop();
    const semaphore = new Semaphore(3);
    let holding = 0;
    const seen: number[] = [];
    const order: number[] = [];
    function* worker(index: number): Coro<void> {
      yield* semaphore.acquire();
      try {
        holding += 1;
        seen.push(holding);
        order.push(index);
        yield* sleep(10 + (index % 3));
      } finally {
        holding -= 1;
        semaphore.release();
      }
    }
    function* all(): Coro<void[]> {
      return yield* wait(gather(...Array.from({ length: 10 }, (_, index) => worker(index))));
    }
    run(all());
    expect(Math.max(...seen)).toBe(3);
    expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // first come, first served
    expect(semaphore.value).toBe(3);
    expect(loop.timerCount).toBe(0);
  });

  it('does not lose a permit when a waiter is cancelled, before or after release handed it over', () => {
    const { loop, run, scheduler } = createVirtualLoop();
    const semaphore = new Semaphore(1);
    function* holder(ms: number): Coro<string> {
      yield* semaphore.acquire();
      try {
        yield* sleep(ms);
        return 'held';
      } finally {
        semaphore.release();
      }
    }
    const first = loop.createTask(holder(10));
    const cancelledWhileWaiting = loop.createTask(holder(10));
    const cancelledAfterHandOff = loop.createTask(holder(10));
    const last = loop.createTask(holder(10));
    scheduler.advance(1);
    expect(semaphore.locked()).toBe(true);
    cancelledWhileWaiting.cancel();
    scheduler.advance(9); // `first` releases: the permit is handed to `cancelledAfterHandOff`...
    cancelledAfterHandOff.cancel(); // ...which is cancelled before it could resume
    expect(run(last).result()).toBe('held');
    expect([first.result(), cancelledWhileWaiting.cancelled(), cancelledAfterHandOff.cancelled()]).toEqual(['held', true, true]);
    expect(semaphore.value).toBe(1);
    expect(semaphore.locked()).toBe(false);
  });

  it('lets no waiter start once a holder fails on its way out, when gather cancels the rest', () => {
    const { loop, run } = createVirtualLoop();
    const semaphore = new Semaphore(1);
    const started: string[] = [];
    function* job(name: string, fails: boolean): Coro<string> {
      yield* semaphore.acquire();
      try {
        started.push(name);
        yield* sleep(10);
        if (fails) throw new Error(`${name} failed`);
        return name;
      } finally {
        semaphore.release(); // runs before the task settles with the error
      }
    }
    function* all(): Coro<string[]> {
      return yield* wait(gather(job('first', true), job('second', false), job('third', false)));
    }
    expect(run(all()).exception()).toEqual(new Error('first failed'));
    expect(started).toEqual(['first']);
    expect(semaphore.value).toBe(1);
    expect(loop.timerCount).toBe(0);
  });

  it('says what it expected of a bad value', () => {
    expect(() => new Semaphore(-1)).toThrow('Expected `value` to be an integer from 0 and up, got -1');
  });
});
