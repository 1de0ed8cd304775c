// Echo in generator coroutines on the kit's loop: one task per connection, a loop of
// `yield* reader.read()`, `writer.write()` and `yield* writer.drain()`, asyncio's streams in
// TypeScript. Backpressure is the drain after every write: while the socket is full the task does not
// read, and the reader pauses the socket once its own buffer is full. How it fails: a socket error is
// thrown at the read or drain of that connection's task, which closes it; the server never sees it.
import type { EchoServerOptions } from '../../scenarios/echo/contract.js';
import { ECHO_SERVER_OPTIONS } from '../../scenarios/echo/server-options.js';
import { CancelledError, startServer, type Coro, type StreamReader, type StreamWriter } from './loop/index.js';

/** What the style hands its adapter: the contract's handle, with a coroutine for `close`. */
export interface CoroutineEchoServer {
  readonly host: string;
  readonly port: number;
  /** Connections open right now. */
  connections(): number;
  /** Stops accepting, closes every open connection, and returns once the listener and all of them are closed. */
  close(): Coro<void>;
}

const CHUNK = 64 * 1024;

export function* startEchoServer(options: EchoServerOptions): Coro<CoroutineEchoServer> {
  const server = yield* startServer(echoConnection, { host: options.host, port: options.port, net: ECHO_SERVER_OPTIONS });
  const { port } = server.address();
  return {
    host: options.host,
    port,
    connections: () => server.connections,
    *close() {
      server.close();
      // A client that sends and never reads would keep a graceful close waiting forever.
      server.abortClients();
      yield* server.waitClosed();
    },
  };
}

/** One connection: every chunk read is written back; no read while the writer is full. */
export function* echoConnection(reader: StreamReader, writer: StreamWriter): Coro<void> {
  try {
    for (let chunk = yield* reader.read(CHUNK); chunk.length > 0; chunk = yield* reader.read(CHUNK)) {
      writer.write(chunk);
      yield* writer.drain();
    }
    // The client half-closed: close our side once everything owed is written.
    writer.close();
  } catch (error) {
    // A reset or a broken pipe ends this connection, and only this one.
    writer.abort();
    if (error instanceof CancelledError || !isSocketError(error)) throw error;
  }
  yield* writer.waitClosed();
}

/** Errors of the socket (ECONNRESET, EPIPE, ...) carry a `code`; a bug in this file would not. */
function isSocketError(error: unknown): boolean {
  return typeof (error as { code?: unknown } | null)?.code === 'string';
}
