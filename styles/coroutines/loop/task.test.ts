// Task on virtual time: stepping a generator, propagating errors through `yield*` and across tasks,
// cancellation at every point (before start, while waiting, caught and cleaned up), and the clear
// errors for misuse (a bad yield, a second task on one coroutine, a foreign future).
import { describe, expect, it } from 'vitest';
import { BadYieldError, CancelledError, InvalidStateError } from './errors.js';
import { wait, type Coro } from './future.js';
import { Task } from './task.js';
import { createVirtualLoop } from './virtual-time.js';
import { sleep } from './helpers.js';

class Level3Error extends Error {
  override readonly name = 'Level3Error';
}

describe('Task', () => {
  it('returns the coroutine’s return value as its result, one step per resumption', () => {
    const { loop, run } = createVirtualLoop();
    const steps: string[] = [];
    function* coro(): Coro<number> {
      steps.push('start');
      yield* sleep(10);
      steps.push(`after sleep at ${loop.time()}`);
      return 7;
    }
    const task = loop.createTask(coro(), { name: 'seven' });
    expect(steps).toEqual([]); // the first step is scheduled, not run synchronously
    expect(run(task).result()).toBe(7);
    expect(steps).toEqual(['start', 'after sleep at 10']);
    expect(task.toString()).toBe("<Task 'seven' finished>");
  });

  it('propagates an exception through three levels of yield* and across two task boundaries', () => {
    const { loop, run } = createVirtualLoop();
    const error = new Level3Error('deep');
    const passedThrough: string[] = [];

    function* level3(): Coro<number> {
      yield* sleep(1);
      throw error;
    }
    function* level2(): Coro<number> {
      try {
        return yield* level3();
      } finally {
        passedThrough.push('level2 finally');
      }
    }
    function* level1(): Coro<number> {
      return (yield* level2()) + 1;
    }
    function* middleTask(): Coro<number> {
      return yield* wait(loop.createTask(level1(), { name: 'inner' }));
    }
    function* outerTask(): Coro<string> {
      try {
        yield* wait(loop.createTask(middleTask(), { name: 'middle' }));
        return 'not reached';
      } catch (caught) {
        passedThrough.push('outer caught');
        expect(caught).toBe(error);
        throw caught;
      }
    }
    const outer = run(outerTask());
    expect(outer.exception()).toBe(error);
    expect(passedThrough).toEqual(['level2 finally', 'outer caught']);
  });

  it('cancelled before its first step: the coroutine body never runs', () => {
    const { loop, run } = createVirtualLoop();
    let started = false;
    function* coro(): Coro<void> {
      started = true;
      yield* sleep(1);
    }
    const task = loop.createTask(coro());
    expect(task.cancel('before start')).toBe(true);
    run(task);
    expect(task.cancelled()).toBe(true);
    expect(started).toBe(false);
    expect(() => task.result()).toThrow(new CancelledError('before start'));
    expect(task.cancel()).toBe(false);
  });

  it('cancelled while waiting: CancelledError at the yield, the awaited future cancelled, finally blocks run', () => {
    const { loop, run, scheduler } = createVirtualLoop();
    const inner = loop.createFuture<number>();
    const log: string[] = [];
    function* coro(): Coro<number> {
      try {
        return yield* wait(inner);
      } finally {
        log.push('finally ran');
      }
    }
    const task = loop.createTask(coro());
    scheduler.flush(); // now suspended on `inner`
    expect(task.waitingOn).toBe(inner);
    expect(task.cancel('stop')).toBe(true);
    expect(inner.cancelled()).toBe(true);
    expect(task.done()).toBe(false); // only once the error has left the coroutine
    run(task);
    expect(task.cancelled()).toBe(true);
    expect(log).toEqual(['finally ran']);
  });

  it('a coroutine may catch CancelledError, clean up with more yields, and decide its result', () => {
    const { loop, run, scheduler } = createVirtualLoop();
    const log: string[] = [];
    function* coro(): Coro<string> {
      try {
        yield* sleep(1_000);
        return 'finished normally';
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        log.push(`caught: ${error.message}`);
        yield* sleep(5); // cleanup that itself waits
        log.push('cleaned up');
        return 'cleaned up after cancel';
      }
    }
    const task = loop.createTask(coro());
    scheduler.advance(10);
    task.cancel('enough');
    expect(run(task).result()).toBe('cleaned up after cancel');
    expect(log).toEqual(['caught: enough', 'cleaned up']);
    expect(loop.time()).toBe(15);
    expect(loop.timerCount).toBe(0); // the cancelled sleep dropped its timer
  });

  it('a cancel requested while the coroutine runs is delivered at its next yield', () => {
    const { loop, run } = createVirtualLoop();
    const log: string[] = [];
    function* coro(): Coro<void> {
      loop.currentTask()?.cancel('self');
      log.push('still running this step');
      try {
        yield* sleep(10);
      } catch (error) {
        log.push(error instanceof CancelledError ? `cancelled: ${error.message}` : 'other');
        throw error;
      }
    }
    const task = run(coro());
    expect(task.cancelled()).toBe(true);
    expect(log).toEqual(['still running this step', 'cancelled: self']);
  });

  it('a cancel requested during the last step wins over the return value, as in asyncio', () => {
    const { loop, run } = createVirtualLoop();
    let returned = false;
    function* coro(): Coro<number> {
      yield* sleep(1);
      loop.currentTask()?.cancel();
      returned = true;
      return 1;
    }
    expect(run(coro()).cancelled()).toBe(true);
    expect(returned).toBe(true);
  });

  it('yielding anything but a Future throws a BadYieldError into the coroutine', () => {
    const { run } = createVirtualLoop();
    function* bad(): Generator<unknown, string, unknown> {
      try {
        yield 42;
        return 'resumed?';
      } catch (error) {
        return error instanceof BadYieldError ? error.message : 'wrong error';
      }
    }
    const message = run(bad() as Coro<string>).result();
    expect(message).toMatch(/yielded number 42; a coroutine may only yield Futures/);
  });

  it('refuses a future of another loop, and waiting for itself', () => {
    const one = createVirtualLoop();
    const other = createVirtualLoop();
    const foreign = other.loop.createFuture<number>();
    function* coro(): Coro<number> {
      return yield* wait(foreign);
    }
    expect(() => one.run(coro()).result()).toThrow(/belongs to another loop/);

    const holder: { task?: Task<number> } = {};
    function* selfish(): Coro<number> {
      if (holder.task === undefined) throw new Error('no task');
      return yield* wait(holder.task);
    }
    holder.task = one.loop.createTask(selfish());
    expect(() => one.run(holder.task!).result()).toThrow(/cannot wait for itself/);
  });

  it('will not step a coroutine a second task already ran (or runs)', () => {
    const { loop, run } = createVirtualLoop();
    function* coro(): Coro<number> {
      yield* sleep(1);
      return 1;
    }
    const generator = coro();
    expect(run(loop.createTask(generator)).result()).toBe(1);
    expect(() => loop.createTask(generator)).toThrow(InvalidStateError);
  });

  it('takes its result only from its coroutine', () => {
    const { loop, run } = createVirtualLoop();
    function* coro(): Coro<number> {
      yield* sleep(1);
      return 1;
    }
    const task = loop.createTask(coro());
    expect(() => task.setResult(2)).toThrow(/takes its result from its coroutine/);
    expect(() => task.setException(new Error('x'))).toThrow(InvalidStateError);
    expect(run(task).result()).toBe(1);
  });
});
