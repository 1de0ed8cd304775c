// The reference launcher: every available reference started, echoing, counted and stopped.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  availableReferences, heldConnections, REFERENCE_SERVERS, residentBytes,
  startReferenceServer, ReferenceStartError,
} from './references.js';

const { available, missing } = await availableReferences();
const temporary = mkdtempSync(path.join(os.tmpdir(), 'rosetta-references-'));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

/** Connects, sends `payload`, half-closes and resolves with everything echoed before the server's end. */
async function echo(port: number, payload: Buffer): Promise<Buffer> {
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'connect');
  socket.end(payload);
  await once(socket, 'end');
  socket.destroy();
  return Buffer.concat(chunks);
}

describe('availableReferences', () => {
  it('sorts every reference into available or missing, with a reason, once a process', async () => {
    expect([...available, ...missing.map((entry) => entry.id)].sort()).toEqual([...REFERENCE_SERVERS].sort());
    for (const entry of missing) expect(entry.why).toMatch(/^needs /);
    expect(await availableReferences()).toEqual({ available, missing });
  });
});

describe('startReferenceServer', () => {
  for (const id of REFERENCE_SERVERS) {
    const why = missing.find((entry) => entry.id === id)?.why;
    if (why !== undefined) {
      it.skip(`${id}: not available here (${why})`, () => undefined);
      continue;
    }
    it(`${id}: prints its port, echoes, is counted and read from /proc, and exits 0 on stop()`, async () => {
      const server = await startReferenceServer(id);
      try {
        expect(server.port).toBeGreaterThan(0);
        expect(residentBytes(server.pid)).toBeGreaterThan(0);
        const idle = net.connect({ host: '127.0.0.1', port: server.port });
        await once(idle, 'connect');
        await expect.poll(() => heldConnections(server.pid, server.port)).toBe(1);
        const payload = randomBytes(300_000);
        expect((await echo(server.port, payload)).equals(payload)).toBe(true);
        // Its CPU readings, answered on stdin: cumulative, on the monotonic clock this process reads too.
        const [a, b] = [await server.cpu(), await server.cpu()];
        expect(b.user + b.system).toBeGreaterThanOrEqual(a.user + a.system);
        expect(a.user + a.system).toBeGreaterThan(0);
        expect(b.t).toBeGreaterThan(a.t);
        expect(Math.abs(a.t - Number(process.hrtime.bigint()) / 1e6)).toBeLessThan(5_000);
        idle.destroy();
        await expect.poll(() => heldConnections(server.pid, server.port)).toBe(0);
      } finally {
        expect((await server.stop()).code).toBe(0);
      }
      const refused = net.connect({ host: '127.0.0.1', port: server.port });
      const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
      expect(error.code).toBe('ECONNREFUSED');
    });

    it(`${id}: a port in use is a ReferenceStartError with code EADDRINUSE`, async () => {
      const server = await startReferenceServer(id);
      const second = startReferenceServer(id, { port: server.port });
      try {
        await expect(second).rejects.toMatchObject({ name: 'ReferenceStartError', code: 'EADDRINUSE' });
      } finally {
        // Should it have started after all, it must not outlive the test.
        await Promise.all([server.stop(), second.then((started) => started.stop(), () => undefined)]);
      }
    });
  }

  it.skipIf(available.includes('uvloop') || !available.includes('asyncio'))('uvloop asked for but not installed: exit 3 and a one-line reason', async () => {
    const error = await startReferenceServer('uvloop').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReferenceStartError);
    expect((error as Error).message).toMatch(/exit 3.*uvloop cannot be imported/s);
  });

  it('refuses an unknown id and a port out of range, naming what is accepted', async () => {
    await expect(startReferenceServer('node' as never)).rejects.toThrow(/unknown reference server 'node'; accepted: c-epoll, asyncio, asyncio-streams, uvloop/);
    await expect(startReferenceServer('asyncio', { port: 70_000 })).rejects.toThrow(/port 70000: accepted are integers 0-65535/);
  });
});
