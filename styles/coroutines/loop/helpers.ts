// The coroutine toolkit on top of Future and Task, after asyncio's: `sleep`, `gather` (fail-fast),
// `waitFor` (a deadline), `Semaphore` (a bounded number of holders). Each is a coroutine or returns
// a Future; none of them starts a thread of its own or touches Node except through the loop.
import { CancelledError, TimeoutError } from './errors.js';
import { Future, wait, type Coro } from './future.js';
import { getRunningLoop, type EventLoop } from './event-loop.js';
import { captureSite } from './debug.js';
import type { Task, TaskOptions } from './task.js';

/** Anything a coroutine can wait for: a Future (or Task), or a coroutine to run as a Task. */
export type Awaitable<T> = Future<T> | Coro<T>;

/** The value an awaitable produces. */
export type AwaitedValue<A> = A extends Future<infer T> ? T : A extends Coro<infer T> ? T : never;

/**
 * A done-callback for a task nobody waits for (a server's connection): its failure, unless it was
 * cancelled, goes to the loop's exception handler instead of lying unread in the task.
 */
export function reportFailure(task: Future<unknown>): void {
  if (task.cancelled() || task.exception() === undefined) return;
  task.loop.callExceptionHandler({ message: 'Unhandled exception in a connection handler', exception: task.exception(), future: task });
}

/** A Future as is; a coroutine wrapped in a new Task of `loop`. */
export function ensureFuture<T>(awaitable: Awaitable<T>, loop: EventLoop = getRunningLoop()): Future<T> {
  return awaitable instanceof Future ? awaitable : loop.createTask(awaitable);
}

/** Starts a coroutine as a task of the running loop (asyncio's `create_task`). */
export function createTask<T>(coro: Coro<T>, options?: TaskOptions): Task<T> {
  return getRunningLoop().createTask(coro, options);
}

/**
 * Suspends the calling coroutine for `ms` of loop time; cancelling it drops its timer. `sleep(0)`
 * (or less) is one trip through the ready queue without a timer: asyncio's "let the others run".
 */
export function* sleep(ms: number): Coro<void> {
  const loop = getRunningLoop();
  if (!(ms > 0)) {
    const now = loop.createFuture<void>();
    now.setResult(undefined);
    if (loop.debug) loop.currentTask()?.recordSuspension(captureSite(sleep));
    yield now; // not wait(): a done future would not suspend, and the point is to suspend once
    return;
  }
  const future = loop.createFuture<void>();
  const timer = loop.callLater(ms, resolveUnlessDone, future);
  try {
    yield* wait(future);
  } finally {
    timer.cancel();
  }
}

function resolveUnlessDone(future: Future<void>): void {
  if (!future.done()) future.setResult(undefined);
}

/** The gathered future: cancelling it cancels every child, and it settles once they all have. */
class GatheringFuture<T> extends Future<T> {
  readonly #children: readonly Future<unknown>[];
  cancelRequested = false;
  cancelMessage: string | undefined;

  constructor(loop: EventLoop, children: readonly Future<unknown>[]) {
    super(loop);
    this.#children = children;
  }

