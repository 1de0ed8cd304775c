// Tests of `rosetta echo-load`'s window over a load session (load.ts) and the message pattern
// (pattern.ts): what it counts against a correct server, in a closed and an open loop, that it catches
// servers that corrupt, reorder or replay, and that it always ends by itself with every socket closed.
// All servers here listen on 127.0.0.1.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBaselineEchoServer } from './baseline.js';
import type { EchoServerHandle } from './contract.js';
import { runLoad } from './load.js';
import type { LoadOptions } from './load.js';
import { EchoPattern } from './pattern.js';
import { EchoLoadConnectError } from './session.js';
import { openResources, type OpenResources } from '../../test/support/resources.js';

const HOST = '127.0.0.1';
/** Short windows: these tests check what is counted, not how fast. */
const QUICK = { durationMs: 300, warmupMs: 100 } as const;

/** Servers a test started; each is closed after it, and must end up holding no connection. */
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function expectNothingLeft(before: OpenResources): Promise<void> {
  const after = await openResources();
  expect(after.handles).toEqual(before.handles);
  expect(after.timers).toBeLessThanOrEqual(before.timers);
}

async function baseline(): Promise<EchoServerHandle> {
  const server = await startBaselineEchoServer({ host: HOST, port: 0 });
  servers.push(server);
  return server;
}

/**
 * A deliberately broken echo server: it frames the stream into messages of `size` bytes and
 * answers each with `reply(message, index)` (per connection), so a test can make it misbehave;
 * `onAccept` sees each connection first.
 */
async function brokenServer(
  size: number,
  reply: (message: Buffer, index: number, socket: net.Socket) => Buffer | null,
  onAccept: (socket: net.Socket) => void = () => undefined,
): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    onAccept(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    let index = 0;
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= size && !socket.destroyed) {
        const answer = reply(pending.subarray(0, size), index++, socket);
        pending = pending.subarray(size);
        if (answer !== null) socket.write(answer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  servers.push({
    close: () => {
      // Closed means the listener and every socket (their 'close' can come after the server's).
      const closed = [server, ...sockets].map((emitter) => new Promise<void>((resolve) => emitter.once('close', () => resolve())));
      server.close();
      for (const socket of sockets) socket.destroy();
      return Promise.all(closed).then(() => undefined);
    },
  });
  return (server.address() as AddressInfo).port;
}

describe('runLoad against a correct server', () => {
  it('counts round trips, bytes and latency over the window, and closes every socket', async () => {
    const server = await baseline();
    const before = await openResources();
    const options: LoadOptions = { host: HOST, port: server.port, connections: 4, size: 1000, ...QUICK };
    const started = performance.now();
    const result = await runLoad(options);
    const elapsed = performance.now() - started;

    expect(result.errors).toBe(0);
    expect(result.verifyFailures).toBe(0);
    expect(result.requests).toBeGreaterThan(0);
    expect(result.bytes).toBe(result.requests * options.size);
    expect(result.durationMs).toBeGreaterThanOrEqual(options.durationMs - 1);
    expect(elapsed).toBeGreaterThanOrEqual(options.warmupMs + options.durationMs - 1);
    expect(result.rps).toBeCloseTo(result.requests / (result.durationMs / 1000), 6);
    expect(result.mibps).toBeCloseTo(result.bytes / 1024 / 1024 / (result.durationMs / 1000), 6);
    const { p50, p90, p99, p999, max } = result.latencyUs;
    expect(p50).toBeGreaterThan(0);
    expect([p50, p90, p99, p999, max]).toEqual([p50, p90, p99, p999, max].sort((a, b) => a - b));
    // No round trip counted in the window can have taken longer than the whole run.
    expect(max).toBeLessThanOrEqual(elapsed * 1000);
    expect(result.clientCpu.userUs + result.clientCpu.systemUs).toBeGreaterThan(0);
    expect(result.clientCpu.share).toBeCloseTo((result.clientCpu.userUs + result.clientCpu.systemUs) / (result.durationMs * 1000), 6);

    await waitFor(() => server.connections() === 0);
    await expectNothingLeft(before);
  });

  it('holds 1000 connections on loopback, opened in batches', async () => {
    const server = await baseline();
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, server.connections())), 5);
    try {
      const result = await runLoad({ host: HOST, port: server.port, connections: 1000, size: 64, ...QUICK });
      expect(result.errors).toBe(0);
      expect(result.verifyFailures).toBe(0);
      expect(result.requests).toBeGreaterThanOrEqual(1000);
    } finally {
      clearInterval(watch);
    }
    expect(peak).toBe(1000);
    await waitFor(() => server.connections() === 0);
  });

  it('with a rate, runs an open loop at that rate and measures latency from the due time', async () => {
    const server = await baseline();
    const before = await openResources();
    const result = await runLoad({ host: HOST, port: server.port, connections: 2, size: 128, rate: 1000, ...QUICK });
    // 1,000/s for 0.3 s: about 300, within a few for the edges and the timer's jitter.
    expect(result.requests).toBeGreaterThan(270);
    expect(result.requests).toBeLessThan(330);
    expect(result.skipped).toBe(0);
    expect(result.errors + result.verifyFailures).toBe(0);
    expect(result.latencyUs.p50).toBeGreaterThanOrEqual(result.sentLatencyUs.p50);
    await waitFor(() => server.connections() === 0);
    await expectNothingLeft(before);
  });
});

