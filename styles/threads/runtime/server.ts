// Thread per connection: a net.Server on the main thread that gives every accepted socket a thread
// of its own running `handler(connection)`, and counts the connection until its socket is closed
// and its thread joined. The main thread owns the sockets (Node 20 cannot hand one to a worker,
// README); the thread reads and writes through blocking calls. Past the thread cap (thread.ts) a
// new connection is shed: accepted and closed at once, as libuv sheds connections past EMFILE.
import { once } from 'node:events';
import net from 'node:net';
import { listen as listenForEcho } from '../../../scenarios/echo/listener.js';
import type { Connection } from './blocking.js';
import { Scope } from './scope.js';
import type { Task } from './task.js';
import { ThreadExitError } from './errors.js';
import { Thread } from './thread.js';

export interface ThreadServer {
  readonly host: string;
  readonly port: number;
  /** Connections whose socket is open or whose thread has not been joined yet. */
  connections(): number;
  /** Connections shed: the thread cap was reached, or their thread could not start (EMFILE, ...). */
  refused(): number;
  /** Stops accepting, closes every socket, and resolves once every thread has been joined. */
  close(): Promise<void>;
}

/** How long close() lets a thread unwind after its socket was destroyed before terminating it. */
const JOIN_GRACE_MS = 2_000;

/** A server being started: `started` settles once it listens, or with the listen error (EADDRINUSE, ...). */
export interface ServerStart {
  readonly started: Promise<ThreadServer>;
}

export function serveThreadPerConnection(
  options: { readonly host: string; readonly port: number },
  netOptions: net.ServerOpts,
  handler: Task<readonly [Connection], void>,
): ServerStart {
  return { started: listen(options, netOptions, handler) };
}

async function listen(
  options: { readonly host: string; readonly port: number },
  netOptions: net.ServerOpts,
  handler: Task<readonly [Connection], void>,
): Promise<ThreadServer> {
  const open = new Map<net.Socket, { readonly thread: Thread; readonly done: Promise<void> }>();
  let refused = 0;
  let accepted = 0;
  const server = net.createServer(netOptions, (socket) => {
    const scope = new Scope();
    const id = scope.addConnection(socket);
    let thread: Thread;
    try {
      thread = new Thread({ kind: 'run', task: handler, args: [{ id }], callbacks: [] }, scope, `connection ${++accepted}`);
    } catch {
      // ThreadLimitError (or a Worker that could not be created): shed this one, keep serving.
      refused += 1;
      scope.close();
      return;
    }
    // Not once(socket, 'close'): it rejects on an 'error' first, and a reset socket errors.
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const done = thread.joined.then((outcome) => {
      // The thread is gone: its socket goes too (a thread that could not start never closed it).
      scope.close();
      if (!outcome.ok && outcome.error instanceof ThreadExitError) refused += 1;
      // A socket error ends the connection inside its thread; anything else is a bug worth a warning.
      else if (!outcome.ok) process.emitWarning(outcome.error);
      return closed;
    }).then(() => {
      open.delete(socket);
    });
    open.set(socket, { thread, done });
  });

  // The echo scenario's own listen: a listen error (EADDRINUSE, ...) fails the start, accept errors are survived.
  const port = await listenForEcho(server, options);

  let closing: Promise<void> | undefined;
  async function closeAll(): Promise<void> {
    const listenerClosed = once(server, 'close');
    server.close();
    const entries = [...open.entries()];
    // Destroying a socket fails the thread's blocked recv/sendAll with a socket error: it unwinds.
    for (const [socket] of entries) socket.destroy();
    const stragglers = setTimeout(() => {
      for (const [, entry] of entries) entry.thread.terminate();
    }, JOIN_GRACE_MS);
    await Promise.all(entries.map(([, entry]) => entry.done));
    clearTimeout(stragglers);
    await listenerClosed;
  }

  return {
    host: options.host,
    port,
    connections: () => open.size,
    refused: () => refused,
    close: () => (closing ??= closeAll()),
  };
}
