// The blocking calls a thread's code makes, as a thread-per-connection program would make them on a
// platform with blocking sockets: `get` returns the response, `recv` returns bytes, `sendAll`
// returns once they are written. Each is one request over the thread's channel (channel.ts): the
// thread sleeps in Atomics.wait while the main thread does the I/O. Errors come back as the raw
// error the I/O produced (a socket error with its `code`), rebuilt in this thread (errors.ts).
// Only threads the runtime started have a channel; on the main thread every call throws.
import type { HttpClientOptions, RawResponse } from '../../../scenarios/repos-and-forks/http.js';
import { BlockingChannel, type ChannelEnds } from './channel.js';
import { appendJoinSite } from './errors.js';
import type { Request } from './protocol.js';
import type { Task } from './task.js';

let channel: BlockingChannel | undefined;

/** thread-main.ts, once, before the thread's task runs. */
export function attachChannel(ends: ChannelEnds): BlockingChannel {
  channel = new BlockingChannel(ends);
  return channel;
}

function call(request: Request): unknown {
  if (channel === undefined) throw new Error(`${request.op}: blocking calls work only on a thread the threads runtime started`);
  return channel.call(request);
}

// ---------------------------------------------------------------------------------------------
// HTTP: a client is a handle to a keep-alive agent the main thread owns; any thread may use it.

/** Plain data, so it can be handed to a pool thread. */
export interface HttpClient {
  readonly id: number;
  readonly timeoutMs: number;
}

export function openHttpClient(options: HttpClientOptions): HttpClient {
  // Every option crosses as plain data (token scope, body cap, deadline): the main thread's client
  // is the same shared primitive every other style uses, set up the same way.
  const { timeoutMs, deadlineMs, maxBodyBytes, token, apiUrl, tokenOverHttp } = options;
  const request: Request = {
    op: 'http.open',
    timeoutMs,
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(apiUrl !== undefined ? { apiUrl } : {}),
    ...(tokenOverHttp !== undefined ? { tokenOverHttp } : {}),
  };
  return { id: call(request) as number, timeoutMs: options.timeoutMs };
}

/** Blocks until the whole response is in; throws the raw error (ECONNRESET, ETIMEDOUT, ...) or an InterruptedError. */
export function httpGet(client: HttpClient, url: string): RawResponse {
  return call({ op: 'http.get', client: client.id, url }) as RawResponse;
}

/** Aborts the client's requests in flight and frees its sockets. */
export function closeHttpClient(client: HttpClient): void {
  call({ op: 'http.close', client: client.id });
}

// ---------------------------------------------------------------------------------------------
// Sockets: a connection is a handle to a socket the main thread owns, given to one thread.

export interface Connection {
  readonly id: number;
}

/** The next bytes the peer sent, as many as the main thread has read (up to 64 KiB); empty at end of input. */
export function recv(connection: Connection): Buffer {
  const bytes = call({ op: 'recv', connection: connection.id }) as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Returns once the socket has accepted every byte (its write callback ran). */
export function sendAll(connection: Connection, bytes: Uint8Array): void {
  call({ op: 'sendAll', connection: connection.id, bytes });
}

/** Ends our direction once everything owed is written (shutdown(SHUT_WR)). */
export function shutdown(connection: Connection): void {
  call({ op: 'shutdown', connection: connection.id });
}

/** Closes the socket, whatever is still unsent. */
export function closeConnection(connection: Connection): void {
  call({ op: 'close', connection: connection.id });
}

// ---------------------------------------------------------------------------------------------
// A thread pool, as Java's ThreadPoolExecutor or Python's: `maxWorkers` threads take the items in
// order; map returns the results in item order. Fail-fast: the first error stops the pool (no
// item is handed out after it, the other threads' blocked calls are interrupted), and once every
// pool thread has been joined, map throws that error here, its stack extended with this thread's.

export class ThreadPoolExecutor {
  readonly maxWorkers: number;

  constructor(maxWorkers: number) {
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1) {
      throw new RangeError(`Expected \`maxWorkers\` to be an integer from 1 and up, got ${String(maxWorkers)}`);
    }
    this.maxWorkers = maxWorkers;
  }

  /** Runs `fn(context, item)` for every item on the pool's threads; blocks until all are done. */
  map<Context, Item, Result>(fn: Task<readonly [Context, Item], Result>, context: Context, items: readonly Item[]): Result[] {
    if (items.length === 0) return [];
    try {
      return call({ op: 'pool.map', task: { module: fn.module, name: fn.name }, context, items, workers: this.maxWorkers }) as Result[];
    } catch (error) {
      throw error instanceof Error ? appendJoinSite(error, 'ThreadPoolExecutor.map in the thread that waited', new Error()) : error;
    }
  }
}
