// Echo in the callback style: Node's event API, closures over the socket, error-first callbacks for
// the server's lifecycle, and no Promise anywhere. Backpressure is by hand: `write` returning false
// pauses the reader, 'drain' resumes it. How it fails: a socket error ends that connection only;
// a listen error reaches the start callback; after that nothing is thrown.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { EchoServerOptions } from '../../scenarios/echo/contract.js';
import { ECHO_SERVER_OPTIONS } from '../../scenarios/echo/server-options.js';

export interface CallbackEchoServer {
  readonly host: string;
  readonly port: number;
  /** Connections open right now. */
  connections(): number;
  /** Stops accepting, destroys every open connection, calls back once the listener is closed. */
  close(callback: (error?: Error) => void): void;
}

export function startEchoServer(
  options: EchoServerOptions,
  callback: (error: Error | null, server?: CallbackEchoServer) => void,
): void {
  const sockets = new Set<net.Socket>();
  let state: 'listening' | 'closing' | 'closed' = 'listening';
  let listenerClosed = false;
  const closeCallbacks: ((error?: Error) => void)[] = [];

  const server = net.createServer(ECHO_SERVER_OPTIONS, (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      closeIfDone();
    });
    echoConnection(socket);
  });
  server.on('close', () => {
    listenerClosed = true;
    closeIfDone();
  });

  function onListenError(error: Error): void {
    callback(error);
  }

  function onListening(): void {
    server.off('error', onListenError);
    // Once listening, only accept() errors arrive here (EMFILE when libuv could not shed the
    // connection itself); the listener stays open, so surviving them means ignoring them.
    server.on('error', () => undefined);
    const { port } = server.address() as AddressInfo;
    callback(null, { host: options.host, port, connections: () => sockets.size, close });
  }

  function close(done: (error?: Error) => void): void {
    if (state === 'closed') {
      process.nextTick(done);
      return;
    }
    closeCallbacks.push(done);
    if (state === 'closing') return;
    state = 'closing';
    server.close();
    for (const socket of sockets) socket.destroy();
  }

  // Closed means the listener and every connection: the server's 'close' can come before its
  // destroyed sockets' own 'close' events (their handles close a loop turn later).
  function closeIfDone(): void {
    if (state !== 'closing' || !listenerClosed || sockets.size > 0) return;
    state = 'closed';
    for (const done of closeCallbacks.splice(0)) done();
  }

  server.once('error', onListenError);
  server.listen(options.port, options.host, onListening);
}

/** One connection: every chunk read is written back; the reader waits while the writer is full. */
function echoConnection(socket: net.Socket): void {
  socket.on('data', (chunk: Buffer) => {
    if (!socket.write(chunk)) socket.pause();
  });
  socket.on('drain', () => socket.resume());
  // The client half-closed: end our side after the bytes still queued (allowHalfOpen).
  socket.on('end', () => socket.end());
  // A reset or broken pipe has already destroyed the socket and 'close' follows; without a
  // listener the 'error' event would be thrown and take the whole server down.
  socket.on('error', () => undefined);
}
