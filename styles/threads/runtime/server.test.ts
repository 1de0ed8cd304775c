// Thread per connection: the cap sheds what it cannot start, and close() joins even a thread that
// never blocks again (terminated after the grace period).
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serveThreadPerConnection } from './server.js';
import { echoOnceThenSpin } from './test-tasks.js';
import { task } from './task.js';
import { DEFAULT_THREAD_CAP, liveThreads, threadCap } from './thread.js';

const SPIN = task(new URL('./test-tasks.ts', import.meta.url).href, echoOnceThenSpin);
const saved = process.env.ROSETTA_THREADS_MAX;

afterEach(() => {
  if (saved === undefined) delete process.env.ROSETTA_THREADS_MAX;
  else process.env.ROSETTA_THREADS_MAX = saved;
});

async function roundTrip(port: number): Promise<{ socket: net.Socket; echoed: string }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write('ping');
  const ended = once(socket, 'close').then(() => '');
  const data = once(socket, 'data').then(([chunk]) => String(chunk));
  return { socket, echoed: await Promise.race([data, ended]) };
}

describe('serveThreadPerConnection', () => {
  it('sheds a connection past the thread cap, and close() terminates a thread that never blocks', async () => {
    process.env.ROSETTA_THREADS_MAX = '1';
    const server = await serveThreadPerConnection({ host: '127.0.0.1', port: 0 }, { allowHalfOpen: true }, SPIN).started;
    const first = await roundTrip(server.port);
    expect(first.echoed).toBe('ping');
    const second = await roundTrip(server.port);
    expect(second.echoed, 'the second connection is closed unanswered').toBe('');
    expect(server.refused()).toBe(1);
    expect(server.connections()).toBe(1);
    expect(liveThreads()).toBe(1);
    await server.close();
    expect(server.connections()).toBe(0);
    expect(liveThreads()).toBe(0);
    first.socket.destroy();
    second.socket.destroy();
  });

  it('caps live threads at ROSETTA_THREADS_MAX, 256 when it is unset or not a positive whole number', () => {
    delete process.env.ROSETTA_THREADS_MAX;
    expect(threadCap()).toBe(DEFAULT_THREAD_CAP);
    expect(DEFAULT_THREAD_CAP).toBe(256);
    for (const bad of ['0', '-3', '2.5', 'many']) {
      process.env.ROSETTA_THREADS_MAX = bad;
      expect(threadCap()).toBe(256);
    }
    process.env.ROSETTA_THREADS_MAX = '1000';
    expect(threadCap()).toBe(1000);
  });

  it('fails the start with the listen error', async () => {
    const taken = await serveThreadPerConnection({ host: '127.0.0.1', port: 0 }, {}, SPIN).started;
    await expect(serveThreadPerConnection({ host: '127.0.0.1', port: taken.port }, {}, SPIN).started).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await taken.close();
  });
});
