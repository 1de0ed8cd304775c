// EventLoop: the kit's asyncio-like loop, small enough to read in one sitting. A ready queue of
// handles and a heap of timers; `runOnce` runs one iteration. It is a guest on Node's loop, not a
// replacement: libuv is its selector, I/O callbacks only settle futures, and the loop asks Node for
// one `setImmediate` when it has ready work and one timer for its earliest deadline. So it never
// spins, costs nothing while idle, and holds the process open only while a timer of its own is due.
//
// Differences from asyncio, forced by Node driving us: `runForever()` and `runUntilComplete()`
// return at once (they let Node drive the loop until `stop()`); learn about completion with
// `task.addDoneCallback`. Times are milliseconds, as everywhere in JavaScript.
import { Handle, type TimerHandle } from './handle.js';
import { LoopTimers } from './timers.js';
import { Future, type Coro } from './future.js';
import { Task, type TaskOptions } from './task.js';
import { InvalidStateError } from './errors.js';
import { debugFromEnv } from './debug.js';
import { nodeClock, nodeScheduler, type Cancel, type Clock, type Scheduler } from './scheduler.js';
import { type ExceptionContext, type ExceptionHandler, defaultExceptionHandler } from './exceptions.js';

export { defaultExceptionHandler } from './exceptions.js';
export type { ExceptionContext, ExceptionHandler } from './exceptions.js';

export interface EventLoopOptions {
  /** Debug mode (see debug.ts); defaults to the `ROSETTA_LOOP_DEBUG` environment switch. */
  readonly debug?: boolean;
  /** In debug mode, a callback that runs this long (ms) is reported. */
  readonly slowCallbackMs?: number;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  readonly exceptionHandler?: ExceptionHandler;
}

let runningLoop: EventLoop | undefined;

/** The loop running the current callback; coroutines and helpers find their loop here, as in asyncio. */
export function getRunningLoop(): EventLoop {
  if (runningLoop === undefined) {
    throw new InvalidStateError('no running event loop: call this from a coroutine or callback that the loop runs');
  }
  return runningLoop;
}

