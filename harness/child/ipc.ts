// The child side of the harness's IPC: a child registers one handler per request type, answers
// each request with a reply (or the error it raised), and can send events of its own. When the
// channel closes (the harness stopped it, or died), the child runs its cleanup and exits, so no
// child outlives the harness. An error crosses as name, message and stack; the parent revives the
// kit's own error types (reviveError) so both sides match them by class, never by name.
import { VerificationError } from '../verification.js';

/** Parent to child. */
export interface Request {
  readonly id: number;
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

/** An error as it crosses the channel. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
}

/** Child to parent: a reply to a request, or an event the child sends on its own. */
export type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError }
  | { readonly event: string; readonly value: unknown };

/** An error a child's handler raised and sent back over IPC, re-raised in the parent under its own name. */
export class RemoteError extends Error {
  override readonly name: string;
  readonly child: string;
  readonly remoteStack: string;

  constructor(child: string, name: string, message: string, stack: string) {
    super(`${child}: ${message}`);
    this.name = name;
    this.child = child;
    this.remoteStack = stack;
  }
}

/** The kit's errors that cross the channel as themselves: the same class on both sides. */
const CROSSING: Readonly<Record<string, new (message: string) => Error>> = { VerificationError };

/** The parent's error for one a child sent: one of CROSSING as itself (its stack the child's), else a RemoteError. */
export function reviveError(child: string, error: WireError): Error {
  const Known = Object.hasOwn(CROSSING, error.name) ? CROSSING[error.name] : undefined;
  if (Known === undefined) return new RemoteError(child, error.name, error.message, error.stack);
  const revived = new Known(`${child}: ${error.message}`);
  if (error.stack !== '') revived.stack = error.stack;
  return revived;
}

export type Handler = (payload: Record<string, unknown>) => unknown;

export interface ServeOptions {
  readonly handlers: Readonly<Record<string, Handler>>;
  /** Runs once when the channel closes, before the process exits (close servers, sockets). */
  readonly cleanup?: () => Promise<void> | void;
}

/** Starts answering the parent's requests. Throws when the process was not started with IPC. */
export function serve(options: ServeOptions): void {
  if (process.send === undefined) {
    throw new Error('this is a harness child process; start it through harness/processes/children.ts (it needs an IPC channel)');
  }
  process.on('message', (raw: unknown) => {
    const request = raw as Request;
    const handler = options.handlers[request.type];
    if (handler === undefined) {
      send({ id: request.id, ok: false, error: { name: 'Error', message: `no handler for ${request.type}`, stack: '' } });
      return;
    }
    Promise.resolve()
      .then(() => handler(request.payload))
      .then(
        (value) => send({ id: request.id, ok: true, value: value ?? null }),
        (error: unknown) => {
          const err = error instanceof Error ? error : new Error(String(error));
          send({ id: request.id, ok: false, error: { name: err.name, message: err.message, stack: err.stack ?? '' } });
        },
      );
  });
  process.once('disconnect', () => {
    // A cleanup that hangs must not keep the child alive: exit anyway shortly after.
    setTimeout(() => process.exit(0), 1_000).unref();
    void Promise.resolve()
      .then(() => options.cleanup?.())
      .finally(() => process.exit(0));
  });
}

export function sendEvent(event: string, value: unknown = null): void {
  send({ event, value });
}

function send(message: Reply): void {
  if (process.connected) process.send?.(message);
}

/** The payload field a handler needs, checked: the parent and child are built from the same tree. */
export function num(payload: Record<string, unknown>, key: string): number {
  const value = payload[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`payload.${key} must be a number (got ${JSON.stringify(value)})`);
  return value;
}

export function str(payload: Record<string, unknown>, key: string): string {
  const value = payload[key];
  if (typeof value !== 'string') throw new TypeError(`payload.${key} must be a string (got ${JSON.stringify(value)})`);
  return value;
}

/** `global.gc`, which every child has (--expose-gc); the memory phases need it. */
export function forceGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('gc() is not exposed; the harness starts children with --expose-gc');
  // Twice: the first pass can leave objects that only weak callbacks or finalizers free.
  gc();
  gc();
}

export interface MemorySample {
  /** heapUsed + external: `external` already includes `arrayBuffers` (Node's docs), so adding it again would count Buffers twice. */
  readonly bytes: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly rss: number;
}

export function memorySample(): MemorySample {
  forceGc();
  const usage = process.memoryUsage();
  return {
    bytes: usage.heapUsed + usage.external,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    rss: usage.rss,
  };
}
