// Streams over node:net for coroutines, after asyncio's streams: `openConnection` (and, in
// server.ts, `startServer`) hand a coroutine a StreamReader (read, readExactly, readUntil, readLine)
// and a StreamWriter (write, drain, close, waitClosed). Socket events only fill buffers and settle
// futures; coroutine code runs in the loop. Flow control both ways: the reader pauses the socket when its buffer passes
// twice its limit, and `drain()` waits while the socket's write buffer is over its high-water mark.
import net from 'node:net';
import { ConnectionResetError, IncompleteReadError, InvalidStateError, LimitOverrunError } from './errors.js';
import { wait, type Coro, type Future } from './future.js';
import { getRunningLoop, type EventLoop } from './event-loop.js';

/** asyncio's default: the reader buffers up to twice this before pausing the socket. */
export const DEFAULT_LIMIT = 64 * 1024;

const EMPTY = Buffer.alloc(0);

export interface StreamOptions {
  /** Reader buffer limit in bytes (also the longest line `readLine` accepts). */
  readonly limit?: number;
}

export class StreamReader {
  readonly limit: number;
  readonly #loop: EventLoop;
  readonly #socket: net.Socket | undefined;
  #chunks: Buffer[] = [];
  #size = 0;
  #eof = false;
  #error: { readonly error: unknown } | undefined;
  #waiter: Future<void> | undefined;
  #paused = false;

  /** `socket` is paused and resumed for flow control; a reader without one is fed by hand. */
  constructor(loop: EventLoop, socket?: net.Socket, options: StreamOptions = {}) {
    this.#loop = loop;
    this.#socket = socket;
    this.limit = options.limit ?? DEFAULT_LIMIT;
    if (!(this.limit > 0)) throw new RangeError(`Expected \`limit\` to be a number of bytes above 0, got ${this.limit}`);
  }

  /** Bytes buffered and not read yet. */
  get buffered(): number {
    return this.#size;
  }

  /** True once EOF was seen and every buffered byte was read. */
  atEof(): boolean {
    return this.#eof && this.#size === 0;
  }

  // --- fed by the socket's events (no coroutine code runs here) ---

