// Echo with a thread per connection: the runtime's accept loop hands every socket to a new thread,
// which runs `echoConnection`, a plain loop of blocking reads and writes, as in C or Python. The
// listener around it is the runtime's, which owns the sockets on the main thread. Backpressure is
// the blocking itself: while `writeChunk` waits for the socket to take the bytes, the thread does
// not read, and the runtime reads nothing more from that socket until it does.
// How it fails: a socket error (a reset, a broken pipe, the server's close) is thrown at that
// connection's read or write, ends its thread, and nothing else.
// Look at: the cost, not the code: every connection holds a whole Node worker (runtime/README.md).
import { isSocketError } from '../../scenarios/echo/contract.js';
import { closeConnection, recv, sendAll, shutdown, task, type Connection } from './runtime/index.js';

/** What the runtime runs for each accepted socket: `echoConnection` on a thread of its own. */
export const serveConnection = task(import.meta.url, echoConnection);

/** One connection: every chunk read is written back; no read while the writer is full. */
export function echoConnection(connection: Connection): void {
  try {
    for (let chunk = readChunk(connection); chunk.length > 0; chunk = readChunk(connection)) {
      writeChunk(connection, chunk);
    }
    // The client half-closed: end our side once everything owed is written.
    endWriting(connection);
  } catch (error) {
    // A reset, a broken pipe or the server's close ends this connection, and only this one.
    if (!isSocketError(error)) throw error;
  } finally {
    closeConnection(connection);
  }
}

/** Blocks until bytes arrive; empty at the half-close. */
function readChunk(connection: Connection): Buffer {
  return recv(connection);
}

/** Writes the chunk back, blocking until the socket has taken all of it. */
function writeChunk(connection: Connection, chunk: Buffer): void {
  sendAll(connection, chunk);
}

/** Ends our side after the queued bytes, blocking until they are all out. */
function endWriting(connection: Connection): void {
  shutdown(connection);
}
