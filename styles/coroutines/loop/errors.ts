// The loop's own errors, named after asyncio's. They are the loop's vocabulary, not the workflow's:
// the loop's `TimeoutError` (a `waitFor` deadline) is not contract.ts's `TimeoutError` (a silent
// socket), and a style that meets one turns it into the other in its own step functions.

/** Thrown into a coroutine at its yield point when its task is cancelled; a cancelled future's `result()`. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';

  constructor(message = 'cancelled') {
    super(message);
  }
}

/** A future or loop asked to do something its state forbids: a second result, a closed loop, ... */
export class InvalidStateError extends Error {
  override readonly name = 'InvalidStateError';
}

/** `waitFor` ran out of time; `cause` is the `CancelledError` that stopped the inner task. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly ms: number;

  constructor(ms: number, options?: ErrorOptions) {
    super(`waitFor: not done within ${ms} ms`, options);
    this.ms = ms;
  }
}

/** A coroutine yielded something that is not a Future of this loop. */
export class BadYieldError extends TypeError {
  override readonly name = 'BadYieldError';
}

/** `readExactly` (or `readUntil`) met EOF first; `partial` holds what did arrive. */
export class IncompleteReadError extends Error {
  override readonly name = 'IncompleteReadError';
  readonly partial: Buffer;
  readonly expected: number | undefined;

  constructor(partial: Buffer, expected: number | undefined) {
    super(
      expected === undefined
        ? `stream ended after ${partial.length} bytes, before the separator`
        : `stream ended after ${partial.length} of ${expected} expected bytes`,
    );
    this.partial = partial;
    this.expected = expected;
  }
}

/** `readLine` found no newline within the reader's buffer limit. */
export class LimitOverrunError extends Error {
  override readonly name = 'LimitOverrunError';
  readonly consumed: number;

  constructor(limit: number, consumed: number) {
    super(`no line separator within the reader's limit of ${limit} bytes`);
    this.consumed = consumed;
  }
}

/** The connection went away while a coroutine waited on it (asyncio's "Connection lost"). */
export class ConnectionResetError extends Error {
  override readonly name = 'ConnectionResetError';
  readonly code = 'ECONNRESET';
}
