// The echo-server unit tests every stream-style echo shares (rxjs, fp-ts, effect): bytes, half-close,
// a client reset, close() and a port in use, on real loopback sockets. Each style's own test file
// calls this once and adds its own backpressure test, which reaches into the style's connection code.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { once } from 'node:events';
import { expect, it, vi } from 'vitest';
import type { EchoServerHandle, EchoServerOptions } from '../../scenarios/echo/contract.js';

const HOST = '127.0.0.1';

/** Connects, sends `payload`, half-closes, and resolves with everything echoed before the server's end. */
async function echo(port: number, payload: Buffer): Promise<Buffer> {
  const client = net.connect({ host: HOST, port, allowHalfOpen: true });
  const chunks: Buffer[] = [];
  client.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(client, 'connect');
  client.end(payload);
  await once(client, 'end');
  client.destroy();
  return Buffer.concat(chunks);
}

/** Registers the shared tests inside the caller's `describe`. */
export function sharedEchoServerTests(style: { startEchoServer(options: EchoServerOptions): Promise<EchoServerHandle> }): void {
  it('echoes every byte in order, binary-safe, on concurrent connections, and ends after the half-close', async () => {
    const server = await style.startEchoServer({ host: HOST, port: 0 });
    try {
      const payloads = [randomBytes(1 << 20), Buffer.alloc(0), Buffer.from([0, 255, 0, 10, 13]), randomBytes(70_000)];
      const echoed = await Promise.all(payloads.map((payload) => echo(server.port, payload)));
      echoed.forEach((bytes, index) => expect(bytes.equals(payloads[index]!)).toBe(true));
      await vi.waitFor(() => expect(server.connections()).toBe(0));
    } finally {
      await server.close();
    }
  });

  it('a client reset closes only that connection', async () => {
    const server = await style.startEchoServer({ host: HOST, port: 0 });
    try {
      const doomed = net.connect({ host: HOST, port: server.port });
      await once(doomed, 'connect');
      doomed.write('half a message');
      await vi.waitFor(() => expect(server.connections()).toBe(1));
      doomed.resetAndDestroy();
      await vi.waitFor(() => expect(server.connections()).toBe(0));
      const payload = randomBytes(10_000);
      expect((await echo(server.port, payload)).equals(payload)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('close() ends the open connections, resolves once the listener is closed, and may be called twice', async () => {
    const server = await style.startEchoServer({ host: HOST, port: 0 });
    const idle = net.connect({ host: HOST, port: server.port });
    idle.on('error', () => undefined); // the server may reset it: either way it must close
    await once(idle, 'connect');
    await vi.waitFor(() => expect(server.connections()).toBe(1));
    const closed = once(idle, 'close');
    await Promise.all([server.close(), server.close()]);
    await closed;
    expect(server.connections()).toBe(0);
    const refused = net.connect({ host: HOST, port: server.port });
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('a port in use is an error, not a crash', async () => {
    const server = await style.startEchoServer({ host: HOST, port: 0 });
    try {
      await expect(style.startEchoServer({ host: HOST, port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await server.close();
    }
  });
}
