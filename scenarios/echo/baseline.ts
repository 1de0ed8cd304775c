// The reference row, not a style: the plainest echo Node can do (`socket.on('data')` + `write`,
// `pause()` when the write buffer is full, `resume()` on 'drain'). Every echo figure is read as a
// ratio to it: a reference, not a floor (SPEC.md, "The baseline"). The lifecycle is every style's (listener.ts).
import type net from 'node:net';
import { DEFAULT_ECHO_OPTIONS } from './contract.js';
import type { EchoServerHandle, EchoServerOptions } from './contract.js';
import { startEchoListener } from './listener.js';

export function startBaselineEchoServer(options: EchoServerOptions = DEFAULT_ECHO_OPTIONS): Promise<EchoServerHandle> {
  return startEchoListener(options, serveConnection);
}

function serveConnection(socket: net.Socket): void {
  // A reset or broken pipe destroys this socket; 'close' follows. The listener only keeps the
  // error from being thrown as an unhandled 'error' event, which would end the process.
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    if (!socket.write(chunk)) socket.pause();
  });
  socket.on('drain', () => socket.resume());
  // allowHalfOpen: our side stays open after the client's FIN until what we owe it is written.
  socket.on('end', () => socket.end());
}
