// Echo in generator coroutines: a task per connection on the kit's loop (asyncio's streams), a loop
// that reads a chunk, writes it back and waits for 'drain' while the socket is full. The server
// around it is every style's (scenarios/echo/listener.ts).
// How it fails: a socket error (a reset, a broken pipe, the server's close) is thrown at the read
// or the wait for 'drain' of that connection, and its catch ends it; the server never sees it.
// Look at: serveConnection, where a Node socket becomes a reader and a writer on the loop.
import type { Socket } from 'node:net';
import { isSocketError } from '../../scenarios/echo/contract.js';
import { CancelledError, reportFailure, wrapSocket, type Coro, type EventLoop, type StreamReader, type StreamWriter } from './loop/index.js';

/** Called by the listener for each accepted socket: the connection runs on its own. */
export function serveConnection(loop: EventLoop, socket: Socket): void {
  const [reader, writer] = wrapSocket(loop, socket);
  loop.createTask(echoConnection(reader, writer)).addDoneCallback(reportFailure);
}

/** One connection: every chunk read is written back; no read while the writer is full. */
export function* echoConnection(reader: StreamReader, writer: StreamWriter): Coro<void> {
  try {
    for (let chunk = yield* readChunk(reader); chunk.length > 0; chunk = yield* readChunk(reader)) {
      yield* writeChunk(writer, chunk);
    }
    // The client half-closed: end our side once everything owed is written.
    yield* endWriting(writer);
  } catch (error) {
    // A reset, a broken pipe or the server's close ends this connection, and only this one.
    writer.abort();
    if (error instanceof CancelledError || !isSocketError(error)) throw error;
  }
}

// Up to 64 KiB once any bytes are there, empty at the half-close; the steps return the stream's own coroutines.
function readChunk(reader: StreamReader): Coro<Buffer> {
  return reader.read(64 * 1024);
}

/** Writes the chunk back; while the socket's write buffer is over its high-water mark, waits for 'drain'. */
function writeChunk(writer: StreamWriter, chunk: Buffer): Coro<void> {
  writer.write(chunk);
  return writer.drain();
}

/** Ends our side after the queued bytes, and waits until they are all out. */
function endWriting(writer: StreamWriter): Coro<void> {
  writer.close();
  return writer.waitClosed();
}
