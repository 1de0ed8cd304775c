// The fp-ts echo server on real loopback sockets: bytes, half-close, resets, close, and backpressure
// measured on the server's own socket (it never writes while a write is waiting for 'drain').
import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { serveConnection } from './echo.js';
import { style } from './index.js';
import { sharedEchoServerTests } from '../../test/support/echo-server-tests.js';

const HOST = '127.0.0.1';

describe('fp-ts echo server', () => {
  sharedEchoServerTests(style);

  it('honours backpressure: no write while one waits for drain, and the server stops reading from a client that stops reading', async () => {
    const payload = randomBytes(32 << 20);
    let writing = false; // true from a write that returned false until the next 'drain'
    let writesWhileBlocked = 0;
    let maxBuffered = 0;
    const open = new Set<net.Socket>();
    let serverSide: net.Socket | undefined;
    const listener = net.createServer({ allowHalfOpen: true }, (socket) => {
      serverSide = socket;
      socket.on('drain', () => (writing = false)); // registered before the style's own listener
      const write = (chunk: Buffer): boolean => net.Socket.prototype.write.call(socket, chunk);
      socket.write = (chunk: Buffer): boolean => {
        if (writing) writesWhileBlocked += 1;
        const accepted = write(chunk);
        maxBuffered = Math.max(maxBuffered, socket.writableLength);
        if (!accepted) writing = true;
        return accepted;
      };
      open.add(socket);
      serveConnection(socket);
    });
    listener.listen(0, HOST);
    await once(listener, 'listening');
    const client = net.connect({ host: HOST, port: (listener.address() as AddressInfo).port, allowHalfOpen: true });
    try {
      await once(client, 'connect');
      client.pause(); // a client that does not read
      client.end(payload);
      await vi.waitFor(() => expect(writing).toBe(true), { timeout: 10_000 });
      // Pull model: nothing reads the socket while the write waits, so its read buffer stays small.
      expect(serverSide!.readableLength).toBeLessThan(256 * 1024);
      expect(serverSide!.bytesRead).toBeLessThan(payload.length);

      const chunks: Buffer[] = [];
      client.on('data', (chunk: Buffer) => chunks.push(chunk));
      client.resume();
      await once(client, 'end');
      expect(Buffer.concat(chunks).equals(payload)).toBe(true);
      expect(writesWhileBlocked).toBe(0);
      // What the server holds is bounded by the high-water mark plus one read, not by the payload.
      expect(maxBuffered).toBeLessThan(256 * 1024);
    } finally {
      client.destroy();
      for (const socket of open) socket.destroy();
      listener.close();
      await once(listener, 'close');
    }
  });
});
