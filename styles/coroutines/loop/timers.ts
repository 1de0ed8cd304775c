// The loop's timers: a heap ordered by deadline, cancelled timers counted and dropped lazily when
// they reach the top, or all at once when they crowd the heap (asyncio's `_scheduled` and its
// cancelled count). Which Node timer is armed for them is the loop's job.
import { type Handle, TimerHandle } from './handle.js';
import { TimerHeap } from './timer-heap.js';

// Past this many dead timers, and more than half the heap, rebuild it rather than wait for them to
// reach the top (asyncio's _MIN_SCHEDULED_TIMER_HANDLES and _MIN_CANCELLED_TIMER_HANDLES_FRACTION).
const MIN_DEAD_TIMERS = 100;

export class LoopTimers {
  readonly #heap = new TimerHeap();
  readonly #onCancelled: (handle: TimerHandle) => void;
  #seq = 0;
  #dead = 0;

  /** `onCancelled` runs after a timer is cancelled and counted. */
  constructor(onCancelled: (handle: TimerHandle) => void) {
    this.#onCancelled = onCancelled;
  }

  /** A timer for `when`; equal deadlines run in the order scheduled. */
  add<A extends unknown[]>(when: number, callback: (...args: A) => void, args: A): TimerHandle {
    const handle = new TimerHandle(when, this.#seq++, callback, args, this.#cancelled);
    this.#heap.push(handle);
    return handle;
  }

  /** Timers scheduled and not cancelled. */
  get live(): number {
    return this.#heap.size - this.#dead;
  }

  /** The earliest timer that is not cancelled, after dropping the dead ones above it. */
  top(): TimerHandle | undefined {
    let top = this.#heap.peek();
    while (top?.cancelled() === true) {
      this.#heap.pop();
      top.scheduled = false;
      this.#dead -= 1;
      top = this.#heap.peek();
    }
    return top;
  }

  /** Moves every live timer due by `end` to `ready`, earliest first. */
  takeDue(end: number, ready: Handle[]): void {
    for (let top = this.top(); top !== undefined && top.when <= end; top = this.top()) {
      this.#heap.pop();
      top.scheduled = false;
      ready.push(top);
    }
  }

  /** Drops every timer, cancelled or not. */
  clear(): void {
    for (const timer of this.#heap.clear()) timer.scheduled = false;
    this.#dead = 0;
  }

  readonly #cancelled = (handle: TimerHandle): void => {
    this.#dead += 1;
    if (this.#dead > MIN_DEAD_TIMERS && this.#dead * 2 > this.#heap.size) {
      this.#heap.retain((timer) => {
        if (!timer.cancelled()) return true;
        timer.scheduled = false;
        return false;
      });
      this.#dead = 0;
    }
    this.#onCancelled(handle);
  };
}
