// The echo suite's client side: connect, round trips that check every byte, reading to EOF, waiting
// for a count no event announces. Every socket they open is tracked, so the test that opened it can
// close it.
import { once } from 'node:events';
import net from 'node:net';
import { expect } from 'vitest';

const MiB = 1024 * 1024;

export function connectTo(port: number, clients: Set<net.Socket>): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    clients.add(socket);
    socket.once('close', () => clients.delete(socket));
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export function closeSocket(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  const closed = once(socket, 'close').then(() => undefined);
  socket.on('error', () => undefined); // a reset seen while closing is not the test's subject
  socket.destroy();
  return closed;
}

/** Writes `payload` and checks that exactly the same bytes come back. */
export async function roundTrip(socket: net.Socket, payload: Buffer): Promise<void> {
  expectSame(await exchange(socket, payload), payload, `${payload.length} B round trip`);
}

/** Writes `payload` and resolves with exactly as many bytes back; more, or an EOF first, rejects. */
export function exchange(socket: net.Socket, payload: Buffer): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const stop = (): void => {
      // Paused, bytes the server sends after the echo wait in the buffer for the next check.
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
      if (length < payload.length) return;
      stop();
      if (length > payload.length) reject(new Error(`got ${length} bytes back for ${payload.length} sent`));
      else resolve(Buffer.concat(chunks, length));
    };
    const onEnd = (): void => {
      stop();
      reject(new Error(`EOF after ${length} of ${payload.length} bytes`));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    socket.resume();
    socket.write(payload);
  });
}

/** Everything the socket receives until EOF. */
export async function readToEnd(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * One connection trying one round trip: served (socket kept open) or shed (EOF, reset, refused).
 * With `giveUpMs`, an echo that has not come back by then is shed too, as a client with a deadline
 * would see a server that has stopped accepting (its connection waits in the listen backlog).
 */
export async function attemptEcho(port: number, n: number, clients: Set<net.Socket>, giveUpMs?: number): Promise<{ socket?: net.Socket }> {
  const payload = Buffer.from(`attempt ${n}`);
  let socket: net.Socket | undefined;
  let echo: Buffer;
  let timer: NodeJS.Timeout | undefined;
  try {
    socket = await connectTo(port, clients);
    const echoed = exchange(socket, payload);
    echoed.catch(() => undefined); // after giving up, a late failure is no one's to handle
    echo = await (giveUpMs === undefined
      ? echoed
      : Promise.race([echoed, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no echo within ${giveUpMs} ms`)), giveUpMs)))]));
  } catch {
    clearTimeout(timer);
    if (socket !== undefined) await closeSocket(socket);
    return {};
  }
  clearTimeout(timer);
  // Shed is fine; served with the wrong bytes is not.
  expectSame(echo, payload, `attempt ${n}`);
  return { socket };
}

/** Compares without printing megabytes: reports the first differing offset. */
export function expectSame(actual: Buffer, expected: Buffer, label: string): void {
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  expect.fail(`${label}: ${actual.length} bytes back for ${expected.length} sent, first difference at offset ${at}`);
}

/** Waits for a condition that no event announces (a server-side count), checking every 5 ms. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function untilAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const isEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