  feedData(chunk: Buffer): void {
    if (this.#eof) throw new InvalidStateError('feedData() after feedEof()');
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    this.#wakeWaiter();
    if (this.#socket !== undefined && !this.#paused && this.#size > 2 * this.limit) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  feedEof(): void {
    this.#eof = true;
    this.#wakeWaiter();
  }

  setException(error: unknown): void {
    this.#error = { error };
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined && !waiter.done() && !this.#loop.isClosed()) waiter.setException(error);
  }

  // --- read by coroutines ---

  /** Up to `n` bytes as soon as any are there; all bytes until EOF for `n < 0`; empty at EOF. */
  *read(n = -1): Coro<Buffer> {
    this.#throwIfFailed();
    if (n === 0) return EMPTY;
    if (n < 0) {
      while (!this.#eof) yield* wait(this.#dataArrives('read'));
      return this.#take(this.#size);
    }
    if (this.#size === 0 && !this.#eof) yield* wait(this.#dataArrives('read'));
    return this.#take(Math.min(n, this.#size));
  }

  /** Exactly `n` bytes; EOF first is an `IncompleteReadError` carrying what did arrive. */
  *readExactly(n: number): Coro<Buffer> {
    if (!(n >= 0)) throw new RangeError(`readExactly: expected \`n\` to be a byte count from 0 and up, got ${n}`);
    this.#throwIfFailed();
    while (this.#size < n) {
      if (this.#eof) throw new IncompleteReadError(this.#take(this.#size), n);
      yield* wait(this.#dataArrives('readExactly'));
    }
    return this.#take(n);
  }

  /**
   * Bytes up to and including `separator`. EOF first is an `IncompleteReadError` with the rest; no
   * separator within `limit` bytes is a `LimitOverrunError`, and the data stays buffered.
   */
  *readUntil(separator: string | Buffer = '\n'): Coro<Buffer> {
    const needle = typeof separator === 'string' ? Buffer.from(separator) : separator;
    if (needle.length === 0) throw new RangeError('readUntil: the separator must not be empty');
    this.#throwIfFailed();
    let searched = 0;
    for (;;) {
      const data = this.#flatten();
      const found = data.indexOf(needle, searched);
      if (found >= 0) {
        const end = found + needle.length;
        if (end > this.limit) throw new LimitOverrunError(this.limit, end);
        return this.#take(end);
      }
      if (this.#size > this.limit) throw new LimitOverrunError(this.limit, this.#size);
      if (this.#eof) throw new IncompleteReadError(this.#take(this.#size), undefined);
      searched = Math.max(0, this.#size - needle.length + 1);
      yield* wait(this.#dataArrives('readUntil'));
    }
  }

  /** One line with its `\n`; at EOF the unterminated rest, then empty. A line over the limit is dropped and reported. */
  *readLine(): Coro<Buffer> {
    try {
      return yield* this.readUntil('\n');
    } catch (error) {
      if (error instanceof IncompleteReadError) return error.partial;
      if (error instanceof LimitOverrunError) {
        // Like asyncio: drop the oversized line (or everything buffered) so the next read starts clean.
        const data = this.#flatten();
        const newline = data.indexOf(0x0a);
        this.#take(newline >= 0 ? newline + 1 : this.#size);
      }
      throw error;
    }
  }

  /**
   * The future the socket's events settle when data, EOF or an error arrives, for `yield* wait(...)`.
   * A plain function, not a coroutine: one generator less per suspended reader. A waiter that is
   * done (settled, or cancelled with its task) no longer counts as waiting.
   */
  #dataArrives(method: string): Future<void> {
    if (this.#waiter !== undefined && !this.#waiter.done()) {
      throw new InvalidStateError(`${method}(): another coroutine is already waiting for incoming data on this stream`);
    }
    this.#resumeSocket();
    this.#waiter = this.#loop.createFuture<void>();
    return this.#waiter;
  }

  #wakeWaiter(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined && !waiter.done() && !this.#loop.isClosed()) waiter.setResult(undefined);
  }

  #throwIfFailed(): void {
    if (this.#error !== undefined) throw this.#error.error;
  }

  #flatten(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#size)];
    return this.#chunks[0] ?? EMPTY;
  }

  /** Removes the first `n` buffered bytes (n <= size), copying only when they span chunks. */
  #take(n: number): Buffer {
    if (n === 0) return EMPTY;
    let out: Buffer;
    const first = this.#chunks[0];
    if (first !== undefined && first.length === n) {
      this.#chunks.shift();
      out = first;
    } else if (first !== undefined && first.length > n) {
      out = first.subarray(0, n);
      this.#chunks[0] = first.subarray(n);
    } else {
      const data = this.#flatten();
      out = data.subarray(0, n);
      this.#chunks = data.length > n ? [data.subarray(n)] : [];
    }
    this.#size -= n;
    if (this.#paused && this.#size <= this.limit) this.#resumeSocket();
    return out;
  }

  #resumeSocket(): void {
    if (!this.#paused || this.#socket === undefined) return;
    this.#paused = false;
    this.#socket.resume();
  }
}

export class StreamWriter {
  readonly #loop: EventLoop;
  readonly #socket: net.Socket;
  readonly #closed: Future<void>;
  #drainWaiters: Future<void>[] = [];
  #lost: { readonly error: unknown } | undefined;

  constructor(loop: EventLoop, socket: net.Socket) {
    this.#loop = loop;
    this.#socket = socket;
    this.#closed = loop.createFuture<void>();
  }

  /** The Node socket underneath, for its addresses; reading or writing it directly bypasses flow control. */
  get socket(): net.Socket {
    return this.#socket;
  }

  /** Queues bytes; never waits. Follow with `yield* drain()`. Writes after close are dropped, as asyncio drops them. */
  write(data: Buffer | string): void {
    if (this.isClosing()) return;
    this.#socket.write(data);
  }

  /** Half-closes: sends FIN after the queued bytes; reading goes on. */
  writeEof(): void {
    if (!this.isClosing()) this.#socket.end();
  }

  /** Returns at once unless the socket's write buffer is over its high-water mark; then waits for it to drain. */
  *drain(): Coro<void> {
    if (this.#lost !== undefined) throw this.#lostError();
    if (!this.#socket.writableNeedDrain) return;
    const waiter = this.#loop.createFuture<void>();
    this.#drainWaiters.push(waiter);
    try {
      yield* wait(waiter);
    } finally {
      this.#drainWaiters = this.#drainWaiters.filter((other) => other !== waiter);
    }
  }

  /** Closes after the queued bytes are written (asyncio's transport.close). */
  close(): void {
    if (!this.#socket.destroyed) this.#socket.destroySoon();
  }

  /** Closes at once, dropping queued bytes (asyncio's transport.abort). */
  abort(): void {
    this.#socket.destroy();
  }

  isClosing(): boolean {
    return this.#socket.destroyed || this.#socket.writableEnded;
  }

  /** Waits until the socket is fully closed. Its error, if any, was already raised by a read or drain. */
  *waitClosed(): Coro<void> {
    yield* wait(this.#closed);
  }

  // --- fed by the socket's events ---

  drained(): void {
    for (const waiter of this.#drainWaiters) if (!waiter.done()) waiter.setResult(undefined);
  }

  /** The socket failed (`error`) or closed (`undefined`): nothing more will drain. */
  connectionLost(error: unknown): void {
    this.#lost ??= { error };
    for (const waiter of this.#drainWaiters) if (!waiter.done()) waiter.setException(this.#lostError());
  }

  socketClosed(): void {
    this.connectionLost(undefined);
    if (!this.#closed.done()) this.#closed.setResult(undefined);
  }

  #lostError(): Error {
    const error = this.#lost?.error;
    return new ConnectionResetError('connection lost', error === undefined ? undefined : { cause: error });
  }
}

export type Streams = readonly [StreamReader, StreamWriter];

/** What a wrapped socket carries for its listeners. */
interface Wiring {
  readonly loop: EventLoop;
  readonly reader: StreamReader;
  readonly writer: StreamWriter;
}

const WIRING = Symbol('rosetta.streams');
type WiredSocket = net.Socket & { [WIRING]: Wiring };

/**
 * Binds a connected socket's events to a reader and a writer. Events only settle futures.
 * The listeners are shared by every socket, not five closures per connection: Node calls a listener
 * with `this` set to the socket, which carries its streams under a symbol (the `ws` library wires its
 * sockets the same way, and for the same reason: memory per connection).
 */
export function wrapSocket(loop: EventLoop, socket: net.Socket, options: StreamOptions = {}): Streams {
  const reader = new StreamReader(loop, socket, options);
  const writer = new StreamWriter(loop, socket);
  (socket as WiredSocket)[WIRING] = { loop, reader, writer };
  socket.on('data', onData).on('end', onEnd).on('drain', onDrain).on('error', onError).on('close', onClose);
  return [reader, writer];
}

// After the loop is closed nothing may be scheduled: a late socket event has nobody left to tell.

function onData(this: WiredSocket, chunk: Buffer): void {
  const { loop, reader } = this[WIRING];
  if (!loop.isClosed()) reader.feedData(chunk);
}

function onEnd(this: WiredSocket): void {
  const { loop, reader } = this[WIRING];
  if (!loop.isClosed()) reader.feedEof();
}

function onDrain(this: WiredSocket): void {
  const { loop, writer } = this[WIRING];
  if (!loop.isClosed()) writer.drained();
}

function onError(this: WiredSocket, error: Error): void {
  const { loop, reader, writer } = this[WIRING];
  if (loop.isClosed()) return;
  reader.setException(error);
  writer.connectionLost(error);
}

function onClose(this: WiredSocket): void {
  const { loop, reader, writer } = this[WIRING];
  if (loop.isClosed()) return;
  reader.feedEof();
  writer.socketClosed();
}

/** Connects to `host:port`; a refused or failed connection throws the socket's error here. */
export function* openConnection(host: string, port: number, options: StreamOptions = {}): Coro<Streams> {
  const loop = getRunningLoop();
  const socket = net.connect({ host, port, allowHalfOpen: true });
  const connected = loop.createFuture<Streams>();
  const onError = (error: Error): void => {
    if (!connected.done() && !loop.isClosed()) connected.setException(error);
  };
  socket.once('error', onError);
  socket.once('connect', () => {
    socket.off('error', onError);
    // Wire at once, inside the event: no byte, error or close can slip between connect and the streams.
    const streams = wrapSocket(loop, socket, options);
    if (!connected.done() && !loop.isClosed()) connected.setResult(streams);
  });
  try {
    return yield* wait(connected);
  } catch (error) {
    socket.destroy();
    throw error;
  }
}
