// What the main thread holds for a tree of threads (a workflow's thread and its pool threads, or a
// connection's thread), and how it serves their requests: the HTTP clients they opened, the socket
// they were given, the pools they run, and the caller's functions they may call. A Scope is the
// RequestHandler of every thread in its tree; `close()` frees whatever its threads left open.
import type net from 'node:net';
import { createHttpClient, type HttpClient } from '../../../scenarios/repos-and-forks/http.js';
import { SocketConnection } from './connection.js';
import { InterruptedError } from './errors.js';
import { PoolRun } from './pool.js';
import type { Request } from './protocol.js';
import type { RequestHandler, Thread } from './thread.js';

type Callbacks = Readonly<Record<string, (...args: never[]) => unknown>>;

export class Scope implements RequestHandler {
  private readonly clients = new Map<number, HttpClient>();
  private readonly connections = new Map<number, SocketConnection>();
  private readonly pools = new Map<Thread, PoolRun>();
  private nextId = 1;

  constructor(private readonly callbacks: Callbacks = {}) {}

  /** Gives a socket to this scope's thread; the returned id is its Connection handle. */
  addConnection(socket: net.Socket): number {
    const id = this.nextId++;
    this.connections.set(id, new SocketConnection(socket));
    return id;
  }

  handle(thread: Thread, request: Request, answer: (value: unknown) => void, fail: (error: unknown) => void): void {
    switch (request.op) {
      case 'http.open': {
        const id = this.nextId++;
        const { op: _op, ...options } = request;
        this.clients.set(id, createHttpClient(options));
        answer(id);
        return;
      }
      case 'http.get': {
        const client = this.clients.get(request.client);
        if (client === undefined) return fail(new InterruptedError(`GET ${request.url}: the HTTP client is closed`));
        if (this.pools.get(thread)?.failed === true) return fail(new InterruptedError(`GET ${request.url}: the pool stopped at its first error`));
        const abort = client.get(request.url, (error, response) => {
          thread.interruptPending = undefined;
          if (error !== null) fail(error);
          else answer(response);
        });
        thread.interruptPending = () => {
          thread.interruptPending = undefined;
          abort();
          fail(new InterruptedError(`GET ${request.url}: interrupted, the pool stopped at its first error`));
        };
        return;
      }
      case 'http.close': {
        this.clients.get(request.client)?.close();
        this.clients.delete(request.client);
        answer(undefined);
        return;
      }
      case 'recv':
      case 'sendAll':
      case 'shutdown':
      case 'close': {
        const connection = this.connections.get(request.connection);
        if (connection === undefined) return fail(new Error(`no connection ${request.connection} in this thread's scope`));
        if (request.op === 'recv') connection.recv(answer, fail);
        else if (request.op === 'sendAll') connection.sendAll(request.bytes, answer, fail);
        else if (request.op === 'shutdown') connection.shutdown(answer, fail);
        else connection.close(answer);
        return;
      }
      case 'pool.map': {
        const run = new PoolRun(request.task, request.context, request.items, request.workers, this, (poolThread, pool) => this.pools.set(poolThread, pool));
        run.finished.then(answer, fail).finally(() => {
          for (const [poolThread, pool] of this.pools) if (pool === run) this.pools.delete(poolThread);
        });
        return;
      }
      case 'pool.next': {
        const run = this.pools.get(thread);
        if (run === undefined) return fail(new Error('pool.next from a thread that is in no pool'));
        answer(run.next(request.outcome));
        return;
      }
      case 'callback': {
        const fn = this.callbacks[request.name];
        if (fn === undefined) return fail(new Error(`no callback ${JSON.stringify(request.name)} was given to this thread`));
        (fn as (...args: unknown[]) => unknown)(...request.args);
        answer(undefined);
        return;
      }
    }
  }

  /** Frees what the threads left open: a thread that died before its cleanup leaks nothing. */
  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
    for (const connection of this.connections.values()) connection.socket.destroy();
    this.connections.clear();
  }
}
