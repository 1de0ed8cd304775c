// Task<T>: a Future<T> that drives a coroutine, after asyncio.Task. Each step resumes the generator
// with `next()` (or `throw()` for an error or a cancellation) until it yields a Future, then waits
// for that Future's done-callback to take the next step. It is not a thread: it runs only between
// yields, one step per loop callback, and `cancel()` is a request the coroutine may catch.
import { BadYieldError, CancelledError, InvalidStateError } from './errors.js';
import { SITE_FRAMES, appendChainLink, unwatch, watchPendingTask, type Site, type WatchToken } from './debug.js';
import { Future, type Coro } from './future.js';
import type { EventLoop } from './event-loop.js';

export interface TaskOptions {
  /** Shown in errors, debug chains and warnings; `Task-<n>` when absent. */
  readonly name?: string;
}

const NO_ERROR: unique symbol = Symbol('no error');
let taskCount = 0;
/** Generator objects already driven by a task: a second task would step a coroutine that is running or finished. */
const owned = new WeakSet<Coro<unknown>>();

export class Task<T> extends Future<T> {
  /** A task's creation site opens its link of a coroutine chain: keep the whole path. */
  static override readonly siteFrames: number = SITE_FRAMES;
  #name: string | undefined;
  readonly #number: number;
  readonly #coro: Coro<T>;
  // The invariant (asyncio's Task keeps the same one, with `_fut_waiter`), while the task is pending
  // and no step of it is running:
  // - either `#waitingOn` is undefined and exactly one step is queued in the loop's ready queue (the
  //   first step, queued by the constructor, or a bad yield thrown back in);
  // - or `#waitingOn` is the future the coroutine yielded, `#wakeup` is registered on it, and no step
  //   is queued until that future settles, which queues `#wakeup` once (at once if it was already
  //   done when yielded, as `sleep(0)`'s is).
  // So a wake-up always comes from `#waitingOn` (or, before the first step, from nothing), and the
  // step it runs clears `#waitingOn` before resuming the coroutine. `cancel()` relies on it: with a
  // future to cancel, cancelling it is the wake-up; without one, the queued step throws the
  // CancelledError in. Debug mode checks it at every wake-up (#onWakeup).
  #waitingOn: Future<unknown> | undefined;
  #mustCancel = false;
  #cancelMessage: string | undefined;
  /** Every step runs through this one callback: the first, and each yielded future's done-callback. */
  readonly #wakeup: (future?: Future<unknown>) => void;
  // Debug mode only (the creation site is the Future's `createdAt`).
  #suspended: Site | undefined;
  #suspensionRecorded = false;
  #pending: WatchToken | undefined;

