// Streams on real loopback sockets, with the loop driven by Node: reads to EOF, a reset, a refused
// connection, a server that half-closes cleanly, and flow control both ways (drain waits while the
// peer does not read; the reader pauses its socket past twice its limit). Every socket and server
// a test opens is closed, and the test proves it.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLoop, type ExceptionContext } from './event-loop.js';
import { ConnectionResetError, IncompleteReadError } from './errors.js';
import type { Coro } from './future.js';
import { openConnection, type StreamReader, type StreamWriter } from './streams.js';
import { startServer, type Server } from './server.js';
import { settled } from '../index.js';

const HOST = '127.0.0.1';
const loops: EventLoop[] = [];
const servers: net.Server[] = [];
const serverSockets: net.Socket[] = [];
const unexpectedReports: ExceptionContext[] = [];

afterEach(async () => {
  for (const loop of loops.splice(0)) {
    loop.stop();
    loop.close();
  }
  // A failed test may leave a connection open; a passing one has closed them all already.
  const leftOpen = serverSockets.splice(0).filter((socket) => !socket.destroyed);
  for (const socket of leftOpen) socket.destroy();
  for (const server of servers.splice(0)) {
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(server.listening).toBe(false);
  }
  expect(leftOpen).toEqual([]);
  expect(unexpectedReports.splice(0)).toEqual([]);
});

function realLoop(): EventLoop {
  const loop = new EventLoop({ debug: false, exceptionHandler: (_loop, context) => unexpectedReports.push(context) });
  loops.push(loop);
  loop.runForever();
  return loop;
}

/** The test's bridge from a loop future to a Promise it can await. */

function run<T>(loop: EventLoop, coro: Coro<T>): Promise<T> {
  return settled(loop.createTask(coro));
}

/** A plain node:net server whose connection handler is the test's. */
async function netServer(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    serverSockets.push(socket);
    onConnection(socket);
  });
  servers.push(server);
  server.listen(0, HOST);
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

