// Errors across the thread boundary. A worker's Error reaches the main thread as data (structured
// clone keeps a built-in Error's message and stack but drops its class, `code` and `cause`), so
// every error that crosses is encoded here and rebuilt on the other side with the class of the
// same name: the contract's ApiError/ParseError/NetworkError/TimeoutError, the runtime's own
// errors below, or a built-in Error class. The rebuilt error keeps the thrower's stack, its own
// fields (url, status, ms, code, ...) and its cause chain; `instanceof` works on the receiving side.
import { LinkHeaderError, WORKFLOW_ERRORS } from '../../../scenarios/repos-and-forks/contract.js';

/**
 * A blocked call that the runtime cut short: a sibling pool thread failed first (fail-fast), or the
 * server is closing. Like Java's InterruptedException: a thread's code lets it through.
 */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

/** A thread was refused: the process already runs `limit` threads (see README, "The cap"). */
export class ThreadLimitError extends Error {
  override readonly name = 'ThreadLimitError';
  readonly limit: number;

  constructor(limit: number, what: string) {
    super(`cannot start a thread for ${what}: ${limit} threads are running, the cap (ROSETTA_THREADS_MAX)`);
    this.limit = limit;
  }
}

/** A thread ended without a result: it exited, was terminated, or its entry could not be loaded. */
export class ThreadExitError extends Error {
  override readonly name = 'ThreadExitError';
  readonly task: string;

  constructor(task: string, detail: string, options?: ErrorOptions) {
    super(`thread running ${task} ended without a result: ${detail}`, options);
    this.task = task;
  }
}

// The runtime's own errors, and the contract's LinkHeaderError (the cause of a ParseError for a hostile `link`).
const RUNTIME_ERRORS = { InterruptedError, ThreadLimitError, ThreadExitError, LinkHeaderError } as const;

// The built-ins structured clone knows; anything else is rebuilt as an Error with its name kept.
const BUILT_IN: Readonly<Record<string, ErrorConstructor>> = {
  Error, TypeError, SyntaxError, RangeError, ReferenceError, EvalError, URIError,
};

/** An error as plain data: what postMessage can carry without losing anything a reader needs. */
export interface EncodedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable fields (url, status, ms, code, errno, syscall, headers ...), cloneable ones only. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly cause?: EncodedError | { readonly value: unknown };
}

/** Ten causes deep is more than any chain the kit builds; the limit stops a cycle. */
const MAX_DEPTH = 10;

export function encodeError(value: unknown, depth = 0): EncodedError {
  if (!(value instanceof Error)) {
    return { name: 'Error', message: `a thread threw a non-Error value: ${String(value)}`, stack: undefined, fields: { thrown: cloneable(value) } };
  }
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    fields[key] = cloneable(field);
  }
  const encoded = { name: value.name, message: value.message, stack: value.stack, fields };
  if (!('cause' in value) || depth >= MAX_DEPTH) return encoded;
  const cause = value.cause instanceof Error ? encodeError(value.cause, depth + 1) : { value: cloneable(value.cause) };
  return { ...encoded, cause };
}

/** The same error, rebuilt with this side's class of the same name, the thrower's stack kept. */
export function decodeError(encoded: EncodedError): Error {
  const named = (WORKFLOW_ERRORS as Readonly<Record<string, { prototype: Error }>>)[encoded.name]
    ?? (RUNTIME_ERRORS as Readonly<Record<string, { prototype: Error }>>)[encoded.name];
  const builtIn = BUILT_IN[encoded.name];
  // No constructor runs: ApiError's would re-derive its fields from headers the error no longer has.
  const error = named !== undefined ? (Object.create(named.prototype) as Error) : new (builtIn ?? Error)(encoded.message);
  Object.defineProperty(error, 'message', { value: encoded.message, writable: true, configurable: true, enumerable: false });
  if (named !== undefined || builtIn === undefined) Object.defineProperty(error, 'name', { value: encoded.name, writable: true, configurable: true, enumerable: named !== undefined });
  Object.assign(error, encoded.fields);
  Object.defineProperty(error, 'stack', { value: encoded.stack ?? `${encoded.name}: ${encoded.message}`, writable: true, configurable: true, enumerable: false });
  if (encoded.cause !== undefined) {
    const cause = 'value' in encoded.cause ? encoded.cause.value : decodeError(encoded.cause);
    Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true, enumerable: false });
  }
  return error;
}

/**
 * Appends where the receiving thread waited for the error, under a header, so a trace shows both
 * ends of the hand-over (as Java's ExecutionException shows the joining thread with the pool
 * thread's exception as its cause): the thrower's frames first, then the joiner's.
 */
export function appendJoinSite(error: Error, where: string, site: Error): Error {
  const frames = (site.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));
  Object.defineProperty(error, 'stack', {
    value: `${error.stack ?? String(error)}\n    --- ${THREAD_BOUNDARY} ${where} ---\n${frames.join('\n')}`,
    writable: true, configurable: true, enumerable: false,
  });
  return error;
}

/** The header of the joiner's section in a crossed error's stack. */
export const THREAD_BOUNDARY = 'thread boundary: rethrown by';

function cloneable(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return String(value);
  }
}
