// Echo in promise chains: each connection is a read loop written as a recursive `.then` chain over
// promise-returning steps, no async/await; the next read starts only when `writeChunk` has resolved,
// which waits for 'drain' while the socket is full. The server around it is every style's
// (scenarios/echo/listener.ts).
// How it fails: a socket error (a reset, a broken pipe, the server's close) rejects that
// connection's chain, and its `.catch` ends it; the server never sees it.
// Look at: echoConnection's `step`, which returns nothing so that no chain grows with the chunks.
import type { Socket } from 'node:net';

/** Called by the listener for each accepted socket: the connection runs on its own. */
export function serveConnection(socket: Socket): void {
  echoConnection(socket)
    .finally(() => socket.destroy())
    // A reset, a broken pipe or the server's close ends this connection, and only this one.
    .catch(() => undefined);
}

/** One connection: every chunk read is written back; no read while the writer is full. */
export function echoConnection(socket: Socket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // Had `step` returned the next round's promise, every promise would wait on the next one and a
    // long-lived connection would hold a chain as long as its number of chunks.
    const step = (): void => {
      readChunk(socket)
        // The client half-closed (null): end our side once everything owed is written.
        .then((chunk) => (chunk === null ? endWriting(socket) : writeChunk(socket, chunk)))
        .then(() => (socket.writableEnded ? resolve() : step()))
        .catch(reject);
    };
    step();
  });
}

/** The next chunk, or null at the half-close. */
function readChunk(socket: Socket): Promise<Buffer | null> {
  const chunk = socket.read() as Buffer | null;
  if (chunk !== null) return Promise.resolve(chunk);
  if (socket.readableEnded) return Promise.resolve(null);
  // At end of input the stream says 'end' instead of 'readable'.
  return socketEvent(socket, ['readable', 'end']).then(() => readChunk(socket));
}

/** Writes the chunk back; while the socket's write buffer is over its high-water mark, waits for 'drain'. */
function writeChunk(socket: Socket, chunk: Buffer): Promise<void> {
  if (socket.write(chunk)) return Promise.resolve();
  return socketEvent(socket, ['drain']);
}

/** Ends our side after the queued bytes, and waits until they are all out. */
function endWriting(socket: Socket): Promise<void> {
  socket.end();
  return socketEvent(socket, ['finish']);
}

/** Resolves on the first of `events`; rejects on 'error', or on 'close' (the socket was destroyed). */
function socketEvent(socket: Socket, events: readonly string[]): Promise<void> {
  if (socket.destroyed) return Promise.reject(new Error('connection closed'));
  return new Promise<void>((resolve, reject) => {
    const onEvent = (): void => {
      stopListening();
      resolve();
    };
    const onError = (error: Error): void => {
      stopListening();
      reject(error);
    };
    const onClose = (): void => {
      stopListening();
      reject(new Error('connection closed'));
    };
    const stopListening = (): void => {
      for (const event of events) socket.off(event, onEvent);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    for (const event of events) socket.on(event, onEvent);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}
