// Future<T>: a value that will exist, bound to one loop, after asyncio.Future. It is settled once
// (a result, an exception, or cancelled) and its done-callbacks always run through the loop's ready
// queue, never synchronously. It is not a Promise: nothing happens unless the loop runs, and a
// coroutine waits for it with `const value = yield* wait(future)`.
import { CancelledError, InvalidStateError } from './errors.js';
import { captureSite, unwatch, watchUnretrievedException, type Site, type WatchToken } from './debug.js';
import type { EventLoop } from './event-loop.js';

/**
 * A coroutine that produces a T: a generator that yields only Futures and is resumed by its Task
 * when the yielded Future is done. Write coroutines as `function* name(): Coro<T>` and call other
 * coroutines with `yield*`.
 */
export type Coro<T> = Generator<Future<unknown>, T, unknown>;

export type FutureState = 'pending' | 'finished' | 'cancelled';

/**
 * Declared as a method's type so its parameter is bivariant: a `Future<string>` must still be a
 * `Future<unknown>` (a task waits on futures of every type), which a strictly typed callback list forbids.
 */
export type DoneCallback<T> = { bivarianceHack(future: Future<T>): void }['bivarianceHack'];

export class Future<T> {
  readonly loop: EventLoop;
  #state: FutureState = 'pending';
  #value: T | undefined;
  #error: unknown;
  #failed = false;
  #cancelMessage: string | undefined;
  // Made on the first registration, with room for that one: most futures get one callback (the task
  // waiting on them) or none, and `[]` followed by `push` reserves 17 slots (~150 bytes) on V8.
  #callbacks: DoneCallback<T>[] | undefined;
  #unretrieved: WatchToken | undefined;
  /** Where the future was made, in debug mode. */
  readonly createdAt: Site | undefined;
  /** Frames kept of that site: a plain future's only shows in an unretrieved-exception warning, and futures are many. */
  static readonly siteFrames: number = 10;

  constructor(loop: EventLoop) {
    this.loop = loop;
    if (loop.debug) this.createdAt = captureSite(new.target, new.target.siteFrames);
  }

  done(): boolean {
    return this.#state !== 'pending';
  }

  cancelled(): boolean {
    return this.#state === 'cancelled';
  }

  get state(): FutureState {
    return this.#state;
  }

  /** The value; throws the exception, a `CancelledError`, or `InvalidStateError` while pending. */
  result(): T {
    if (this.#state === 'pending') throw new InvalidStateError(`result(): ${this.toString()} is still pending`);
    if (this.#state === 'cancelled') throw new CancelledError(this.#cancelMessage);
    this.#retrieved();
    if (this.#failed) throw this.#error;
    return this.#value as T;
  }

  /** The exception, or undefined after a result; throws while pending and when cancelled. */
  exception(): unknown {
    if (this.#state === 'pending') throw new InvalidStateError(`exception(): ${this.toString()} is still pending`);
    if (this.#state === 'cancelled') throw new CancelledError(this.#cancelMessage);
    this.#retrieved();
    return this.#failed ? this.#error : undefined;
  }

  setResult(value: T): void {
    this.#checkPending('setResult');
    this.settleResult(value);
  }

  setException(error: unknown): void {
    this.#checkPending('setException');
    this.settleException(error);
  }

  /** Cancels a pending future and schedules its callbacks; false if it was already done. */
  cancel(message?: string): boolean {
    if (this.#state !== 'pending') return false;
    this.settleCancelled(message);
    return true;
  }

  /** `callback(this)` runs in a later loop iteration, even when the future is already done. */
  addDoneCallback(callback: DoneCallback<T>): void {
    if (this.#state !== 'pending') this.loop.callSoon(callback, this);
    else if (this.#callbacks === undefined) this.#callbacks = [callback];
    else this.#callbacks.push(callback);
  }

  /** Removes every registration of `callback` that has not been scheduled yet; returns how many. */
  removeDoneCallback(callback: DoneCallback<T>): number {
    const before = this.#callbacks?.length ?? 0;
    this.#callbacks = this.#callbacks?.filter((registered) => registered !== callback);
    return before - (this.#callbacks?.length ?? 0);
  }

  toString(): string {
    return `<${this.constructor.name} ${this.#state}>`;
  }

  // Subclasses settle through these: a Task forbids setResult from outside, but settles all the same.
  protected settleResult(value: T): void {
    this.#state = 'finished';
    this.#value = value;
    this.#scheduleCallbacks();
  }

  protected settleException(error: unknown): void {
    this.#state = 'finished';
    this.#failed = true;
    this.#error = error;
    if (this.loop.debug) this.#unretrieved = watchUnretrievedException(this.loop, this, this.toString(), error, this.createdAt);
    this.#scheduleCallbacks();
  }

  protected settleCancelled(message: string | undefined): void {
    this.#state = 'cancelled';
    this.#cancelMessage = message;
    this.#scheduleCallbacks();
  }

  #checkPending(method: string): void {
    if (this.#state !== 'pending') {
      throw new InvalidStateError(`${method}(): ${this.toString()} is already settled; a future is settled exactly once`);
    }
  }

  #scheduleCallbacks(): void {
    const callbacks = this.#callbacks;
    this.#callbacks = undefined;
    for (const callback of callbacks ?? []) this.loop.callSoon(callback, this);
  }

  #retrieved(): void {
    if (this.#unretrieved === undefined) return;
    unwatch(this.#unretrieved);
    this.#unretrieved = undefined;
  }
}

/**
 * Waits for a future inside a coroutine: `const value = yield* wait(future)` gives `value` the
 * future's type. A future that is already done costs no suspension (asyncio's `__await__` fast path);
 * a failed or cancelled one throws here, at the caller's line.
 */
export function* wait<T>(future: Future<T>): Coro<T> {
  if (!future.done()) {
    // Debug mode: this frame still has the whole `yield*` path of the task on its stack; a moment
    // later the generator is suspended and that path is gone.
    if (future.loop.debug) future.loop.currentTask()?.recordSuspension(captureSite(wait));
    yield future;
  }
  return future.result();
}
