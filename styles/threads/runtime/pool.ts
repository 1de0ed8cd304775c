// A ThreadPoolExecutor's map, from the main thread's side: up to `workers` threads, one shared
// cursor over the items, results by item index. The pool threads ask for work (`pool.next`,
// handing in the outcome of their last item), so a thread takes the next item as soon as it is
// free, and at most `workers` items are in progress at once.
// Fail-fast: the first error (a task's, or a thread that could not start or died) is kept; from
// then on every `pool.next` answers "stop", and the other threads' blocked calls are interrupted
// (InterruptedError), so no request starts after it and the ones in flight are aborted. `finished`
// settles once every pool thread has been joined.
import { decodeError } from './errors.js';
import type { PoolItem, PoolOutcome, TaskRef } from './protocol.js';
import { Thread, type RequestHandler } from './thread.js';

export class PoolRun {
  private readonly results: unknown[];
  private readonly threads = new Set<Thread>();
  private cursor = 0;
  /** The first error; once set, no item is handed out. */
  private failure: Error | undefined;
  readonly finished: Promise<unknown[]>;

  constructor(task: TaskRef, context: unknown, private readonly items: readonly unknown[], workers: number, handler: RequestHandler, adopt: (thread: Thread, pool: PoolRun) => void) {
    this.results = new Array<unknown>(items.length);
    const joins: Promise<unknown>[] = [];
    for (let slot = 0; slot < Math.min(workers, items.length) && this.failure === undefined; slot++) {
      try {
        const thread = new Thread({ kind: 'pool', task, context }, handler, `pool ${task.name} #${slot + 1}`);
        this.threads.add(thread);
        adopt(thread, this);
        joins.push(
          thread.joined.then((outcome) => {
            this.threads.delete(thread);
            if (!outcome.ok) this.fail(outcome.error);
          }),
        );
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
      }
    }
    this.finished = Promise.all(joins).then(() => {
      if (this.failure !== undefined) throw this.failure;
      return this.results;
    });
  }

  /** A pool thread's `pool.next`: record what it finished, hand it the next item or null. */
  next(outcome: PoolOutcome | null): PoolItem | null {
    if (outcome !== null) {
      if (outcome.ok) this.results[outcome.index] = outcome.value;
      else this.fail(decodeError(outcome.error));
    }
    if (this.failure !== undefined || this.cursor >= this.items.length) return null;
    const index = this.cursor++;
    return { index, item: this.items[index] };
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return; // later errors are ignored (SPEC: the first one wins)
    this.failure = error;
    for (const thread of this.threads) thread.interruptPending?.();
  }
}