  /** Prefer `loop.createTask(coro)`; the task takes its first step in the loop's next iteration. */
  constructor(loop: EventLoop, coro: Coro<T>, options: TaskOptions = {}) {
    super(loop);
    if (owned.has(coro)) {
      throw new InvalidStateError(
        'this coroutine object already belongs to a task, which runs or ran it; call the coroutine function again for a fresh one',
      );
    }
    owned.add(coro);
    taskCount += 1;
    this.#number = taskCount;
    this.#name = options.name;
    this.#coro = coro;
    this.#wakeup = (future) => this.#onWakeup(future);
    if (loop.debug) {
      this.#pending = watchPendingTask(loop, this, `Task '${this.name}'`, this.createdAt);
      // Slow-callback reports name the handle by its callback; make that callback say which task.
      Object.defineProperty(this.#wakeup, 'name', { value: `step of Task '${this.name}'` });
    }
    loop.callSoon(this.#wakeup);
  }

  /** The name given, or `Task-<n>` in creation order, made when first shown: a string per task costs. */
  get name(): string {
    return (this.#name ??= `Task-${this.#number}`);
  }

  /** The future this task is suspended on, if any. */
  get waitingOn(): Future<unknown> | undefined {
    return this.#waitingOn;
  }

  /**
   * Asks the coroutine to stop: a `CancelledError` is thrown in at its yield point (the future it
   * waits for is cancelled too). The coroutine may catch it and clean up; `finally` blocks run. The
   * task is cancelled only once the error leaves the coroutine. False if the task is already done.
   */
  override cancel(message?: string): boolean {
    if (this.done()) return false;
    if (this.#waitingOn?.cancel(message) === true) return true;
    this.#mustCancel = true;
    this.#cancelMessage = message;
    return true;
  }

  override setResult(_value: T): void {
    throw new InvalidStateError(`setResult(): ${this.toString()} takes its result from its coroutine`);
  }

  override setException(_error: unknown): void {
    throw new InvalidStateError(`setException(): ${this.toString()} takes its exception from its coroutine`);
  }

  override toString(): string {
    return `<Task '${this.name}' ${this.state}>`;
  }

  /** Debug mode: `wait` records where the coroutine is about to suspend, while that path is on the stack. */
  recordSuspension(site: Site): void {
    this.#suspended = site;
    this.#suspensionRecorded = true;
  }

  #onWakeup(future: Future<unknown> | undefined): void {
    if (this.loop.debug && (future !== this.#waitingOn || future?.done() === false)) {
      throw new InvalidStateError(`${this.toString()} was woken by ${String(future)} while it waits on ${String(this.#waitingOn)}`);
    }
    let error: unknown = NO_ERROR;
    if (future !== undefined && (future.cancelled() || future.exception() !== undefined)) {
      // Like asyncio's __wakeup: the awaited future's failure is thrown in at the yield point.
      try {
        future.result();
      } catch (thrown) {
        error = thrown;
      }
    }
    this.#step(error);
  }

  #step(error: unknown): void {
    if (this.done()) {
      throw new InvalidStateError(`cannot step ${this.toString()}: its coroutine has finished and cannot be resumed`);
    }
    if (this.#mustCancel) {
      if (!(error instanceof CancelledError)) error = new CancelledError(this.#cancelMessage);
      this.#mustCancel = false;
    }
    this.#waitingOn = undefined;
    this.#suspensionRecorded = false;
    const previous = this.loop.enterTask(this);
    try {
      const step = error === NO_ERROR ? this.#coro.next() : this.#coro.throw(error);
      if (step.done !== true) {
        this.#await(step.value);
      } else if (this.#mustCancel) {
        // cancel() was called while the coroutine ran its last step: honour it, as asyncio does.
        this.#mustCancel = false;
        this.settleCancelled(this.#cancelMessage);
      } else {
        this.settleResult(step.value);
      }
    } catch (thrown) {
      if (thrown instanceof CancelledError) {
        this.settleCancelled(thrown.message);
      } else {
        if (this.loop.debug) appendChainLink(thrown, `Task '${this.name}'`, this.#suspended, this.createdAt);
        this.settleException(thrown);
      }
    } finally {
      this.loop.leaveTask(this, previous);
    }
    if (this.#pending !== undefined && this.done()) {
      unwatch(this.#pending);
      this.#pending = undefined;
    }
  }

  #await(yielded: Future<unknown>): void {
    if (this.loop.debug && !this.#suspensionRecorded) this.#suspended = undefined;
    const problem = this.#checkYield(yielded);
    if (problem !== undefined) {
      // asyncio throws a bad yield back into the coroutine, at the yield, in the next iteration.
      this.loop.callSoon((bad: Error) => this.#step(bad), problem);
      return;
    }
    this.#waitingOn = yielded;
    yielded.addDoneCallback(this.#wakeup);
    if (this.#mustCancel && yielded.cancel(this.#cancelMessage)) this.#mustCancel = false;
  }

  #checkYield(yielded: unknown): Error | undefined {
    if (!(yielded instanceof Future)) {
      return new BadYieldError(
        `${this.toString()} yielded ${describe(yielded)}; a coroutine may only yield Futures: ` +
          'write `yield* wait(future)` for a future and `yield* coro()` for another coroutine',
      );
    }
    if (yielded.loop !== this.loop) return new InvalidStateError(`${this.toString()} yielded ${yielded.toString()}, which belongs to another loop`);
    if (yielded === this) return new InvalidStateError(`${this.toString()} cannot wait for itself`);
    return undefined;
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'object'}`;
  if (typeof value === 'function') return `a function ${value.name}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${typeof value} ${value.toString()}`;
  return typeof value;
}
