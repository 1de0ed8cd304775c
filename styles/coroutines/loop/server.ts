// A TCP server for coroutines, after asyncio's `start_server`: each connection gets a StreamReader
// and a StreamWriter and runs the handler in its own task. A handler that fails is reported to the
// loop's exception handler and only its connection is closed; the server goes on.
import net from 'node:net';
import { InvalidStateError } from './errors.js';
import { wait, type Coro, type Future } from './future.js';
import { getRunningLoop, type EventLoop } from './event-loop.js';
import { reportFailure } from './helpers.js';
import { wrapSocket, type StreamOptions, type StreamReader, type StreamWriter } from './streams.js';

export interface ServerOptions extends StreamOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Passed to `net.createServer` (e.g. `noDelay`); `allowHalfOpen` is always on, as asyncio's streams need. */
  readonly net?: net.ServerOpts;
}

export type ConnectionHandler = (reader: StreamReader, writer: StreamWriter) => Coro<void>;

/** A listening server; each connection runs `handler` in its own task. */
export class Server {
  readonly #loop: EventLoop;
  readonly #server: net.Server;
  /** Each open connection's writer, by socket: what closeClients and abortClients close. */
  readonly #connections = new Map<net.Socket, StreamWriter>();
  readonly #closed: Future<void>;
  #listenerClosed = false;

  constructor(loop: EventLoop, handler: ConnectionHandler, options: StreamOptions & { readonly net?: net.ServerOpts } = {}) {
    this.#loop = loop;
    this.#closed = loop.createFuture<void>();
    this.#server = net.createServer({ ...options.net, allowHalfOpen: true }, (socket) => {
      if (loop.isClosed()) {
        socket.destroy();
        return;
      }
      const [reader, writer] = wrapSocket(loop, socket, options);
      // Named after its peer in debug mode only: reading the peer's address costs ~190 bytes a
      // connection, held as long as it is open; otherwise it is `Task-<n>`, as asyncio names it.
      const naming = loop.debug ? { name: `connection ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}` } : {};
      const task = loop.createTask(handler(reader, writer), naming);
      this.#connections.set(socket, writer);
      socket.once('close', () => {
        this.#connections.delete(socket);
        this.#settleIfClosed();
      });
      task.addDoneCallback(() => {
        // Nobody waits for a connection's task, so its failure is reported here, and only its socket goes.
        if (!task.cancelled() && task.exception() !== undefined) writer.abort();
        reportFailure(task);
      });
    });
    this.#server.on('close', () => {
      this.#listenerClosed = true;
      this.#settleIfClosed();
    });
  }

  // Closed means the listener and every connection: the listener's 'close' can come before the
  // 'close' of sockets destroyed with it (their handles close a turn later).
  #settleIfClosed(): void {
    if (this.#listenerClosed && this.#connections.size === 0 && !this.#closed.done() && !this.#loop.isClosed()) {
      this.#closed.setResult(undefined);
    }
  }

  /** Resolves once listening; an error such as EADDRINUSE is thrown here. */
  *listen(host: string, port: number): Coro<void> {
    const listening = this.#loop.createFuture<void>();
    const onError = (error: Error): void => {
      if (!listening.done()) listening.setException(error);
    };
    this.#server.once('error', onError);
    this.#server.listen({ host, port }, () => {
      this.#server.off('error', onError);
      this.#server.on('error', (error) => this.#loop.callExceptionHandler({ message: 'Server error', exception: error }));
      if (!listening.done()) listening.setResult(undefined);
    });
    yield* wait(listening);
  }

  /** The bound address; throws before listening. */
  address(): net.AddressInfo {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new InvalidStateError('address(): the server is not listening on TCP');
    return address;
  }

  /** Connections open right now. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Stops accepting; open connections go on (asyncio's Server.close). */
  close(): void {
    if (this.#server.listening) {
      this.#server.close();
    } else {
      this.#listenerClosed = true;
      this.#settleIfClosed();
    }
  }

  /** Closes every open connection after its queued bytes are written. */
  closeClients(): void {
    for (const writer of this.#connections.values()) writer.close();
  }

  /** Closes every open connection at once, dropping what it had queued. */
  abortClients(): void {
    for (const writer of this.#connections.values()) writer.abort();
  }

  /** Waits until the listener is closed and every connection with it (call `close()` first). */
  *waitClosed(): Coro<void> {
    yield* wait(this.#closed);
  }
}

/** Listens on `host:port` and runs `handler(reader, writer)` in a new task for each connection. */
export function* startServer(handler: ConnectionHandler, options: ServerOptions): Coro<Server> {
  const server = new Server(getRunningLoop(), handler, options);
  yield* server.listen(options.host, options.port);
  return server;
}
