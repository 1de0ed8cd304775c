// The chat suite's client: a ws WebSocket that keeps every message it receives, in order, and how
// it was closed, so a test can wait for a count of messages or for the close.
import { WebSocket } from 'ws';

export interface Received {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

export interface ChatClient {
  readonly socket: WebSocket;
  readonly inbox: Received[];
  /** Code and reason of the close, once it has closed (1006 when the connection dropped). */
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  /** Resolves when the inbox holds at least `count` messages; rejects after `timeoutMs`. */
  receive(count: number, timeoutMs?: number): Promise<Received[]>;
  send(data: Buffer | string): Promise<void>;
}

export async function connectChat(port: number, clients: Set<ChatClient>): Promise<ChatClient> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false, maxPayload: 0 });
  const inbox: Received[] = [];
  const waiters = new Set<() => void>();
  // One Buffer per message: binaryType is 'nodebuffer', ws's default.
  socket.on('message', (data, isBinary) => {
    inbox.push({ data: data as Buffer, isBinary });
    for (const wake of waiters) wake();
  });
  // A client the server drops or resets has an 'error' (ECONNRESET); its close says the rest.
  socket.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const client: ChatClient = {
    socket,
    inbox,
    closed,
    receive: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (inbox.length >= count) finish(() => resolve(inbox.slice()));
          else if (socket.readyState === WebSocket.CLOSED) finish(() => reject(new Error(`closed with ${inbox.length} of ${count} messages received`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs} ms with ${inbox.length} of ${count} messages received`))), timeoutMs);
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      }),
    send: (data) => new Promise((resolve, reject) => socket.send(data, { binary: Buffer.isBuffer(data) }, (error) => (error ? reject(error) : resolve()))),
  };
  clients.add(client);
  return client;
}

/** Closes the client (or, if it will not close in time, destroys it) and waits for its 'close'. */
export async function closeChat(client: ChatClient): Promise<void> {
  if (client.socket.readyState === WebSocket.CLOSED) return;
  client.socket.resume();
  client.socket.close(1000);
  const timer = setTimeout(() => client.socket.terminate(), 2_000);
  await client.closed;
  clearTimeout(timer);
}
