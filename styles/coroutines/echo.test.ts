// What the echo conformance suite does not look at in the coroutine style: a client reset ends its
// connection's task quietly (nothing reaches the loop's exception handler), and a half-close is
// answered in full before the server's FIN. Real loopback sockets throughout.
import net from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { EchoServerHandle } from '../../scenarios/echo/contract.js';
import { startEchoListener } from '../../scenarios/echo/listener.js';
import { EventLoop, type ExceptionContext } from './loop/index.js';
import { serveConnection } from './echo.js';

const loops: EventLoop[] = [];
afterEach(() => {
  for (const loop of loops.splice(0)) loop.close();
});

async function start(): Promise<{ server: EchoServerHandle; reports: ExceptionContext[] }> {
  const reports: ExceptionContext[] = [];
  const loop = new EventLoop({ debug: false, exceptionHandler: (_loop, context) => reports.push(context) });
  loops.push(loop);
  loop.runForever();
  const server = await startEchoListener({ host: '127.0.0.1', port: 0 }, (socket) => serveConnection(loop, socket));
  return { server, reports };
}

function readToEnd(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return once(socket, 'end').then(() => Buffer.concat(chunks));
}

async function close(server: EchoServerHandle): Promise<void> {
  await server.close();
  expect(server.connections()).toBe(0);
}

describe('coroutines echo', () => {
  it('answers a half-close in full, then sends its own FIN', async () => {
    const { server, reports } = await start();
    const payload = randomBytes(2 * 1024 * 1024);
    const client = net.connect({ host: '127.0.0.1', port: server.port, allowHalfOpen: true });
    const echoed = readToEnd(client);
    client.end(payload);
    expect((await echoed).equals(payload)).toBe(true);
    client.destroy();
    await close(server);
    expect(reports).toEqual([]);
  });

  it('ends a reset connection’s task quietly while another connection keeps echoing', async () => {
    const { server, reports } = await start();
    const bystander = net.connect({ host: '127.0.0.1', port: server.port });
    await once(bystander, 'connect');
    const victim = net.connect({ host: '127.0.0.1', port: server.port });
    victim.on('error', () => undefined);
    const echoing = once(victim, 'data');
    victim.write(randomBytes(8 * 1024 * 1024));
    await echoing;
    victim.resetAndDestroy();
    await once(victim, 'close');
    while (server.connections() > 1) await new Promise((resolve) => setImmediate(resolve));
    const payload = randomBytes(64 * 1024);
    const back: Buffer[] = [];
    let length = 0;
    bystander.on('data', (chunk: Buffer) => {
      back.push(chunk);
      length += chunk.length;
    });
    bystander.write(payload);
    while (length < payload.length) await once(bystander, 'data');
    expect(Buffer.concat(back).equals(payload)).toBe(true);
    bystander.destroy();
    await close(server);
    expect(reports).toEqual([]);
  });
});
