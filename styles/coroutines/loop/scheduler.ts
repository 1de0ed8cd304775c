// What drives the loop: a clock to read and a scheduler to wake it. In production both are Node's
// (libuv is the loop's selector: `setImmediate` for a non-empty ready queue, one `setTimeout` for the
// earliest timer); tests inject a virtual clock and a hand-driven scheduler (see virtual-time.ts).
// Neither runs coroutine code: they only call the loop back.
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Monotonic milliseconds; the loop's `time()`. */
  now(): number;
  /**
   * How far ahead of `now()` a timer still counts as due. libuv fires timers against its own cached
   * millisecond clock, so a Node timer can fire up to ~1 ms before `performance.now()` reaches the
   * deadline; treating that as due avoids a useless extra wake (asyncio's `_clock_resolution`).
   */
  readonly resolution: number;
}

/** Undoes a `wake` or an `arm`; calling it after the callback ran, or twice, is harmless. */
export type Cancel = () => void;

export interface Scheduler {
  /** Calls `callback` once, soon, after the I/O callbacks Node has already collected. */
  wake(callback: () => void): Cancel;
  /**
   * Calls `callback` once, `delayMs` from now. The loop arms at most one of these at a time, and
   * only for a live timer, so a Node timer that keeps the process alive means a loop timer that
   * should (a pending `sleep` keeps the process alive, as a pending `setTimeout` would).
   */
  arm(delayMs: number, callback: () => void): Cancel;
}

const MAX_NODE_DELAY = 2 ** 31 - 1;

export const nodeClock: Clock = {
  now: () => performance.now(),
  resolution: 1,
};

export const nodeScheduler: Scheduler = {
  wake(callback) {
    const immediate = setImmediate(callback);
    return () => clearImmediate(immediate);
  },
  arm(delayMs, callback) {
    // Node turns a delay past 2^31-1 ms into 1 ms (with a warning); a far deadline must wake late, not now.
    const timeout = setTimeout(callback, Math.min(delayMs, MAX_NODE_DELAY));
    return () => clearTimeout(timeout);
  },
};