export class EventLoop {
  readonly debug: boolean;
  readonly slowCallbackMs: number;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  #ready: Handle[] = [];
  #spare: Handle[] = [];
  // The armed Node timer may be the only thing keeping the process alive: a cancelled timer moves or drops it now.
  readonly #timers = new LoopTimers((handle) => {
    if (handle === this.#armedFor && !this.#inIteration) this.#armTimer();
  });
  #running = false;
  #stopping = false;
  #closed = false;
  #inIteration = false;
  #iterations = 0;
  // What the loop has asked Node for. The rule: at most one Node immediate and at most one Node
  // timer are armed at any moment, and none while the loop is stopped or closed.
  // - `#cancelWake` is set exactly while the one immediate is armed: it is requested only when none
  //   is (callSoon, #reschedule), and cleared when it fires (#onWake) or is cancelled (#reschedule
  //   of a stopped loop). Outside an iteration, a running loop with handles ready has one armed
  //   (the converse does not hold: an iteration run by the timer may empty the queue first, and the
  //   immediate then finds nothing to do, which costs one empty iteration).
  // - `#armedFor` is the loop timer the one Node timer was armed for and `#cancelTimer` cancels that
  //   Node timer; they are set together (#armTimer disarms before it arms) and cleared together
  //   (#disarm, #onTimer). Outside an iteration, a running loop's `#armedFor` is its earliest live
  //   timer, or undefined when it has none (#armTimer after every iteration, callAt and cancel).
  // The tests' ManualScheduler refuses a second wake or a second timer, and debug mode checks the
  // rest after every reschedule (#checkScheduling).
  #cancelWake: Cancel | undefined;
  #cancelTimer: Cancel | undefined;
  #armedFor: TimerHandle | undefined;
  #currentTask: Task<unknown> | undefined;
  #exceptionHandler: ExceptionHandler | undefined;

  constructor(options: EventLoopOptions = {}) {
    this.debug = options.debug ?? debugFromEnv();
    this.slowCallbackMs = options.slowCallbackMs ?? 100;
    this.#clock = options.clock ?? nodeClock;
    this.#scheduler = options.scheduler ?? nodeScheduler;
    this.#exceptionHandler = options.exceptionHandler;
  }

  // --- time and scheduling ---------------------------------------------------------------------

  /** The loop's clock, in milliseconds. */
  time(): number {
    return this.#clock.now();
  }

  /** Runs `callback(...args)` in the next iteration, after everything already ready (FIFO). */
  callSoon<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Handle {
    this.#checkOpen('callSoon');
    const handle = new Handle(callback, args);
    this.#ready.push(handle);
    if (this.#running && !this.#inIteration && this.#cancelWake === undefined) this.#requestWake();
    return handle;
  }

  /** Runs `callback(...args)` once `delayMs` has passed; equal deadlines run in the order scheduled. */
  callLater<A extends unknown[]>(delayMs: number, callback: (...args: A) => void, ...args: A): TimerHandle {
    return this.callAt(this.time() + Math.max(0, delayMs), callback, ...args);
  }

  /** Runs `callback(...args)` once `time()` reaches `when`. */
  callAt<A extends unknown[]>(when: number, callback: (...args: A) => void, ...args: A): TimerHandle {
    this.#checkOpen('callAt');
    if (Number.isNaN(when)) throw new RangeError('callAt: expected `when` to be a number, got NaN');
    const handle = this.#timers.add(when, callback, args);
    if (!this.#inIteration) this.#armTimer();
    return handle;
  }

  createFuture<T>(): Future<T> {
    this.#checkOpen('createFuture');
    return new Future<T>(this);
  }

  /** Wraps a coroutine in a Task; its first step runs in the next iteration. */
  createTask<T>(coro: Coro<T>, options?: TaskOptions): Task<T> {
    this.#checkOpen('createTask');
    return new Task(this, coro, options);
  }

  // --- running ---------------------------------------------------------------------------------

  /**
   * One iteration: timers that are due join the ready queue, then exactly the handles that were
   * ready at that moment run, in order. What they schedule runs in the next iteration. A handle that
   * throws is reported to the exception handler and the iteration goes on.
   */
  runOnce(): void {
    this.#checkOpen('runOnce');
    if (this.#inIteration) throw new InvalidStateError('runOnce(): an iteration is already running; the loop is not reentrant');
    this.#inIteration = true;
    const outerLoop = runningLoop;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the running loop is process-wide state by design, as in asyncio
    runningLoop = this;
    this.#iterations += 1;
    const batch = this.#ready;
    try {
      this.#moveDueTimers();
      this.#ready = this.#spare;
      for (let index = 0; index < batch.length; index += 1) {
        const handle = batch[index];
        if (handle === undefined || handle.cancelled()) continue;
        if (this.debug) this.#runTimed(handle);
        else this.#run(handle);
      }
    } finally {
      batch.length = 0;
      this.#spare = batch;
      runningLoop = outerLoop;
      this.#inIteration = false;
      if (this.#stopping) {
        this.#stopping = false;
        this.#running = false;
      }
      this.#reschedule();
    }
  }

  /**
   * Lets Node drive the loop: an iteration runs whenever handles are ready or a timer falls due,
   * until `stop()`. Returns at once. The loop alone never keeps the process alive; its timers do.
   */
  runForever(): void {
    this.#checkOpen('runForever');
    if (this.#running) throw new InvalidStateError('runForever(): the loop is already running');
    this.#running = true;
    this.#stopping = false;
    this.#reschedule();
  }

  /**
   * Runs the loop until `awaitable` is done, then stops it. Returns at once with the future (a task
   * for a coroutine): watch it with `addDoneCallback`.
   */
  runUntilComplete<T>(awaitable: Future<T> | Coro<T>): Future<T> {
    const future = awaitable instanceof Future ? awaitable : this.createTask(awaitable);
    if (future.loop !== this) throw new InvalidStateError(`runUntilComplete(): ${future.toString()} belongs to another loop`);
    future.addDoneCallback(() => this.stop());
    this.runForever();
    return future;
  }

  /** Stops after the current iteration (at once outside one); what is still queued waits for the next run. */
  stop(): void {
    if (!this.#running) return;
    if (this.#inIteration) {
      this.#stopping = true;
      return;
    }
    this.#running = false;
    this.#reschedule();
  }

  /** Drops everything scheduled and refuses new work. Not from inside an iteration. */
  close(): void {
    if (this.#inIteration) throw new InvalidStateError('close(): cannot close the loop from inside one of its callbacks; call stop() instead');
    if (this.#closed) return;
    this.#running = false;
    this.#reschedule();
    this.#closed = true;
    this.#timers.clear();
    this.#ready = [];
  }

  isRunning(): boolean {
    return this.#running;
  }

  isClosed(): boolean {
    return this.#closed;
  }

  /** Iterations run so far; an idle loop's count does not move. */
  get iterations(): number {
    return this.#iterations;
  }

  /** Handles waiting for the next iteration. */
  get readyCount(): number {
    return this.#ready.length;
  }

  /** Timers scheduled and not cancelled. */
  get timerCount(): number {
    return this.#timers.live;
  }

  /** The earliest live deadline, if any (a virtual-time driver jumps there). */
  nextTimerAt(): number | undefined {
    return this.#timers.top()?.when;
  }

  // --- tasks and errors ------------------------------------------------------------------------

  /** The task whose step is running, if any. */
  currentTask(): Task<unknown> | undefined {
    return this.#currentTask;
  }

  /** Called by Task around each step; returns the task to restore. */
  enterTask(task: Task<unknown>): Task<unknown> | undefined {
    const previous = this.#currentTask;
    this.#currentTask = task;
    return previous;
  }

  leaveTask(task: Task<unknown>, previous: Task<unknown> | undefined): void {
    if (this.#currentTask === task) this.#currentTask = previous;
  }

  setExceptionHandler(handler: ExceptionHandler | undefined): void {
    this.#exceptionHandler = handler;
  }

  getExceptionHandler(): ExceptionHandler | undefined {
    return this.#exceptionHandler;
  }

  /** Reports a problem nobody else can: a throwing callback, a lost exception, a slow callback. */
  callExceptionHandler(context: ExceptionContext): void {
    const handler = this.#exceptionHandler;
    if (handler === undefined) {
      defaultExceptionHandler(this, context);
      return;
    }
    try {
      handler(this, context);
    } catch (error) {
      // A broken handler must not take the loop down with it; the default one still reports both.
      defaultExceptionHandler(this, { message: 'Unhandled error in the exception handler', exception: error });
      defaultExceptionHandler(this, context);
    }
  }

  // --- internals -------------------------------------------------------------------------------

  #run(handle: Handle): void {
    try {
      handle.run();
    } catch (error) {
      this.callExceptionHandler({ message: `Exception in callback ${handle.describe()}`, exception: error, handle });
    }
  }

  #runTimed(handle: Handle): void {
    const start = this.#clock.now();
    this.#run(handle);
    const took = this.#clock.now() - start;
    if (took >= this.slowCallbackMs) {
      this.callExceptionHandler({
        message: `Executing ${handle.describe()} took ${took.toFixed(1)} ms (slow callback threshold: ${this.slowCallbackMs} ms)`,
        handle,
      });
    }
  }

  #moveDueTimers(): void {
    this.#timers.takeDue(this.#clock.now() + this.#clock.resolution, this.#ready);
  }

  readonly #onWake = (): void => {
    this.#cancelWake = undefined;
    if (this.#running && !this.#closed) this.runOnce();
  };

  readonly #onTimer = (): void => {
    this.#cancelTimer = undefined;
    this.#armedFor = undefined;
    if (this.#running && !this.#closed) this.runOnce();
  };

  #requestWake(): void {
    this.#cancelWake = this.#scheduler.wake(this.#onWake);
  }

  /** After an iteration or a state change: ask Node for exactly what the loop now needs. */
  #reschedule(): void {
    if (!this.#running) {
      this.#cancelWake?.();
      this.#cancelWake = undefined;
      this.#disarm();
      return;
    }
    if (this.#ready.length > 0 && this.#cancelWake === undefined) this.#requestWake();
    this.#armTimer();
    if (this.debug) this.#checkScheduling();
  }

  /** Debug mode: the rule stated at `#cancelWake`, after a reschedule of a running loop. */
  #checkScheduling(): void {
    const wakeMissing = this.#ready.length > 0 && this.#cancelWake === undefined;
    const timerWrong = this.#armedFor !== this.#timers.top() || (this.#armedFor === undefined) !== (this.#cancelTimer === undefined);
    if (wakeMissing || timerWrong) {
      throw new InvalidStateError(
        `the loop's Node scheduling broke its rule: ${wakeMissing ? 'handles are ready and no immediate is armed' : 'the armed Node timer is not for the earliest live timer'}`,
      );
    }
  }

  /** Keeps one Node timer armed for the earliest live timer, and none when there is none. */
  #armTimer(): void {
    const top = this.#running ? this.#timers.top() : undefined;
    if (top === this.#armedFor) return;
    this.#disarm();
    if (top === undefined) return;
    this.#armedFor = top;
    this.#cancelTimer = this.#scheduler.arm(Math.max(0, top.when - this.#clock.now()), this.#onTimer);
  }

  #disarm(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#armedFor = undefined;
  }

  #checkOpen(method: string): void {
    if (this.#closed) throw new InvalidStateError(`${method}(): the event loop is closed`);
  }
}
