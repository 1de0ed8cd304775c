// The reference row, not a style: the plainest echo Node can do (`socket.on('data')` + `write`,
// `pause()` when the write buffer is full, `resume()` on 'drain'). Every echo figure is read as a
// ratio to it: a reference, not a floor (SPEC.md, "The baseline"). Same handle shape as the promise styles.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ECHO_OPTIONS } from './contract.js';
import type { EchoServerHandle, EchoServerOptions } from './contract.js';
import { ECHO_SERVER_OPTIONS } from './server-options.js';

export function startBaselineEchoServer(options: EchoServerOptions = DEFAULT_ECHO_OPTIONS): Promise<EchoServerHandle> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(ECHO_SERVER_OPTIONS, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset or broken pipe destroys this socket; 'close' follows. The listener only keeps the
    // error from being thrown as an unhandled 'error' event, which would end the process.
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      if (!socket.write(chunk)) socket.pause();
    });
    socket.on('drain', () => socket.resume());
    // allowHalfOpen: our side stays open after the client's FIN until what we owe it is written.
    socket.on('end', () => socket.end());
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= closeAll());
  function closeAll(): Promise<void> {
    // The server's 'close' can come before its destroyed sockets' own 'close' events (their
    // handles close a loop turn later), so wait for every one of them too.
    const closed = [server, ...sockets].map((emitter) => new Promise<void>((resolve) => emitter.once('close', () => resolve())));
    server.close();
    for (const socket of sockets) socket.destroy();
    return Promise.all(closed).then(() => undefined);
  }

  return new Promise<EchoServerHandle>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      // Once listening, only accept() errors arrive here (EMFILE when libuv could not shed the
      // connection itself); the listener stays open, so surviving them means ignoring them.
      server.on('error', () => undefined);
      const { port } = server.address() as AddressInfo;
      resolve({ host: options.host, port, connections: () => sockets.size, close });
    });
  });
}
