// Tests of the harness's load session (session.ts): the open loop keeps its rate and measures latency
// from the due time, the closed loop saturates, windows count exactly what completed between two
// instants, a server that corrupts or stalls is caught, and closing leaves nothing open. Loopback only;
// short windows: these tests check what is counted, not how fast.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBaselineEchoServer } from './baseline.js';
import { monotonicMs } from '../clock.js';
import { percentiles } from './records.js';
import { CONNECT_BATCH, LoadSession } from './session.js';
import { openResources } from '../../test/support/resources.js';

const HOST = '127.0.0.1';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function baselinePort(): Promise<number> {
  const server = await startBaselineEchoServer({ host: HOST, port: 0 });
  closers.push(() => server.close());
  return server.port;
}

/**
 * An echo server that holds every byte for `delayMs` before echoing it: a slow, but correct, server.
 * `held` counts the chunks it holds, and the most it held at once.
 */
async function delayedEchoPort(delayMs: number, held = { now: 0, most: 0 }): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      held.most = Math.max(held.most, ++held.now);
      setTimeout(() => {
        held.now--;
        if (!socket.destroyed) socket.write(chunk);
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  closers.push(async () => {
    const closed = [server, ...sockets].map((emitter) => new Promise<void>((resolve) => emitter.once('close', () => resolve())));
    server.close();
    for (const socket of sockets) socket.destroy();
    await Promise.all(closed);
  });
  return (server.address() as AddressInfo).port;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('LoadSession', () => {
  it('runs a closed loop for a number of round trips, then leaves nothing outstanding', async () => {
    const session = await LoadSession.open({ host: HOST, port: await baselinePort(), connections: 3, size: 256 });
    const from = monotonicMs();
    const requests = await session.roundTrips(500);
    // At least the count asked for; at most one more in flight on each connection when it was reached.
    expect(requests).toBeGreaterThanOrEqual(500);
    expect(requests).toBeLessThanOrEqual(503);
    expect(session.window(from, monotonicMs()).requests).toBe(requests);
    // Idle afterwards: nothing more completes.
    await sleep(50);
    expect(session.window(from, monotonicMs()).requests).toBe(requests);
    expect(session.drive.mode).toBe('idle');
    await expect(session.roundTrips(0)).rejects.toThrow(/whole number above 0/);
    expect(session.errors + session.verifyFailures).toBe(0);
    await session.close();
  });

  it('keeps an open loop at its offered rate and counts exactly the round trips of a window', async () => {
    const before = await openResources();
    const session = await LoadSession.open({ host: HOST, port: await baselinePort(), connections: 4, size: 512 });
    session.setDrive({ mode: 'open', rate: 2000 });
    await sleep(100);
    const from = monotonicMs();
    await sleep(400);
    const to = monotonicMs();
    await sleep(50);
    const window = session.window(from, to);
    // 2,000/s for 0.4 s: about 800, within a few for the edges and the timer's jitter.
    expect(window.requests).toBeGreaterThan(760);
    expect(window.requests).toBeLessThan(840);
    expect(window.rps).toBeCloseTo(window.requests / ((to - from) / 1000), 6);
    expect(window.skipped).toBe(0);
    // A window is exact: two halves add up to the whole.
    const mid = (from + to) / 2;
    expect(session.window(from, mid).requests + session.window(mid, to).requests).toBe(window.requests);
    // Disjoint spans taken as one window: their round trips add up, the rate is over their own length.
    const q1 = from + (to - from) / 4;
    const q3 = from + (3 * (to - from)) / 4;
    const spans = session.spans([
      [from, q1],
      [mid, q3],
    ]);
    expect(spans.requests).toBe(session.window(from, q1).requests + session.window(mid, q3).requests);
    expect(spans.rps).toBeCloseTo(spans.requests / ((q1 - from + (q3 - mid)) / 1000), 6);
    expect([spans.from, spans.to]).toEqual([from, q3]);
    expect(() => session.spans([[mid, q3], [from, q1]])).toThrow(/time order/);
    expect(() => session.spans([])).toThrow(/at least one span/);
    expect(session.errors + session.verifyFailures).toBe(0);
    await session.close();
    await closers.splice(0)[0]?.();
    const after = await openResources();
    expect(after.handles).toEqual(before.handles);
  });

  it('measures open-loop latency from the due time, never below the time from the send', async () => {
    // 1 connection at 200/s against a server that answers after 20 ms: the open loop does not wait
    // for an echo before the next send, so each message's latency is the server's 20 ms.
    const session = await LoadSession.open({ host: HOST, port: await delayedEchoPort(20), connections: 1, size: 64 });
    session.setDrive({ mode: 'open', rate: 200 });
    await sleep(100);
    const from = monotonicMs();
    await sleep(300);
    const to = monotonicMs();
    await sleep(50);
    const window = session.window(from, to);
    expect(window.requests).toBeGreaterThan(50);
    expect(window.latencyUs.p50).toBeGreaterThan(19_000);
    expect(window.latencyUs.p50).toBeLessThan(40_000);
    expect(window.latencyUs.p50).toBeGreaterThanOrEqual(window.sentLatencyUs.p50);
    await session.close();
  });

  it('drives a closed loop: one message outstanding per connection, sent again on each echo', async () => {
    const session = await LoadSession.open({ host: HOST, port: await delayedEchoPort(5), connections: 2, size: 32 });
    session.setDrive({ mode: 'closed' });
    const from = monotonicMs();
    await sleep(300);
    const to = monotonicMs();
    const window = session.window(from, to);
    // Each connection completes at most one round trip per ~5 ms: about 2 x 60 in 0.3 s.
    expect(window.requests).toBeGreaterThan(40);
    expect(window.requests).toBeLessThan(130);
    await session.close();
  });

  it('catches a server that corrupts a byte, and counts it as a verify failure', async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      let first = true;
      socket.on('data', (chunk: Buffer) => {
        // The first echo (which proves the connection) is honest; later ones are corrupted.
        const copy = Buffer.from(chunk);
        if (!first) copy[0] = (copy[0] ?? 0) ^ 0xff;
        first = false;
        socket.write(copy);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    closers.push(async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    });
    const session = await LoadSession.open({ host: HOST, port: (server.address() as AddressInfo).port, connections: 1, size: 16 });
    session.setDrive({ mode: 'closed' });
    await sleep(100);
    expect(session.verifyFailures).toBe(1);
    await session.close();
  });

  it('refuses a rate that is not above 0 and a window that ends before it starts', async () => {
    const session = await LoadSession.open({ host: HOST, port: await baselinePort(), connections: 1, size: 8 });
    expect(() => session.setDrive({ mode: 'open', rate: 0 })).toThrow(/rate above 0/);
    expect(() => session.window(10, 10)).toThrow(/to > from/);
    await session.close();
  });

  it('opens connections a batch at a time: no more than a batch wait for their first echo at once', async () => {
    // A server that echoes 20 ms late (a thread-per-connection server starting its threads) and
    // counts the first echoes it holds at once: the session must not pile them up.
    const held = { now: 0, most: 0 };
    const session = await LoadSession.open({ host: HOST, port: await delayedEchoPort(20, held), connections: 35, size: 64 });
    expect(held.most).toBeGreaterThan(1);
    expect(held.most).toBeLessThanOrEqual(CONNECT_BATCH);
    // Ten at most: the batch that kept a hundred threads from starting at once on one core.
    expect(held.most).toBeLessThanOrEqual(10);
    await session.close();
  });

  it('rejects, naming host and port, when the connections cannot be made', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect(LoadSession.open({ host: HOST, port, connections: 2, size: 8 })).rejects.toThrow(new RegExp(`2 of 2 connections to 127\\.0\\.0\\.1:${port} failed`));
  });
});

describe('percentiles', () => {
  it('takes the nearest rank of the sorted values, and zeros for an empty window', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => 1000 - i);
    expect(percentiles(values)).toEqual({ p50: 500, p90: 900, p99: 990, p999: 999, max: 1000 });
    expect(percentiles(new Float32Array(0))).toEqual({ p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  });
});
