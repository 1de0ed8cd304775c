// A fast wrong answer does not count: the load child refuses a server whose echo differs from what
// was sent, and `measure` records it as a `verification` failure. Needs the build (dist/).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Progress } from '../progress.js';
import { spawnChild } from '../processes/children.js';
import { liveChildren } from '../processes/watch.js';
import { Collector } from '../results.js';
import { measure, planConfig, type PhaseContext } from './common.js';

const servers: net.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  expect(liveChildren()).toEqual([]);
});

/** An echo server that gets one byte wrong in every chunk after the first 100 bytes. */
async function wrongEchoServer(): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    let seen = 0;
    socket.on('data', (chunk: Buffer) => {
      const copy = Buffer.from(chunk);
      if (seen + copy.length > 100) copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0xff;
      seen += copy.length;
      socket.write(copy);
    });
    socket.on('end', () => socket.end());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('echo verification', () => {
  it('records a server that echoes wrong bytes as a verification failure', async () => {
    const port = await wrongEchoServer();
    const collector = new Collector();
    const context: PhaseContext = {
      config: planConfig({ scenarios: ['echo'], styles: [], quick: true, out: '/nonexistent' }),
      collector,
      progress: new Progress({ stream: { write: () => true } as unknown as NodeJS.WritableStream, tty: false }),
      signal: new AbortController().signal,
      cpus: undefined,
    };
    const ok = await measure(context, 'echo.throughput style=wrong', async (track) => {
      const load = track(spawnChild({ entry: 'echo-load', label: 'echo-load[wrong]', deadlineMs: 15_000 }));
      // 64 bytes come back right; 1 KiB does not.
      await load.request('verify', { port, sizes: [64, 1024] }, 10_000);
    });
    expect(ok).toBe(false);
    expect(collector.failures).toHaveLength(1);
    expect(collector.failures[0]?.reason).toBe('verification');
    expect(collector.failures[0]?.message).toMatch(/echo of a 1024-byte payload came back as 1024 bytes, first difference at byte \d+/);
    expect(collector.samples).toEqual([]);
  });
});
