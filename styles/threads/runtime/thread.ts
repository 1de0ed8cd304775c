// A thread, from the main thread's side: start one Worker for a task, serve its channel with a
// Scope (scope.ts), learn its outcome, and join it: `joined` settles only after the Worker's
// 'exit', so a caller that waited for it holds no thread. Also the process-wide cap on live threads.
import { Worker } from 'node:worker_threads';
import { createChannel } from './channel.js';
import { ThreadExitError, ThreadLimitError, decodeError } from './errors.js';
import type { Request, ThreadCost, ThreadData, ThreadMessage, ThreadSpec } from './protocol.js';
import { loadableUrl, threadEntryUrl } from './task.js';

/**
 * Threads this process may run at once: ROSETTA_THREADS_MAX, else 256, about 2 GiB of idle RSS and
 * 15 s of starts on the kit's 2-core machine (styles/threads/runtime/README.md, "The cap"). Past the cap a thread is refused with a ThreadLimitError (the echo server
 * sheds the connection): a bounded process, never an out-of-memory kill of the harness.
 */
export const DEFAULT_THREAD_CAP = 256;

export function threadCap(): number {
  const fromEnv = Number(process.env.ROSETTA_THREADS_MAX);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_THREAD_CAP;
}

let live = 0;
/** Threads started and not yet joined, in this process. */
export function liveThreads(): number {
  return live;
}

let lastCost: ThreadCost | undefined;
/** The last cost a thread reported from inside itself (thread-main.ts), if any thread has started. */
export function lastThreadCost(): ThreadCost | undefined {
  return lastCost;
}

/** Serves one thread's requests; `interrupt` ends the one in flight, if any, with an InterruptedError. */
export interface RequestHandler {
  handle(thread: Thread, request: Request, answer: (value: unknown) => void, fail: (error: unknown) => void): void;
}

export type ThreadOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error };

export class Thread {
  readonly label: string;
  /** The outcome, after the thread has exited: a joined thread holds nothing. */
  readonly joined: Promise<ThreadOutcome>;
  /**
   * Cancels the request this thread is blocked on, if any. Invariant: set while the main thread
   * holds one of this thread's requests unanswered, undefined otherwise (the thread is running).
   */
  interruptPending: (() => void) | undefined;
  private readonly worker: Worker;

  constructor(data: ThreadSpec, handler: RequestHandler, label: string) {
    const cap = threadCap();
    if (live >= cap) throw new ThreadLimitError(cap, label);
    this.label = label;
    const channel = createChannel<Request>();
    channel.onRequest((request, answer, fail) => {
      handler.handle(this, request, answer, fail);
    });
    const ends = channel.workerEnds;
    // A task named by a TypeScript module (under vitest) runs from its built twin.
    try {
      const task = { ...data.task, module: loadableUrl(data.task.module) };
      this.worker = new Worker(threadEntryUrl(), {
        workerData: { ...data, task, ends } as ThreadData,
        transferList: [ends.port],
        name: label,
      });
    } catch (error) {
      // No thread: nothing may keep its channel open.
      channel.close();
      ends.port.close();
      throw error;
    }
    live += 1;
    let outcome: ThreadOutcome | undefined;
    this.worker.on('message', (message: ThreadMessage) => {
      if (message.kind === 'cost') lastCost = message.cost;
      else if (message.kind === 'result') outcome = { ok: true, value: message.value };
      else outcome = { ok: false, error: decodeError(message.error) };
    });
    this.joined = new Promise<ThreadOutcome>((resolve) => {
      let crash: Error | undefined;
      this.worker.on('error', (error) => {
        crash = error;
      });
      this.worker.once('exit', (code) => {
        live -= 1;
        channel.close();
        this.interruptPending = undefined;
        resolve(outcome ?? { ok: false, error: new ThreadExitError(`${data.task.name} (${label})`, crash !== undefined ? crash.message : `exit code ${code}`, { cause: crash }) });
      });
    });
  }

  /** The last resort of close(): stops the thread even inside a task that never blocks. */
  terminate(): void {
    void this.worker.terminate();
  }
}

