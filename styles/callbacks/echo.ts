// Echo in the callback style: Node's event API and closures over the socket, no Promise anywhere.
// Backpressure is by hand: `write` returning false pauses the reader, 'drain' resumes it. The server
// around it is every style's (scenarios/echo/listener.ts).
// How it fails: a socket error (a reset, a broken pipe, the server's close) destroys that connection;
// its 'error' listener keeps it from being thrown, and the server never sees it.
// Look at: readChunks, the three events a connection lives on, and nothing that waits.
import type { Socket } from 'node:net';

/** Called by the listener for each accepted socket: the connection runs on its own. */
export function serveConnection(socket: Socket): void {
  // Without a listener the 'error' event would be thrown and take the whole server down.
  socket.on('error', () => undefined);
  echoConnection(socket);
}

/** One connection: every chunk read is written back; no read while the writer is full. */
export function echoConnection(socket: Socket): void {
  readChunks(
    socket,
    (chunk) => writeChunk(socket, chunk),
    // The client half-closed: end our side once everything owed is written.
    () => endWriting(socket),
  );
}

/** Hands each chunk to `onChunk` as it arrives and calls `onEnd` at the half-close; 'drain' resumes a paused reader. */
function readChunks(socket: Socket, onChunk: (chunk: Buffer) => void, onEnd: () => void): void {
  socket.on('data', onChunk).on('end', onEnd);
  socket.on('drain', () => socket.resume());
}

/** Writes the chunk back; while the socket's write buffer is over its high-water mark, the reader is paused. */
function writeChunk(socket: Socket, chunk: Buffer): void {
  if (!socket.write(chunk)) socket.pause();
}

/** Ends our side after the queued bytes (allowHalfOpen kept it open until now). */
function endWriting(socket: Socket): void {
  socket.end();
}
