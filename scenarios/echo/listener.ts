// The echo server's lifecycle, once for every style and the baseline: listen, count the open
// connections, survive accept errors, close. It holds no per-connection control flow: each accepted
// socket goes to the style's `serveConnection`, which reads, writes, half-closes and fails it in the
// style's idiom. The measuring stick of the echo scenario, as http.ts is the workflow's.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { EchoServerHandle, EchoServerOptions } from './contract.js';
import { ECHO_SERVER_OPTIONS } from './server-options.js';

/** A style's one entry point: called once per accepted socket, it owns the socket from then on. */
export type ServeConnection = (socket: net.Socket) => void;

/**
 * What close() destroys every open connection with. Each style's connection then fails as on a
 * reset (an 'error', then 'close'), so a wait that only 'drain' or 'error' ends is woken too.
 */
export class EchoServerClosedError extends Error {
  override readonly name = 'EchoServerClosedError';
  readonly code = 'ERR_ECHO_SERVER_CLOSED';
}

/** Listens on `options` (127.0.0.1, any free port by default) and hands every connection to `serveConnection`. */
export function startEchoListener(options: EchoServerOptions, serveConnection: ServeConnection): Promise<EchoServerHandle> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(ECHO_SERVER_OPTIONS, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket)); // counted until its handle is released
    serveConnection(socket);
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= closeServer(server, sockets));
  return listen(server, options).then((port) => ({ host: options.host, port, connections: () => sockets.size, close }));
}

/**
 * Resolves with the bound port; rejects with the listen error (EADDRINUSE, EACCES, ...) and leaves
 * nothing open. Once listening, only accept() errors arrive (EMFILE when libuv could not shed the
 * connection itself, SPEC.md): the listener stays open, so surviving them means ignoring them.
 */
export function listen(server: net.Server, options: EchoServerOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, destroys every connection, resolves once the listener and all of them are closed. */
function closeServer(server: net.Server, sockets: ReadonlySet<net.Socket>): Promise<void> {
  // The server's 'close' can come before its destroyed sockets' own 'close' events (their handles
  // close a loop turn later), so wait for every one of them too.
  const closed = [server, ...sockets].map(closeEvent);
  server.close();
  const error = new EchoServerClosedError('the echo server was closed');
  for (const socket of sockets) socket.destroy(error);
  return Promise.all(closed).then(() => undefined);
}

/** 'close', whatever errors come first. */
function closeEvent(emitter: net.Server | net.Socket): Promise<void> {
  return new Promise<void>((resolve) => emitter.once('close', () => resolve()));
}
