// Debug mode's machinery: stack sites captured where a task is created and where it last yielded,
// the coroutine chain an error collects as it leaves tasks, and the finalization watchers that report
// futures and tasks dropped in a bad state. It is bookkeeping only; the loop decides when to use it.
//
// Why a chain: `gen.throw(error)` resumes a generator without adding its frames to `error.stack`, so
// an error that crosses from one task to the task waiting for it loses every frame of the waiter.
// Each task the error leaves appends itself (name, where it was suspended, where it was created) to
// a "--- coroutine chain ---" section of `error.stack`, so the chain prints wherever the stack does;
// `coroutineChain(error)` returns the same links as data. Sites are real V8 stacks, formatted only
// when printed, so `node --enable-source-maps` shows TypeScript lines.
import type { EventLoop } from './event-loop.js';

/** The environment switch: `ROSETTA_LOOP_DEBUG=1` turns debug mode on for loops that do not say. */
export function debugFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.ROSETTA_LOOP_DEBUG;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** A captured stack, formatted on demand. */
export interface Site {
  readonly stack: string | undefined;
}

/**
 * Frames deep enough to reach through several levels of `yield*` (each level costs two frames, the
 * generator and its `.next`). Capturing is the price of debug mode, and it grows with this number.
 */
export const SITE_FRAMES = 24;

/** Captures the current stack, leaving out `skip` and everything above it. Debug mode only: it costs. */
export function captureSite(skip: ((...args: never) => unknown) | (abstract new (...args: never) => unknown), frames = SITE_FRAMES): Site {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = frames;
  Error.captureStackTrace(holder, skip);
  Error.stackTraceLimit = limit;
  return holder as Site;
}

// A site's frames are the user's path inside one task: below the loop's own frames at the top (wait,
// createTask) and above the loop frames that stepped the task (Task.#step, runOnce); what is further
// down is whatever drove the loop (Node's immediate queue, a test), which says nothing about the
// program. Generator plumbing (`gen.next (<anonymous>)`) and Node internals are dropped on the way.
const LOOP_FRAME = /[\\/]coroutines[\\/]loop[\\/](?![^\\/:]*\.test\.)[^\\/:]+\.[cm]?[jt]s:/;
const PLUMBING = [/\(<anonymous>\)$/, /\(node:/, /at node:/];

/** The user's frames of a site, each as V8 prints it (`    at fn (file:line:col)`). */
export function siteFrames(site: Site | undefined, max = 6): string[] {
  if (site?.stack === undefined) return [];
  const frames: string[] = [];
  for (const line of site.stack.split('\n')) {
    if (!line.trimStart().startsWith('at ')) continue;
    if (LOOP_FRAME.test(line)) {
      if (frames.length > 0) break;
      continue;
    }
    if (PLUMBING.some((pattern) => pattern.test(line))) continue;
    frames.push(`    ${line.trim()}`);
    if (frames.length === max) break;
  }
  return frames;
}

/** One task an error left, innermost first. */
export interface ChainLink {
  readonly task: string;
  /** Where the task last yielded before the error left it: the path the error took inside it. */
  readonly suspendedAt: readonly string[];
  readonly createdAt: readonly string[];
}

interface ChainRecord {
  readonly baseStack: string;
  readonly links: ChainLink[];
}

const CHAIN = Symbol('rosetta.coroutineChain');

export const CHAIN_HEADER = '--- coroutine chain (the tasks this error left, innermost first) ---';

/** Appends one task to the error's chain and rewrites its stack; values that are not objects pass untouched. */
export function appendChainLink(error: unknown, task: string, suspended: Site | undefined, created: Site | undefined): void {
  if (typeof error !== 'object' || error === null) return;
  const target = error as { stack?: unknown; [CHAIN]?: ChainRecord };
  try {
    let record = target[CHAIN];
    if (record === undefined) {
      record = { baseStack: typeof target.stack === 'string' ? target.stack : Object.prototype.toString.call(error), links: [] };
      Object.defineProperty(target, CHAIN, { value: record, enumerable: false, configurable: true });
    }
    record.links.push({ task, suspendedAt: siteFrames(suspended), createdAt: siteFrames(created) });
    const section = record.links.flatMap((link) => [
      `  ${link.task}`,
      ...(link.suspendedAt.length > 0 ? ['   suspended at:', ...link.suspendedAt] : ['   suspended at: (not known: it yielded without wait())']),
      ...(link.createdAt.length > 0 ? ['   created at:', ...link.createdAt] : []),
    ]);
    Object.defineProperty(target, 'stack', {
      value: [record.baseStack, CHAIN_HEADER, ...section].join('\n'),
      writable: true,
      enumerable: false,
      configurable: true,
    });
  } catch {
    // A frozen or exotic error keeps its own stack; the chain is a help, not a requirement.
  }
}

/** The chain an error collected in debug mode; empty when it left no task (or debug was off). */
export function coroutineChain(error: unknown): readonly ChainLink[] {
  if (typeof error !== 'object' || error === null) return [];
  return (error as { [CHAIN]?: ChainRecord })[CHAIN]?.links ?? [];
}

// ---------------------------------------------------------------------------------------------
// Finalization watchers. A held value must not reach its target, or the target is never collected:
// they hold the loop, a description and the error, never the future or task itself.

interface Dropped {
  readonly loop: EventLoop;
  readonly message: string;
  readonly exception?: unknown;
  readonly origin: Site | undefined;
}

const dropped = new FinalizationRegistry<Dropped>((held) => {
  const origin = siteFrames(held.origin);
  held.loop.callExceptionHandler({
    message: held.message,
    ...(held.exception === undefined ? {} : { exception: held.exception }),
    ...(origin.length > 0 ? { origin: ['created at:', ...origin].join('\n') } : {}),
  });
});

/** An object to pass to `unwatch` once the condition no longer holds. */
export type WatchToken = object;

export function watchUnretrievedException(loop: EventLoop, future: object, description: string, exception: unknown, origin: Site | undefined): WatchToken {
  const token = {};
  dropped.register(future, { loop, message: `${description}: exception was never retrieved`, exception, origin }, token);
  return token;
}

export function watchPendingTask(loop: EventLoop, task: object, description: string, origin: Site | undefined): WatchToken {
  const token = {};
  dropped.register(task, { loop, message: `${description} was destroyed but it is pending`, origin }, token);
  return token;
}

export function unwatch(token: WatchToken): void {
  dropped.unregister(token);
}