describe('runLoad against a broken server', () => {
  const size = 256;
  it.each([
    ['corrupts one byte of the third message', (message: Buffer, index: number) => (index === 2 ? flipLastByte(message) : message)],
    ['reorders the two halves of the third message', (message: Buffer, index: number) => (index === 2 ? swapHalves(message) : message)],
    ['replays the previous message instead of the third', replayPrevious()],
  ])('counts a verify failure when the server %s', async (_title, reply) => {
    const port = await brokenServer(size, reply);
    const result = await runLoad({ host: HOST, port, connections: 2, size, ...QUICK });
    // Each connection fails verification on its third message and is closed; nothing else fails.
    expect(result.verifyFailures).toBe(2);
    expect(result.errors).toBe(0);
  });

  it('counts connections the server resets instead of throwing, and stops when none is left', async () => {
    const port = await brokenServer(size, (message, index, socket) => {
      if (index < 3) return message;
      socket.resetAndDestroy();
      return null;
    });
    const options = { host: HOST, port, connections: 3, size, durationMs: 20_000, warmupMs: 0 };
    const result = await runLoad(options);
    expect(result.errors).toBe(3);
    expect(result.verifyFailures).toBe(0);
    // Message 0 is each connection's opening echo (not counted), 1 and 2 are, 3 is reset.
    expect(result.requests).toBe(6);
    // Every connection gone: the window ended early instead of idling for 20 s.
    expect(result.durationMs).toBeLessThan(options.durationMs);
  });

  it('measures nothing when only some connections open, and says how many failed', async () => {
    // Every third connection is closed as soon as it is accepted: the server is there, but failing.
    let accepted = 0;
    const port = await brokenServer(size, (message) => message, (socket) => {
      if (++accepted % 3 === 0) socket.destroy();
    });
    const before = await openResources();
    const error = await runLoad({ host: HOST, port, connections: 3, size, ...QUICK }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EchoLoadConnectError);
    expect(error).toMatchObject({ opened: 2, failed: 1, connections: 3 });
    expect((error as Error).message).toContain(`1 of 3 connections to ${HOST}:${port} failed`);
    await expectNothingLeft(before);
  });

  it('rejects with EchoLoadConnectError naming host:port when no connection can be made', async () => {
    const port = await freePort();
    const before = await openResources();
    const error = await runLoad({ host: HOST, port, connections: 3, size: 10, ...QUICK }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EchoLoadConnectError);
    expect((error as EchoLoadConnectError).message).toContain(`${HOST}:${port}`);
    expect((error as EchoLoadConnectError).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect((error as EchoLoadConnectError).port).toBe(port);
    expect((error as EchoLoadConnectError).opened).toBe(0);
    await expectNothingLeft(before);
  });
});

describe('runLoad ends by itself', () => {
  it('an abort rejects with its reason and closes every socket', async () => {
    const server = await baseline();
    const before = await openResources();
    const abort = new AbortController();
    const reason = new Error('stop now');
    const run = runLoad({ host: HOST, port: server.port, connections: 8, size: 512, durationMs: 60_000, warmupMs: 0, signal: abort.signal });
    // Whenever the abort lands (connecting or measuring), the outcome is the same.
    setTimeout(() => abort.abort(reason), 50);
    await expect(run).rejects.toBe(reason);
    await waitFor(() => server.connections() === 0);
    await expectNothingLeft(before);
  });

  it('an abort while connecting settles at once, not at the connect timeout', async () => {
    // This server accepts but never answers: no connection ever gets its opening echo.
    const port = await brokenServer(16, () => null);
    const before = await openResources();
    const abort = new AbortController();
    const reason = new Error('give up');
    const started = performance.now();
    const run = runLoad({ host: HOST, port, connections: 20, size: 16, ...QUICK, signal: abort.signal });
    setTimeout(() => abort.abort(reason), 50);
    await expect(run).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(5000);
    await expectNothingLeft(before);
  });

  it('an already aborted signal rejects before connecting', async () => {
    const server = await baseline();
    const reason = new Error('never started');
    await expect(
      runLoad({ host: HOST, port: server.port, connections: 1, size: 1, ...QUICK, signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(server.connections()).toBe(0);
  });

  it('rejects options it cannot honour, naming them', async () => {
    const base = { host: HOST, port: 9, connections: 1, size: 1, ...QUICK };
    await expect(runLoad({ ...base, connections: 0 })).rejects.toThrow(/connections must be a whole number from 1/);
    await expect(runLoad({ ...base, size: 1.5 })).rejects.toThrow(/size must be a whole number from 1/);
    await expect(runLoad({ ...base, durationMs: 0 })).rejects.toThrow(/durationMs must be above 0/);
    await expect(runLoad({ ...base, port: 70_000 })).rejects.toThrow(/port must be a whole number from 1 to 65535/);
    await expect(runLoad({ ...base, rate: 0 })).rejects.toThrow(/rate must be above 0/);
  });
});

describe('EchoPattern', () => {
  const message = (pattern: EchoPattern, id: number, seq: number): Buffer => {
    const buffer = Buffer.alloc(pattern.size);
    pattern.fill(buffer, id, seq);
    return buffer;
  };

  it('gives every (connection, sequence) its own bytes, the same on every run', () => {
    const pattern = new EchoPattern(4096);
    const seen = new Set<string>();
    for (let id = 0; id < 4; id++) {
      for (let seq = 0; seq < 50; seq++) seen.add(message(pattern, id, seq).toString('hex'));
    }
    expect(seen.size).toBe(200);
    expect(message(new EchoPattern(4096), 3, 7)).toEqual(message(pattern, 3, 7));
  });

  it('changes every part of the body from one message to the next, not only the header', () => {
    const pattern = new EchoPattern(4096);
    const [a, b] = [message(pattern, 1, 10), message(pattern, 1, 11)];
    for (let at = 8; at < 4096; at += 512) expect(a.subarray(at, at + 64).equals(b.subarray(at, at + 64))).toBe(false);
  });

  it('still tells consecutive messages apart at 1 byte', () => {
    const pattern = new EchoPattern(1);
    expect(message(pattern, 0, 1)).not.toEqual(message(pattern, 0, 2));
  });

  it('refuses a size below 1', () => {
    expect(() => new EchoPattern(0)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------

function flipLastByte(message: Buffer): Buffer {
  const copy = Buffer.from(message);
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01;
  return copy;
}

function swapHalves(message: Buffer): Buffer {
  const half = message.length / 2;
  return Buffer.concat([message.subarray(half), message.subarray(0, half)]);
}

/** Per connection: echoes messages 0 and 1, then answers message 2 with a copy of message 1. */
function replayPrevious(): (message: Buffer, index: number, socket: net.Socket) => Buffer {
  const previous = new WeakMap<net.Socket, Buffer>();
  return (message, index, socket) => {
    const answer = index === 2 ? (previous.get(socket) ?? message) : message;
    previous.set(socket, Buffer.from(message));
    return answer;
  };
}

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits for a server-side count that no event announces, checking every 5 ms (bounded). */
async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
