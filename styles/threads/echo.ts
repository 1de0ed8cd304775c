// Echo with a thread per connection: the accept loop hands every socket to a new thread, which runs
// `echoConnection`, a plain loop of blocking `recv` and `sendAll`, as in C or Python. Backpressure
// is the blocking itself: while `sendAll` waits for the socket to take the bytes, the thread does not
// `recv`, and the runtime reads nothing more from that socket until it does. How it fails: a reset
// or a broken pipe is thrown at that connection's recv or sendAll, ends its thread, and nothing else.
// Look at: the cost, not the code: every connection holds a whole Node worker (README, runtime).
import type { EchoServerOptions } from '../../scenarios/echo/contract.js';
import { ECHO_SERVER_OPTIONS } from '../../scenarios/echo/server-options.js';
import { closeConnection, recv, sendAll, serveThreadPerConnection, shutdown, task, type Connection, type ServerStart } from './runtime/index.js';

// The accept loop is the runtime's: the main thread owns the listening socket and cannot block on
// accept(), so this hands it the function each connection's thread runs; the adapter waits for
// `started` (listening, or the listen error).
export function startEchoServer(options: EchoServerOptions): ServerStart {
  return serveThreadPerConnection(options, ECHO_SERVER_OPTIONS, ECHO_CONNECTION);
}

/** One connection, on its own thread: every chunk read is written back before the next read. */
export function echoConnection(connection: Connection): void {
  try {
    for (let chunk = recv(connection); chunk.length > 0; chunk = recv(connection)) {
      sendAll(connection, chunk);
    }
    // The client half-closed: end our side once everything owed is written.
    shutdown(connection);
  } catch (error) {
    // A reset or a broken pipe ends this connection, and only this one.
    if (!isSocketError(error)) throw error;
  } finally {
    closeConnection(connection);
  }
}

const ECHO_CONNECTION = task(import.meta.url, echoConnection);

/** Errors of the socket (ECONNRESET, EPIPE, ...) carry a `code`; a bug in this file would not. */
function isSocketError(error: unknown): boolean {
  return typeof (error as { code?: unknown } | null)?.code === 'string';
}
