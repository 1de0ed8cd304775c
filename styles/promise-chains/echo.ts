// Echo in the promise-chains style: each connection is a read loop written as a recursive `.then`
// chain over two small promise-returning steps, `readChunk` and `writeChunk`; no async/await.
// Backpressure falls out of the chain: the next read starts only when `writeChunk` has resolved,
// which waits for 'drain' when the socket is full. How it fails: a socket error rejects that
// connection's chain, whose `.catch` ends it; the server never sees it.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { EchoServerHandle, EchoServerOptions } from '../../scenarios/echo/contract.js';
import { ECHO_SERVER_OPTIONS } from '../../scenarios/echo/server-options.js';

export function startEchoServer(options: EchoServerOptions): Promise<EchoServerHandle> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(ECHO_SERVER_OPTIONS, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    echoConnection(socket)
      .finally(() => socket.destroy())
      // A reset, a broken pipe or close() ends this connection only.
      .catch(() => undefined);
  });

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= closeServer(server, sockets));

  return listen(server, options).then((port) => ({
    host: options.host,
    port,
    connections: () => sockets.size,
    close,
  }));
}

/** Resolves with the bound port; rejects with the listen error (EADDRINUSE, EACCES, ...). */
function listen(server: net.Server, options: EchoServerOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      // Once listening, only accept() errors arrive here (EMFILE when libuv could not shed the
      // connection itself); the listener stays open, so surviving them means ignoring them.
      server.on('error', () => undefined);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, destroys every connection, resolves once the listener and all of them are closed. */
function closeServer(server: net.Server, sockets: ReadonlySet<net.Socket>): Promise<void> {
  // The server's 'close' can come before its destroyed sockets' own 'close' events (their
  // handles close a loop turn later), so wait for every one of them too.
  const closed = [server, ...sockets].map(closeEvent);
  server.close();
  for (const socket of sockets) socket.destroy();
  return Promise.all(closed).then(() => undefined);
}

/** 'close', whatever errors come first. */
function closeEvent(emitter: net.Server | net.Socket): Promise<void> {
  return new Promise<void>((resolve) => emitter.once('close', () => resolve()));
}

/** The read loop: read a chunk, write it back, repeat; at end of input, end our side. */
function echoConnection(socket: net.Socket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // `step` starts the next round and returns nothing, so each round's chain ends with it. Had it
    // returned the next round's promise, every promise would wait on the next one and a long-lived
    // connection would hold a chain as long as its number of chunks.
    const step = (): void => {
      readChunk(socket)
        .then((chunk) => (chunk === null ? endWriting(socket) : writeChunk(socket, chunk)))
        .then(() => (socket.writableEnded ? resolve() : step()))
        .catch(reject);
    };
    step();
  });
}

/** The next chunk, or null at end of input (the client half-closed). */
function readChunk(socket: net.Socket): Promise<Buffer | null> {
  const chunk = socket.read() as Buffer | null;
  if (chunk !== null) return Promise.resolve(chunk);
  if (socket.readableEnded) return Promise.resolve(null);
  // At end of input the stream says 'end' instead of 'readable'.
  return socketEvent(socket, ['readable', 'end']).then(() => readChunk(socket));
}

/** Resolves at once when the socket took the data under its high-water mark, else on 'drain'. */
function writeChunk(socket: net.Socket, data: Buffer): Promise<void> {
  if (socket.write(data)) return Promise.resolve();
  return socketEvent(socket, ['drain']);
}

/** Ends our side after the queued bytes; resolves when they are all handed to the kernel. */
function endWriting(socket: net.Socket): Promise<void> {
  socket.end();
  return socketEvent(socket, ['finish']);
}

/** Resolves on the first of `events`; rejects on 'error', or on 'close' (the server was closed). */
function socketEvent(socket: net.Socket, events: readonly string[]): Promise<void> {
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
