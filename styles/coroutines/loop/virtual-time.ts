// Virtual time for the loop's tests, after rxjs's marble tests: a clock that moves only when told and
// a scheduler that records what the loop asked Node for (a wake, one armed timer) and runs it when
// the test says so. Nothing here touches a real timer, so a test of the loop is exact and instant.
import type { Cancel, Clock, Scheduler } from './scheduler.js';
import { EventLoop, type EventLoopOptions, type ExceptionContext } from './event-loop.js';
import { Future, type Coro } from './future.js';

export class VirtualClock implements Clock {
  readonly resolution = 0;
  #now: number;

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`Expected \`ms\` to be a number from 0 and up, got ${ms}`);
    this.#now += ms;
  }
}

interface Armed {
  readonly at: number;
  readonly callback: () => void;
}

/** Records the loop's requests; `flush` plays them back in the order Node would. */
export class ManualScheduler implements Scheduler {
  readonly clock: VirtualClock;
  /** Requests made so far: a loop that spins shows up here as a count that keeps growing. */
  wakes = 0;
  arms = 0;
  #wake: (() => void) | undefined;
  #armed: Armed | undefined;

  constructor(clock: VirtualClock) {
    this.clock = clock;
  }

  wake(callback: () => void): Cancel {
    if (this.#wake !== undefined) throw new Error('the loop asked for a second wake while one was pending');
    this.wakes += 1;
    this.#wake = callback;
    return () => {
      if (this.#wake === callback) this.#wake = undefined;
    };
  }

  arm(delayMs: number, callback: () => void): Cancel {
    if (this.#armed !== undefined) throw new Error('the loop armed a second timer while one was armed');
    this.arms += 1;
    const armed = { at: this.clock.now() + delayMs, callback };
    this.#armed = armed;
    return () => {
      if (this.#armed === armed) this.#armed = undefined;
    };
  }

  get wakePending(): boolean {
    return this.#wake !== undefined;
  }

  /** Virtual time at which the armed timer fires, if one is armed. */
  get armedAt(): number | undefined {
    return this.#armed?.at;
  }

  /** Runs the pending wake, as Node's check phase would; false when there was none. */
  runWake(): boolean {
    const wake = this.#wake;
    if (wake === undefined) return false;
    this.#wake = undefined;
    wake();
    return true;
  }

  /** Moves the clock to the armed timer and fires it; false when none is armed. */
  fireTimer(): boolean {
    const armed = this.#armed;
    if (armed === undefined) return false;
    this.#armed = undefined;
    const now = this.clock.now();
    if (armed.at > now) this.clock.advance(armed.at - now);
    armed.callback();
    return true;
  }

  /**
   * Plays every request until none is left: wakes first (they are due now), then the timer, moving
   * time forward as it goes. Returns how many callbacks ran; throws past `limit`, which catches a
   * loop that keeps waking itself.
   */
  flush(limit = 100_000): number {
    let ran = 0;
    while (this.runWake() || this.fireTimer()) {
      ran += 1;
      if (ran > limit) throw new Error(`the loop was still scheduling itself after ${limit} wakes`);
    }
    return ran;
  }

  /** Plays requests that fall due until `ms` from now, then leaves the clock there. */
  advance(ms: number): number {
    const until = this.clock.now() + ms;
    let ran = 0;
    for (;;) {
      if (this.runWake()) {
        ran += 1;
        continue;
      }
      const at = this.armedAt;
      if (at === undefined || at > until) break;
      this.fireTimer();
      ran += 1;
    }
    const now = this.clock.now();
    if (until > now) this.clock.advance(until - now);
    return ran;
  }
}

export interface VirtualLoop {
  readonly loop: EventLoop;
  readonly clock: VirtualClock;
  readonly scheduler: ManualScheduler;
  /** Everything the loop reported, unless the options brought their own handler. */
  readonly reports: ExceptionContext[];
  /**
   * Runs `awaitable` (a coroutine becomes a task) until it is done, playing wakes and timers in
   * order and moving virtual time as it goes. Throws if it is still pending with nothing scheduled.
   */
  readonly run: <T>(awaitable: Future<T> | Coro<T>) => Future<T>;
}

/** A running loop on virtual time, for tests. */
export function createVirtualLoop(options: Omit<EventLoopOptions, 'clock' | 'scheduler'> = {}): VirtualLoop {
  const clock = new VirtualClock();
  const scheduler = new ManualScheduler(clock);
  const reports: ExceptionContext[] = [];
  const loop = new EventLoop({
    debug: false,
    exceptionHandler: (_loop, context) => reports.push(context),
    ...options,
    clock,
    scheduler,
  });
  loop.runForever();
  return {
    loop,
    clock,
    scheduler,
    reports,
    run: <T>(awaitable: Future<T> | Coro<T>): Future<T> => {
      const future = awaitable instanceof Future ? awaitable : loop.createTask(awaitable);
      while (!future.done()) {
        if (!scheduler.runWake() && !scheduler.fireTimer()) {
          throw new Error(`${future.toString()} is pending and the loop has nothing scheduled: a deadlock`);
        }
      }
      return future;
    },
  };
}
