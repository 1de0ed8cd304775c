// Future on virtual time: settled once, callbacks always through the loop (never synchronously),
// the errors it raises for misuse, and `wait`'s typed, suspension-free fast path.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CancelledError, InvalidStateError } from './errors.js';
import { Future, wait, type Coro } from './future.js';
import { createVirtualLoop } from './virtual-time.js';

describe('Future', () => {
  it('holds a result, once', () => {
    const { loop } = createVirtualLoop();
    const future = loop.createFuture<number>();
    expect(future.done()).toBe(false);
    expect(() => future.result()).toThrow(InvalidStateError);
    future.setResult(42);
    expect(future.done()).toBe(true);
    expect(future.result()).toBe(42);
    expect(future.exception()).toBeUndefined();
    expect(() => future.setResult(43)).toThrow(new InvalidStateError('setResult(): <Future finished> is already settled; a future is settled exactly once'));
    expect(() => future.setException(new Error('late'))).toThrow(InvalidStateError);
    expect(future.cancel()).toBe(false);
    expect(future.result()).toBe(42);
  });

  it('holds an exception, which result() throws', () => {
    const { loop } = createVirtualLoop();
    const future = loop.createFuture<number>();
    const error = new RangeError('nope');
    future.setException(error);
    expect(future.exception()).toBe(error);
    expect(() => future.result()).toThrow(error);
  });

  it('can be cancelled with a message while pending', () => {
    const { loop } = createVirtualLoop();
    const future = loop.createFuture<number>();
    expect(future.cancel('no longer needed')).toBe(true);
    expect(future.cancelled()).toBe(true);
    expect(future.done()).toBe(true);
    expect(() => future.result()).toThrow(new CancelledError('no longer needed'));
    expect(() => future.exception()).toThrow(CancelledError);
    expect(() => future.setResult(1)).toThrow(InvalidStateError);
  });

  it('schedules done-callbacks for the next iteration, never synchronously', () => {
    const { loop } = createVirtualLoop();
    const future = loop.createFuture<string>();
    const seen: string[] = [];
    future.addDoneCallback((done) => seen.push(`first ${done.result()}`));
    future.addDoneCallback((done) => seen.push(`second ${done.result()}`));
    future.setResult('x');
    expect(seen).toEqual([]);
    loop.runOnce();
    expect(seen).toEqual(['first x', 'second x']);
    // Already done: still not synchronous.
    future.addDoneCallback(() => seen.push('late'));
    expect(seen).toHaveLength(2);
    loop.runOnce();
    expect(seen).toEqual(['first x', 'second x', 'late']);
  });

  it('removes done-callbacks that have not been scheduled', () => {
    const { loop } = createVirtualLoop();
    const future = loop.createFuture<void>();
    const seen: string[] = [];
    const callback = (): void => {
      seen.push('removed one');
    };
    future.addDoneCallback(callback);
    future.addDoneCallback(callback);
    future.addDoneCallback(() => seen.push('kept'));
    expect(future.removeDoneCallback(callback)).toBe(2);
    future.cancel();
    loop.runOnce();
    expect(seen).toEqual(['kept']);
  });
});

describe('wait', () => {
  it('gives the future’s type and suspends only while the future is pending', () => {
    const { loop, run } = createVirtualLoop();
    const ready = loop.createFuture<number>();
    ready.setResult(1);
    const later = loop.createFuture<string>();
    loop.callLater(5, () => later.setResult('two'));
    const suspensions: number[] = [];

    function* coro(): Coro<string> {
      const before = loop.iterations;
      const one = yield* wait(ready);
      suspensions.push(loop.iterations - before); // 0: a done future costs no trip through the loop
      const two = yield* wait(later);
      expectTypeOf(one).toEqualTypeOf<number>();
      expectTypeOf(two).toEqualTypeOf<string>();
      return `${one} ${two}`;
    }
    expect(run(coro()).result()).toBe('1 two');
    expect(suspensions).toEqual([0]);
  });

  it('is a Future<unknown> for any T, so a task can wait on futures of every type', () => {
    expectTypeOf<Future<string>>().toExtend<Future<unknown>>();
  });
});
