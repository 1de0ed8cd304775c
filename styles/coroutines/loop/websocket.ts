// A WebSocket (the `ws` package's) for coroutines, as streams.ts is a socket: `wrapWebSocket` hands
// a coroutine a MessageReader whose `receive()` waits for the next whole message. The socket's events
// only queue messages and settle a future; coroutine code runs in the loop. Sending needs no
// coroutine: `ws.send` queues and never waits. Flow control: the reader pauses the WebSocket while
// more than `limit` messages wait unread, and resumes it once they are read.
import type { RawData, WebSocket } from 'ws';
import { InvalidStateError } from './errors.js';
import { wait, type Coro, type Future } from './future.js';
import type { EventLoop } from './event-loop.js';

/** One message as ws delivered it: its bytes (fragments joined) and whether it was a binary frame. */
export interface WebSocketMessage {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/** Messages queued unread before the reader pauses the WebSocket. */
export const DEFAULT_MESSAGE_LIMIT = 64;

export class MessageReader {
  readonly limit: number;
  readonly #loop: EventLoop;
  readonly #ws: WebSocket;
  #messages: WebSocketMessage[] = [];
  #closed = false;
  #error: { readonly error: unknown } | undefined;
  #waiter: Future<void> | undefined;
  #paused = false;

  constructor(loop: EventLoop, ws: WebSocket, limit = DEFAULT_MESSAGE_LIMIT) {
    this.#loop = loop;
    this.#ws = ws;
    this.limit = limit;
  }

  // --- fed by the WebSocket's events (no coroutine code runs here) ---

  feedMessage(message: WebSocketMessage): void {
    this.#messages.push(message);
    this.#wake();
    if (!this.#paused && this.#messages.length > this.limit) {
      this.#paused = true;
      this.#ws.pause();
    }
  }

  feedClose(): void {
    this.#closed = true;
    this.#wake();
  }

  setException(error: unknown): void {
    this.#error ??= { error };
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined && !waiter.done() && !this.#loop.isClosed()) waiter.setException(error);
  }

  // --- read by coroutines ---

  /** The next message; null once the WebSocket has closed and every message was read; its error is thrown here, after the messages before it. */
  *receive(): Coro<WebSocketMessage | null> {
    for (;;) {
      const message = this.#messages.shift();
      if (message !== undefined) {
        if (this.#paused && this.#messages.length <= this.limit / 2) {
          this.#paused = false;
          this.#ws.resume();
        }
        return message;
      }
      // What arrived before a failure is delivered first, as it was before the close.
      if (this.#error !== undefined) throw this.#error.error;
      if (this.#closed) return null;
      yield* wait(this.#messageArrives());
    }
  }

  #messageArrives(): Future<void> {
    if (this.#waiter !== undefined && !this.#waiter.done()) {
      throw new InvalidStateError('receive(): another coroutine is already waiting for a message on this WebSocket');
    }
    this.#waiter = this.#loop.createFuture<void>();
    return this.#waiter;
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined && !waiter.done() && !this.#loop.isClosed()) waiter.setResult(undefined);
  }
}

const READER = Symbol('rosetta.websocket');
type WiredWebSocket = WebSocket & { [READER]: { readonly loop: EventLoop; readonly reader: MessageReader } };

/**
 * Binds a WebSocket's events to a reader, at once (its 'error' is listened for from here on). The
 * listeners are shared by every WebSocket and find the reader under a symbol, as streams.ts does.
 */
export function wrapWebSocket(loop: EventLoop, ws: WebSocket, limit?: number): MessageReader {
  const reader = new MessageReader(loop, ws, limit);
  (ws as WiredWebSocket)[READER] = { loop, reader };
  ws.on('message', onMessage).on('error', onError).on('close', onClose);
  return reader;
}

// After the loop is closed nothing may be scheduled: a late event has nobody left to tell.

// ws calls a listener with `this` = the WebSocket; `data` is one Buffer (binaryType 'nodebuffer', its default).
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const { loop, reader } = (this as WiredWebSocket)[READER];
  if (!loop.isClosed()) reader.feedMessage({ data: data as Buffer, isBinary });
}

function onError(this: WebSocket, error: Error): void {
  const { loop, reader } = (this as WiredWebSocket)[READER];
  if (!loop.isClosed()) reader.setException(error);
}

function onClose(this: WebSocket): void {
  const { loop, reader } = (this as WiredWebSocket)[READER];
  if (!loop.isClosed()) reader.feedClose();
}
