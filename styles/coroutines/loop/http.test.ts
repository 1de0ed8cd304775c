// The HTTP bridge against a real node:http server on loopback: the raw response, the raw socket
// error, the raw timeout, and cancellation (of the future, or of the task waiting on it) aborting
// the request, which the server sees. Every server, client and loop is closed, and checked.
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient, type RawResponse } from '../../../scenarios/repos-and-forks/http.js';
import { EventLoop } from './event-loop.js';
import { wait, type Coro } from './future.js';
import { get } from './http.js';
import { settled } from '../index.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const created = http.createServer(handler);
  created.listen(0, '127.0.0.1');
  await once(created, 'listening');
  cleanups.push(async () => {
    created.closeAllConnections();
    await new Promise<void>((resolve) => created.close(() => resolve()));
    expect(created.listening).toBe(false);
  });
  return { url: `http://127.0.0.1:${(created.address() as AddressInfo).port}`, server: created };
}

function setup(timeoutMs = 5_000): { loop: EventLoop; client: HttpClient } {
  const loop = new EventLoop({ debug: false });
  loop.runForever();
  const client = createHttpClient({ timeoutMs });
  cleanups.push(() => {
    client.close();
    expect(client.inFlight).toBe(0);
    loop.stop();
    loop.close();
  });
  return { loop, client };
}

describe('get', () => {
  it('settles with the raw response, whatever its status', async () => {
    const { url } = await server((request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `no ${request.url}` }));
    });
    const { loop, client } = setup();
    function* coro(): Coro<RawResponse> {
      return yield* wait(get(client, `${url}/users/nobody`));
    }
    const response = await settled(loop.createTask(coro()));
    expect(response).toMatchObject({ status: 404, url: `${url}/users/nobody`, body: '{"message":"no /users/nobody"}' });
    expect(response.headers['content-type']).toBe('application/json');
  });

  it('settles with the raw socket error when the connection is cut', async () => {
    const { url } = await server((request) => request.socket.destroy());
    const { loop, client } = setup();
    await expect(settled(get(client, url, loop))).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('settles with the raw ETIMEDOUT when the server stays silent', async () => {
    const { url } = await server(() => undefined);
    const { loop, client } = setup(50);
    await expect(settled(get(client, url, loop))).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('aborts the request when the future is cancelled, and the server sees it go', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    let gone!: (url: string) => void;
    const requestGone = new Promise<string>((resolve) => (gone = resolve));
    const { url } = await server((request, response) => {
      arrived();
      response.on('close', () => gone(String(request.url)));
    });
    const { loop, client } = setup();
    const future = get(client, `${url}/slow`, loop);
    await requestArrived;
    expect(client.inFlight).toBe(1);
    future.cancel();
    await expect(settled(future)).rejects.toThrow('cancelled');
    expect(client.inFlight).toBe(0);
    expect(await requestGone).toBe('/slow');
  });

  it('aborts the request when the task waiting on it is cancelled', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const { url } = await server(() => arrived());
    const { loop, client } = setup();
    const log: string[] = [];
    function* coro(): Coro<void> {
      try {
        yield* wait(get(client, url));
      } finally {
        log.push('finally');
      }
    }
    const task = loop.createTask(coro());
    await requestArrived;
    task.cancel();
    await expect(settled(task)).rejects.toThrow('cancelled');
    expect(log).toEqual(['finally']);
    expect(client.inFlight).toBe(0);
  });
});