  override cancel(message?: string): boolean {
    if (this.done() || this.cancelRequested) return false;
    this.cancelRequested = true;
    this.cancelMessage = message;
    for (const child of this.#children) child.cancel(message);
    return true;
  }

  /** The real cancellation, once every child has finished. */
  settleAsCancelled(): void {
    this.settleCancelled(this.cancelMessage);
  }
}

/**
 * Runs the awaitables concurrently and resolves with their results in argument order. Fail-fast:
 * the first exception (or a child's own cancellation) cancels every other child; the gathered future
 * settles with that first error once all children have finished, so no child outlives it.
 */
export function gather<A extends readonly Awaitable<unknown>[]>(...awaitables: A): Future<{ -readonly [K in keyof A]: AwaitedValue<A[K]> }> {
  type Results = { -readonly [K in keyof A]: AwaitedValue<A[K]> };
  const firstFuture = awaitables.find((awaitable): awaitable is Future<unknown> => awaitable instanceof Future);
  const loop = firstFuture?.loop ?? getRunningLoop();
  const children = awaitables.map((awaitable) => ensureFuture(awaitable, loop));
  const outer = new GatheringFuture<Results>(loop, children);
  if (children.length === 0) {
    outer.setResult([] as unknown as Results);
    return outer;
  }
  let remaining = children.length;
  let firstError: { readonly error: unknown } | undefined;

  const onChildDone = (child: Future<unknown>): void => {
    remaining -= 1;
    if (firstError === undefined && !outer.cancelRequested) {
      const error = child.cancelled() ? new CancelledError('a gathered child was cancelled') : child.exception();
      if (child.cancelled() || error !== undefined) {
        firstError = { error };
        for (const sibling of children) sibling.cancel('a sibling failed (gather is fail-fast)');
      }
    } else if (!child.cancelled()) {
      child.exception(); // later errors are dropped on purpose: mark them seen
    }
    if (remaining > 0 || outer.done()) return;
    if (outer.cancelRequested) outer.settleAsCancelled();
    else if (firstError !== undefined) outer.setException(firstError.error);
    else outer.setResult(children.map((done) => done.result()) as unknown as Results);
  };
  for (const child of children) child.addDoneCallback(onChildDone);
  return outer;
}

/**
 * Waits for `awaitable` at most `ms`. On the deadline the inner future is cancelled, and once it
 * has finished unwinding the caller gets the loop's `TimeoutError` (its `cause` the CancelledError).
 * Cancelling the caller cancels the inner future too.
 */
export function* waitFor<T>(awaitable: Awaitable<T>, ms: number): Coro<T> {
  const loop = getRunningLoop();
  const inner = ensureFuture(awaitable, loop);
  if (inner.done() || ms === Infinity) return yield* wait(inner);
  let timedOut = false;
  const timer = loop.callLater(ms, () => {
    timedOut = true;
    inner.cancel(`waitFor: deadline of ${ms} ms passed`);
  });
  try {
    return yield* wait(inner);
  } catch (error) {
    if (timedOut && error instanceof CancelledError) throw new TimeoutError(ms, { cause: error });
    throw error;
  } finally {
    timer.cancel();
  }
}

/**
 * At most `value` holders at once. `acquire` is a coroutine (`yield* semaphore.acquire()`) that
 * waits in first-come order; `release` hands the permit straight to the next waiter, so a newcomer
 * cannot overtake the queue. Pair them with try/finally.
 *
 * Unlike asyncio, the hand-over happens one iteration after `release`: a holder that releases in a
 * `finally` on its way out with an error settles its task after the release, so a direct hand-over
 * would resume the next waiter (and start its work) before `gather` hears of the failure and cancels
 * it. Deferred, the waiter is still suspended when the cancellation arrives.
 */
export class Semaphore {
  #value: number;
  readonly #waiters: Future<void>[] = [];

  constructor(value: number) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`Expected \`value\` to be an integer from 0 and up, got ${value}`);
    this.#value = value;
  }

  /** Permits free right now. */
  get value(): number {
    return this.#value;
  }

  /** True when `acquire` would wait. */
  locked(): boolean {
    return this.#value === 0 || this.#waiters.some((waiter) => !waiter.done());
  }

  *acquire(): Coro<void> {
    if (!this.locked()) {
      this.#value -= 1;
      return;
    }
    const waiter = getRunningLoop().createFuture<void>();
    this.#waiters.push(waiter);
    try {
      yield* wait(waiter);
    } catch (error) {
      const index = this.#waiters.indexOf(waiter);
      if (index >= 0) this.#waiters.splice(index, 1);
      // Cancelled after release() had already handed us the permit: pass it on, or it is lost.
      if (waiter.done() && !waiter.cancelled()) this.release();
      throw error;
    }
  }

  release(): void {
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      if (!waiter.done()) {
        waiter.loop.callSoon(Semaphore.#handOver, this, waiter);
        return;
      }
    }
    this.#value += 1;
  }

  // Static, with the semaphore as an argument: a bound arrow would be one more closure per semaphore,
  // and the workflow holds one semaphore per run.
  static #handOver(semaphore: Semaphore, waiter: Future<void>): void {
    // Cancelled in the meantime: the permit goes to the next in line.
    if (waiter.done()) semaphore.release();
    else waiter.setResult(undefined);
  }
}