describe('openConnection and StreamReader', () => {
  it('reads lines, exact counts and the rest, then EOF as empty reads and an IncompleteReadError', async () => {
    const port = await netServer((socket) => socket.end('line one\nline two\nrest'));
    const loop = realLoop();
    function* client(): Coro<unknown[]> {
      const [reader, writer] = yield* openConnection(HOST, port);
      const seen: unknown[] = [];
      seen.push((yield* reader.readLine()).toString());
      seen.push((yield* reader.readExactly(4)).toString());
      seen.push((yield* reader.readLine()).toString());
      seen.push((yield* reader.read()).toString()); // until EOF
      seen.push((yield* reader.read(10)).length);
      seen.push((yield* reader.readLine()).length);
      seen.push(reader.atEof());
      try {
        yield* reader.readExactly(1);
      } catch (error) {
        seen.push(error instanceof IncompleteReadError ? `incomplete ${error.partial.length}/${error.expected}` : error);
      }
      writer.close();
      yield* writer.waitClosed();
      seen.push(writer.socket.destroyed);
      return seen;
    }
    expect(await run(loop, client())).toEqual(['line one\n', 'line', ' two\n', 'rest', 0, 0, true, 'incomplete 0/1', true]);
  });

  it('gives readExactly’s partial bytes when EOF comes first, and readLine the unterminated tail', async () => {
    const port = await netServer((socket) => socket.end('abc'));
    const loop = realLoop();
    function* client(): Coro<string> {
      const [reader, writer] = yield* openConnection(HOST, port);
      try {
        yield* reader.readExactly(5);
        return 'no error';
      } catch (error) {
        if (!(error instanceof IncompleteReadError)) throw error;
        return `${error.partial.toString()} of ${error.expected}: ${error.message}`;
      } finally {
        writer.close();
        yield* writer.waitClosed();
      }
    }
    expect(await run(loop, client())).toBe('abc of 5: stream ended after 3 of 5 expected bytes');
  });

  it('throws the socket’s reset at a pending read, and drain reports the lost connection', async () => {
    // Reset only once the client has the bytes: a reset racing a pending write may go out as a plain FIN.
    const port = await netServer((socket) => {
      socket.write('partial');
      socket.once('data', () => socket.resetAndDestroy());
    });
    const loop = realLoop();
    function* client(): Coro<string[]> {
      const [reader, writer] = yield* openConnection(HOST, port);
      const seen: string[] = [(yield* reader.readExactly(7)).toString()];
      writer.write('ack');
      try {
        yield* reader.read(100);
      } catch (error) {
        seen.push((error as NodeJS.ErrnoException).code ?? 'no code');
      }
      try {
        yield* writer.drain();
      } catch (error) {
        seen.push(error instanceof ConnectionResetError ? error.name : 'other');
      }
      yield* writer.waitClosed();
      return seen;
    }
    expect(await run(loop, client())).toEqual(['partial', 'ECONNRESET', 'ConnectionResetError']);
  });

  it('throws a refused connection’s error from openConnection', async () => {
    const probe = net.createServer();
    probe.listen(0, HOST);
    await once(probe, 'listening');
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const loop = realLoop();
    function* client(): Coro<void> {
      yield* openConnection(HOST, port);
    }
    await expect(run(loop, client())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('pauses its socket once more than twice its limit is buffered, and resumes as it is read', async () => {
    const payload = Buffer.alloc(4 * 1024 * 1024, 'x');
    const port = await netServer((socket) => socket.end(payload));
    const loop = realLoop();
    const [reader, writer] = await run(loop, openConnection(HOST, port, { limit: 1024 }));
    // Not reading: the reader buffers, then pauses the socket instead of buffering everything.
    while (!writer.socket.isPaused()) await once(writer.socket, 'data');
    expect(reader.buffered).toBeGreaterThan(2 * 1024);
    expect(reader.buffered).toBeLessThan(payload.length);
    const all = await run(loop, reader.read());
    expect(all.length).toBe(payload.length);
    writer.close();
    await run(loop, writer.waitClosed());
  });
});

describe('startServer and StreamWriter', () => {
  async function listen(loop: EventLoop, handler: (reader: StreamReader, writer: StreamWriter) => Coro<void>): Promise<Server> {
    return run(loop, startServer(handler, { host: HOST, port: 0 }));
  }

  async function closeServer(loop: EventLoop, server: Server): Promise<void> {
    server.close();
    server.closeClients();
    await run(loop, server.waitClosed());
    expect(server.connections).toBe(0);
  }

  it('serves each connection in a task: reads to the client’s half-close, writes back, closes', async () => {
    const loop = realLoop();
    const server = await listen(loop, function* shout(reader, writer) {
      for (let line = yield* reader.readLine(); line.length > 0; line = yield* reader.readLine()) {
        writer.write(line.toString().toUpperCase());
        yield* writer.drain();
      }
      writer.close();
    });
    const client = net.connect({ host: HOST, port: server.address().port, allowHalfOpen: true });
    const received: Buffer[] = [];
    client.on('data', (chunk: Buffer) => received.push(chunk));
    client.end('hello\nworld\n');
    await once(client, 'close');
    expect(Buffer.concat(received).toString()).toBe('HELLO\nWORLD\n');
    await closeServer(loop, server);
  });

  it('drain suspends the writer while the peer does not read, and resumes when it does', async () => {
    const loop = realLoop();
    const total = 16 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'y');
    let blocked!: () => void;
    const blockedOnce = new Promise<void>((resolve) => (blocked = resolve));
    let written = 0;
    let suspendedDrains = 0;
    let maxQueued = 0;
    let highWaterMark = 0;
    const server = await listen(loop, function* flood(_reader, writer) {
      highWaterMark = writer.socket.writableHighWaterMark;
      while (written < total) {
        writer.write(chunk);
        written += chunk.length;
        maxQueued = Math.max(maxQueued, writer.socket.writableLength);
        if (writer.socket.writableNeedDrain) {
          suspendedDrains += 1;
          blocked();
        }
        yield* writer.drain();
      }
      writer.close();
    });
    const client = net.connect({ host: HOST, port: server.address().port });
    client.pause(); // a slow reader: nothing is read yet
    await blockedOnce;
    const writtenWhileBlocked = written;
    expect(writtenWhileBlocked).toBeLessThan(total); // it stopped instead of queueing 16 MiB
    let received = 0;
    client.on('data', (data: Buffer) => (received += data.length));
    client.resume();
    await once(client, 'end');
    client.destroy();
    expect(received).toBe(total);
    expect(suspendedDrains).toBeGreaterThan(0);
    // The bound backpressure buys: never more than one chunk past the high-water mark queued in Node.
    expect(maxQueued).toBeLessThanOrEqual(highWaterMark + chunk.length);
    await closeServer(loop, server);
  });

  it('reports a handler that throws, resets only that connection, and keeps serving', async () => {
    const reports: unknown[] = [];
    const loop = realLoop();
    loop.setExceptionHandler((_loop, context) => reports.push(context.exception));
    const server = await listen(loop, function* picky(reader, writer) {
      const line = (yield* reader.readLine()).toString();
      if (line.startsWith('bad')) throw new Error(`refusing ${line.trim()}`);
      writer.write(`ok ${line}`);
      writer.close();
    });
    const { port } = server.address();
    const bad = net.connect({ host: HOST, port });
    bad.on('error', () => undefined); // the reset is the expected outcome
    bad.write('bad\n');
    const good = net.connect({ host: HOST, port, allowHalfOpen: true });
    const goodData: Buffer[] = [];
    good.on('data', (data: Buffer) => goodData.push(data));
    good.write('good\n');
    // Not once(bad, 'close'): it would reject on the reset this test expects.
    await Promise.all([new Promise((resolve) => bad.on('close', resolve)), once(good, 'end')]);
    good.destroy();
    expect(Buffer.concat(goodData).toString()).toBe('ok good\n');
    expect(reports).toEqual([new Error('refusing bad')]);
    await closeServer(loop, server);
  });
});
