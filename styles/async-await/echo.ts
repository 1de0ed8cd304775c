// Echo in async/await: an async function per connection (try/catch/finally, no chains), a loop
// that reads a chunk, writes it back and waits for 'drain' while the socket is full. The server
// around it is every style's (scenarios/echo/listener.ts).
// How it fails: a socket error (a reset, a broken pipe, the server's close) is thrown at the read
// or the wait for 'drain' of that connection, and its catch ends it; the server never sees it.
// Look at: readChunks, where a plain `for await` over the socket would drop a half-closed echo.
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { finished } from 'node:stream/promises';

/** Called by the listener for each accepted socket: the connection runs on its own. */
export function serveConnection(socket: Socket): void {
  void echoConnection(socket);
}

/** One connection: every chunk read is written back; no read while the writer is full. */
export async function echoConnection(socket: Socket): Promise<void> {
  try {
    for await (const chunk of readChunks(socket)) {
      const draining = writeChunk(socket, chunk); // awaited only when full: no extra turn per chunk
      if (draining !== undefined) await draining;
    }
    // The client half-closed: end our side once everything owed is written.
    await endWriting(socket);
  } catch {
    // A reset, a broken pipe or the server's close ends this connection, and only this one.
  } finally {
    socket.destroy();
  }
}

// The client's chunks; unlike `for await` over the socket itself, ending the loop leaves it open.
function readChunks(socket: Socket): AsyncIterable<Buffer> {
  return socket.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
}

/** Writes the chunk back; while the socket's write buffer is over its high-water mark, waits for 'drain'. */
function writeChunk(socket: Socket, chunk: Buffer): Promise<unknown> | undefined {
  return socket.write(chunk) ? undefined : once(socket, 'drain');
}

/** Ends our side after the queued bytes, and waits until they are all out. */
function endWriting(socket: Socket): Promise<void> {
  socket.end();
  return finished(socket);
}
