// Tasks the runtime's own tests run on threads (a thread loads its task from built JavaScript, so
// they live in a module of their own rather than in a test file). Not used by the style.
import { ThreadPoolExecutor, recv, sendAll, type Connection } from './blocking.js';
import { task } from './task.js';

/** A pool thread's task: the square of `item`, or a RangeError for the item equal to `failAt`. */
export function square(failAt: number | null, item: number): number {
  if (item === failAt) throw new RangeError(`no square for ${item}`);
  return item * item;
}

/** Runs `square` over `items` on a pool of `workers` threads and returns the results. */
export function squares(input: { readonly items: readonly number[]; readonly workers: number; readonly failAt: number | null }): number[] {
  return new ThreadPoolExecutor(input.workers).map(task(import.meta.url, square), input.failAt, input.items);
}

/** Echoes one chunk, then spins without ever blocking again: only terminate() can end it. */
export function echoOnceThenSpin(connection: Connection): void {
  sendAll(connection, recv(connection));
  for (;;) {
    // busy: never blocks, never returns
  }
}
