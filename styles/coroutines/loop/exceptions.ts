// What the loop reports when nobody else can (a throwing callback, a lost exception, a slow
// callback in debug mode), and the default report: a few lines on stderr, as asyncio logs them.
import type { EventLoop } from './event-loop.js';
import type { Future } from './future.js';
import type { Handle } from './handle.js';

export interface ExceptionContext {
  readonly message: string;
  readonly exception?: unknown;
  readonly handle?: Handle;
  readonly future?: Future<unknown>;
  /** Where the object the report is about came from (debug mode), already formatted. */
  readonly origin?: string;
}

export type ExceptionHandler = (loop: EventLoop, context: ExceptionContext) => void;

/** Writes the report to stderr, as asyncio's default handler logs it. */
export function defaultExceptionHandler(_loop: EventLoop, context: ExceptionContext): void {
  const lines = [`[rosetta loop] ${context.message}`];
  if (context.future !== undefined) lines.push(`  future: ${context.future.toString()}`);
  if (context.origin !== undefined) lines.push(context.origin);
  if ('exception' in context) {
    const error = context.exception;
    lines.push(error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : `thrown: ${String(error)}`);
  }
  process.stderr.write(lines.join('\n') + '\n');
}
