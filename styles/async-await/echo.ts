// Echo in the async-await style: each connection is one async function, a `for await` loop over the
// socket's chunks that writes each back and awaits 'drain' when the socket is full; try/catch/finally
// instead of chains. How it fails: a socket error is thrown out of the loop into that connection's
// catch, which ends it; the server never sees it.
import { once, setMaxListeners } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { finished } from 'node:stream/promises';
import type { EchoServerHandle, EchoServerOptions } from '../../scenarios/echo/contract.js';
import { ECHO_SERVER_OPTIONS } from '../../scenarios/echo/server-options.js';

export async function startEchoServer(options: EchoServerOptions): Promise<EchoServerHandle> {
  const sockets = new Set<net.Socket>();
  // Aborted by close(): wakes every connection that waits for 'drain' on a socket close() destroyed
  // (a destroyed socket never drains, and `once` only listens for 'drain' and 'error').
  const closing = new AbortController();
  setMaxListeners(Infinity, closing.signal); // one listener per connection waiting for 'drain'
  const server = net.createServer(ECHO_SERVER_OPTIONS, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    void echoConnection(socket, closing.signal);
  });

  server.listen(options.port, options.host);
  await once(server, 'listening'); // throws the listen error (EADDRINUSE, EACCES, ...)
  // Once listening, only accept() errors arrive here (EMFILE when libuv could not shed the
  // connection itself); the listener stays open, so surviving them means ignoring them.
  server.on('error', () => undefined);
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= closeServer(server, sockets, closing));
  return { host: options.host, port, connections: () => sockets.size, close };
}

/** Stops accepting, destroys every connection, resolves once the listener and all of them are closed. */
async function closeServer(server: net.Server, sockets: ReadonlySet<net.Socket>, closing: AbortController): Promise<void> {
  // The server's 'close' can come before its destroyed sockets' own 'close' events (their
  // handles close a loop turn later), so wait for every one of them too.
  const closed = [server, ...sockets].map(closeEvent);
  server.close();
  closing.abort();
  for (const socket of sockets) socket.destroy();
  await Promise.all(closed);
}

/** 'close', whatever errors come first (`once` would reject on an 'error' and stop waiting). */
function closeEvent(emitter: net.Server | net.Socket): Promise<void> {
  return new Promise<void>((resolve) => emitter.once('close', () => resolve()));
}

/** The read loop: write back every chunk; at end of input, end our side and wait until it is out. */
async function echoConnection(socket: net.Socket, closing: AbortSignal): Promise<void> {
  try {
    // Plain `for await (const chunk of socket)` destroys the socket when the loop ends, with an
    // AbortError, dropping echo still queued behind a half-close; this iterator leaves it open.
    for await (const chunk of socket.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      if (!socket.write(chunk)) await once(socket, 'drain', { signal: closing });
    }
    socket.end();
    await finished(socket); // also keeps an 'error' listener on the socket until it is done
  } catch {
    // A reset, a broken pipe or close(): this connection ends, nothing else does.
  } finally {
    socket.destroy();
  }
}
